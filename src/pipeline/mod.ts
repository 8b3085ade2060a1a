/**
 * The pipeline: requests in, text and scores out. `NanoVLM` (a checkpoint, its sessions and its
 * tokenizer behind one object), batch preparation (images and prompts to decoder inputs), and the
 * rooms it is built from: `image/`, `text/`, `generation/` and `tasks/` (caption, ask, choose,
 * retrieve, embed, score).
 *
 * @module
 */
export * from "./image/mod.ts";
export * from "./text/mod.ts";
export * from "./generation/mod.ts";
export * from "./concat.ts";
export * from "./merge.ts";
export * from "./prepare.ts";
export * from "./nanovlm.ts";
export * from "./tasks/mod.ts";
export * from "./run_memory.ts";
