/**
 * nanovlm-lab: load, convert, run, inspect and evaluate nanoVLM checkpoints from TypeScript.
 *
 * This is the public API: it re-exports the face (`mod.ts`) of each room of the library —
 * `checkpoint/`, `onnx/`, `model/`, `runtime/`, `pipeline/`, `parity/`, `inspect/` and `viz/` —
 * and the named errors.
 * The CLI, `evals/`, the benchmarks and notebooks are users of it.
 *
 * @example
 * ```ts
 * import { NanoVLM } from "./src/mod.ts";
 *
 * const model = await NanoVLM.load("checkpoints/nanoVLM-222M", {
 *   tokenizer: "cosmo2/tokenizer.json",
 * });
 * const [answer] = await model.generate([{ images: ["cat.jpg"], text: "What is this?" }], {
 *   maxNewTokens: 20,
 * });
 * console.log(answer.text);
 * await model.release();
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./checkpoint/mod.ts";
export * from "./files/mod.ts";
export * from "./onnx/mod.ts";
export * from "./model/mod.ts";
export * from "./runtime/mod.ts";
export * from "./pipeline/mod.ts";
export * from "./parity/mod.ts";
export * from "./inspect/mod.ts";
export * from "./viz/mod.ts";
export * from "./bundle/mod.ts";
