/**
 * The runtime's checks of what it is given: lengths against shapes, token ids against the
 * vocabulary, and a decoder step's mask, positions, cache and logit indices. Each refusal is an
 * {@link InputError} (or an {@link EngineError} for kernels that cannot serve the step) naming the
 * problem and the fix, before any session runs.
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import type { BuildOptions } from "../model/mod.ts";
import { EngineError, InputError } from "../errors.ts";
import type { DecodeStep } from "./decode_step.ts";
import type { KVCache } from "./kv_cache.ts";

/** Throws an {@link InputError} when an input's length is not the expected one. */
export function checkLength(what: string, actual: number, expected: number, shape: string): void {
  if (actual !== expected) {
    throw new InputError(
      `${what}: ${actual} values, expected ${expected} (${shape})`,
      "check the shapes passed to the runtime",
    );
  }
}

/** Checks that every id is a row of the embedding table and that rows are equally long. */
export function checkIds(config: NanoVLMConfig, ids: readonly (readonly number[])[]): void {
  const vocab = config.lm_vocab_size;
  if (ids.some((row) => row.length !== ids[0].length)) {
    throw new InputError(
      "token id rows have different lengths",
      "pad the rows to one length (batchPrompts does)",
    );
  }
  for (const row of ids) {
    for (const id of row) {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new InputError(
          `token id ${id} is outside the model's vocabulary (0..${vocab - 1})`,
          "use the tokenizer made for this checkpoint (its config's lm_tokenizer and extra tokens)",
        );
      }
    }
  }
}

/**
 * Refuses the one step the graphs cannot match exactly: past `lm_max_position_embeddings`, RoPE's
 * dynamic scaling rescales every position of the call (the graphs do so); v0.1 re-encodes the
 * whole sequence each step, so there it would re-rotate keys a KV cache already holds.
 */
export function checkRopeScaling(
  config: NanoVLMConfig,
  positionIds: ArrayLike<number>,
  cached: number,
): void {
  const limit = config.lm_max_position_embeddings;
  if (config.generation !== "v0.1" || cached === 0) return;
  const end = Array.from(positionIds).reduce((max, p) => Math.max(max, p), -1) + 1;
  if (end > limit) {
    throw new InputError(
      `position ${
        end - 1
      } is past lm_max_position_embeddings (${limit}): v0.1 rescales RoPE over the whole sequence there, which a KV-cached step cannot reproduce`,
      `keep prompt and generated tokens within ${limit}, or run the whole sequence as one prefill (no cache)`,
    );
  }
}

/** A decoder step's token ids, and whether the loaded kernels can serve its mask. */
export function checkDecodeInputs(
  config: NanoVLMConfig,
  options: BuildOptions,
  step: DecodeStep,
): void {
  if (step.ids) checkIds(config, step.ids);
  if (
    options.flavour === "fast" && options.kernels === "microsoft" &&
    Array.from(step.attentionMask).includes(0)
  ) {
    throw new EngineError(
      "the com.microsoft GroupQueryAttention kernels cannot mask left padding",
      'load the model with kernels "onnx" (the default) to run padded batches',
    );
  }
}

/**
 * A decoder step's lengths against its batch, tokens and cache, its integers, its positions
 * (see {@link checkRopeScaling}) and its logit indices (`index`: the step's, or its default).
 */
export function checkDecodeShapes(
  config: NanoVLMConfig,
  step: DecodeStep,
  cache: KVCache,
  index: readonly number[],
): void {
  const { batch, tokens } = step;
  const d = config.lm_hidden_dim;
  if (step.ids) {
    checkLength(
      "ids",
      step.ids.length * (step.ids[0]?.length ?? 0),
      batch * tokens,
      `${batch} rows of ${tokens}`,
    );
  } else {checkLength(
      "embeddings",
      step.embeds?.length ?? 0,
      batch * tokens * d,
      `${batch} x ${tokens} x ${d}`,
    );}
  if (cache.batch !== batch) {
    throw new InputError(
      `the cache holds ${cache.batch} rows, the step ${batch}`,
      "select the cache rows of this batch",
    );
  }
  checkLength(
    "attention mask",
    step.attentionMask.length,
    batch * (cache.length + tokens),
    `${batch} rows of cached + new tokens`,
  );
  checkLength(
    "position ids",
    step.positionIds.length,
    batch * tokens,
    `${batch} rows of ${tokens}`,
  );
  for (const values of [step.attentionMask, step.positionIds, index]) {
    if (!Array.from(values).every(Number.isSafeInteger)) {
      throw new InputError(
        "masks, positions and logit indices must be integers",
        "pass whole numbers",
      );
    }
  }
  checkRopeScaling(config, step.positionIds, cache.length);
  if (index.some((i) => i < 0 || i >= tokens)) {
    throw new InputError(
      `logits index out of range 0..${tokens - 1}: ${index.join(", ")}`,
      "index the new tokens of this step",
    );
  }
}
