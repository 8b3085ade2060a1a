/**
 * Test helpers for the task commands: the arguments that load a reference fixture's model.
 *
 * @module
 */
import { BYTE_LEVEL_TOKENIZER, fixturePath } from "../testing/mod.ts";

/** The path of a file of a reference fixture (shared with the task tests). */
export { fixtureFile } from "../testing/mod.ts";

/** `--model`, `--tokenizer` (byte-level stand-in) and `--cache-dir` for a reference fixture. */
export function modelArgs(name: string, cacheDir: string): string[] {
  return [
    "--model",
    fixturePath("reference", name, "checkpoint"),
    "--tokenizer",
    BYTE_LEVEL_TOKENIZER,
    "--cache-dir",
    cacheDir,
  ];
}
