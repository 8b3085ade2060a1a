/**
 * The model a suite runs when none is named: `shapes-nano`, the small nanoVLM (v0.1 layout,
 * about 4.9M parameters) trained from scratch on ShapesBench, committed with its own tokenizer in
 * the repository's `data/models/shapes-nano/` (its model card is the README.md there). `demo`,
 * `eval` and the benchmarks take it from here. This is the ONE place that names it: the `smoke`
 * suite, its committed baseline and CI all follow it. When it (or the weights in that folder)
 * changes, rewrite the baseline:
 *
 * ```sh
 * deno task nanovlm eval --suite smoke --precision fp32,fp16 \
 *   --write-baseline evals/baselines/smoke.json
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { CheckpointError } from "../../src/mod.ts";

/** What the default model is. */
export const DEFAULT_MODEL = {
  /** The model's name (its folder under `data/models/`). */
  name: "shapes-nano",
  /** Its folder, relative to the repository root. */
  path: "data/models/shapes-nano",
  /** Its tokenizer, relative to the repository root. */
  tokenizer: "data/models/shapes-nano/tokenizer.json",
  /** How summaries and baselines name it (no machine-specific path). */
  label: "default (shapes-nano, data/models/shapes-nano)",
  /** What to tell users. */
  description: "the embedded default, shapes-nano: a 4.9M-parameter nanoVLM (v0.1 layout) " +
    "trained from scratch on ShapesBench's synthetic pictures of coloured shapes " +
    "(data/models/shapes-nano/README.md). It counts the shapes, names their colours and shapes " +
    "and captions the scene, asked as ShapesBench asks; photographs and free-form questions " +
    "are outside what it has seen, so its answers to them mean nothing",
} as const;

/** The repository root, from this file's place in it (any working directory works). */
const ROOT = new URL("../../", import.meta.url);

/** Options of {@link defaultModel}. */
export interface DefaultModelOptions {
  /** The repository root the folder is resolved against (default: this checkout's). */
  root?: URL;
}

/**
 * The default model's checkpoint folder and tokenizer file (absolute paths), checked to exist.
 * Throws a {@link CheckpointError} naming the folder when it or a file of it is missing.
 *
 * @example
 * ```ts
 * const { model, tokenizer } = await defaultModel();
 * ```
 */
export async function defaultModel(
  options: DefaultModelOptions = {},
): Promise<{ model: string; tokenizer: string }> {
  const root = options.root ?? ROOT;
  const model = fileURLToPath(new URL(DEFAULT_MODEL.path, root));
  const tokenizer = fileURLToPath(new URL(DEFAULT_MODEL.tokenizer, root));
  for (const file of [`${model}/config.json`, `${model}/model.safetensors`, tokenizer]) {
    try {
      await Deno.stat(file);
    } catch {
      throw new CheckpointError(
        `the embedded default model ${DEFAULT_MODEL.name} is incomplete: no ${file}`,
        `restore ${DEFAULT_MODEL.path}/ from the repository (git checkout -- ${DEFAULT_MODEL.path}), ` +
          "or pass --model <dir> --tokenizer <file>",
      );
    }
  }
  return { model, tokenizer };
}
