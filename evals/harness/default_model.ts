/**
 * The model a suite runs when none is named: today a synthetic (random-init) checkpoint of the
 * `tiny-current` preset with the byte-level tokenizer — the same embedded default `demo` uses —
 * until the trained default model lands. This is the ONE place that names it: the `smoke` suite,
 * its committed baseline and CI all follow it. When it changes, rewrite the baseline:
 *
 * ```sh
 * deno task nanovlm eval --suite smoke --precision fp32,fp16 \
 *   --write-baseline evals/baselines/smoke.json
 * ```
 *
 * @module
 */
import {
  byteLevelTokenizerJson,
  presetConfig,
  synthesizeCheckpoint,
  writeAtomically,
} from "../../src/mod.ts";

/** What the default model is. */
export const DEFAULT_MODEL = {
  /** Synthetic checkpoint preset. */
  preset: "tiny-current",
  /** Seed of its random weights. */
  seed: 0,
  /** Tokenizer: the byte-level tokenizer of synthetic checkpoints. */
  tokenizer: "byte-level",
  /** What to tell users. */
  description: "the embedded default: a synthetic random-init tiny-current checkpoint (seed 0) " +
    "with the byte-level tokenizer; its outputs are noise until the trained default model lands",
} as const;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The default model's checkpoint folder (synthesized once under `cacheDir`) and tokenizer.
 *
 * @example
 * ```ts
 * const { model, tokenizer } = await defaultModel("/tmp/cache");
 * ```
 */
export async function defaultModel(
  cacheDir: string,
): Promise<{ model: string; tokenizer: string }> {
  const dir = `${cacheDir}/default-model/${DEFAULT_MODEL.preset}-seed${DEFAULT_MODEL.seed}`;
  const tokenizer = `${cacheDir}/default-model/byte-level-tokenizer.json`;
  if (!(await exists(tokenizer))) {
    await Deno.mkdir(`${cacheDir}/default-model`, { recursive: true });
    await writeAtomically(
      tokenizer,
      (temp) => Deno.writeTextFile(temp, JSON.stringify(byteLevelTokenizerJson(), null, 1) + "\n"),
    );
  }
  if (!(await exists(`${dir}/model.safetensors`))) {
    await Deno.mkdir(`${cacheDir}/default-model`, { recursive: true });
    try {
      await synthesizeCheckpoint(presetConfig(DEFAULT_MODEL.preset), dir, {
        seed: DEFAULT_MODEL.seed,
      });
    } catch (error) {
      // Another run may have written it meanwhile.
      if (!(await exists(`${dir}/model.safetensors`))) throw error;
    }
  }
  return { model: dir, tokenizer };
}
