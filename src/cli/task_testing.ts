/**
 * Test helpers for the task commands: the arguments that load a reference fixture's model.
 *
 * @module
 */
import { fixturePath } from "../testing/fixtures.ts";
import { BYTE_LEVEL_TOKENIZER } from "../testing/tokenizers/mod.ts";

/** The path of a file of a reference fixture (shared with the task tests). */
export { fixtureFile } from "../testing/task_models.ts";

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
