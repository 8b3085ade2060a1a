/**
 * The KV-cached generation loop: one prefill over the merged prompt, then one-token decode steps.
 * Positions continue from the prompt length (nanoVLM's `start_pos`), the key mask grows by a column
 * of ones per step, and rows that finished stop costing work (they are dropped from the batch).
 *
 * @module
 */
import type { NanoVLMRuntime } from "../../runtime/mod.ts";
import { checkDecoderMemory } from "../run_memory.ts";
import { argmax } from "./sampling.ts";

/** The merged prompt of a batch. */
export interface DecoderPrompt {
  /** `[batch, length, dim]` decoder input (image embeddings merged). */
  embeds: Float32Array;
  /** Rows. */
  batch: number;
  /** Length of every row (padded). */
  length: number;
  /** `[batch][length]` key mask: 1 real token, 0 padding. */
  attentionMask: number[][];
  /** `[batch][length]` RoPE positions (default: `0..length-1` for every row, as nanoVLM). */
  positionIds?: number[][];
}

/** Picks the next token of one row from its logits. */
export type SelectToken = (
  logits: Float32Array,
  row: number,
  generated: readonly number[],
) => number;

/** Options of {@link generateTokens}. */
export interface LoopOptions {
  /** New tokens per row at most. */
  maxNewTokens: number;
  /** Picks each next token. */
  select: SelectToken;
  /** Whether a row is finished given its generated ids so far (e.g. EOS or a stop string). */
  isFinished?: (row: number, generated: readonly number[]) => boolean;
}

/** One step of the loop: the rows still running, their logits and the tokens picked. */
export interface LoopStep {
  /** Step number (0 = from the prefill). */
  step: number;
  /** Original row indices of the rows in this step. */
  rows: number[];
  /** `[rows.length, vocab]` logits the tokens were picked from. */
  logits: Float32Array;
  /** The picked token per row (same order as `rows`). */
  tokens: number[];
}

/**
 * Runs the loop, yielding every step; the generated ids per row are in `generated`.
 *
 * @example
 * ```ts
 * // Greedy decoding of a one-row, text-only prompt.
 * const embeds = await runtime.embedTokens([[72, 105]]);
 * const prompt = { embeds, batch: 1, length: 2, attentionMask: [[1, 1]] };
 * const generated: number[][] = [[]];
 * const loop = { maxNewTokens: 5, select: (logits: Float32Array) => argmax(logits) };
 * for await (const step of generateTokens(runtime, prompt, loop, generated)) {
 *   console.log(step.step, step.tokens); // the token picked for each running row
 * }
 * generated[0]; // all five ids
 * ```
 */
export async function* generateTokens(
  runtime: NanoVLMRuntime,
  prompt: DecoderPrompt,
  options: LoopOptions,
  generated: number[][] = Array.from({ length: prompt.batch }, () => []),
): AsyncGenerator<LoopStep> {
  const vocab = runtime.config.lm_vocab_size;
  const positions = prompt.positionIds ?? prompt.attentionMask.map((row) => row.map((_, i) => i));
  let rows = Array.from({ length: prompt.batch }, (_, i) => i);
  let masks = prompt.attentionMask.map((m) => [...m]);
  let nextPosition = positions.map((p) => p[p.length - 1] + 1);
  // The cache lives in buffers sized once for the whole generation (no allocation per step).
  checkDecoderMemory(runtime.config, {
    batch: prompt.batch,
    prompt: prompt.length,
    newTokens: options.maxNewTokens,
  });
  const arena = runtime.cacheArena(prompt.batch, prompt.length + options.maxNewTokens);
  let result = await runtime.decode({
    embeds: prompt.embeds,
    batch: prompt.batch,
    tokens: prompt.length,
    attentionMask: masks.flat(),
    positionIds: positions.flat(),
    arena,
  });
  for (let step = 0; step < options.maxNewTokens && rows.length > 0; step++) {
    const tokens = rows.map((row, i) => {
      const token = options.select(
        result.logits.subarray(i * vocab, (i + 1) * vocab),
        row,
        generated[row],
      );
      generated[row].push(token);
      return token;
    });
    yield { step, rows, logits: result.logits, tokens };
    if (step + 1 === options.maxNewTokens) break;
    const keep = rows.map((_, i) => i).filter((i) =>
      !options.isFinished?.(rows[i], generated[rows[i]])
    );
    if (keep.length === 0) break;
    let cache = result.cache;
    if (keep.length !== rows.length) {
      cache = cache.selectRows(keep);
      masks = keep.map((i) => masks[i]);
      nextPosition = keep.map((i) => nextPosition[i]);
    }
    rows = keep.map((i) => rows[i]);
    masks.forEach((m) => m.push(1));
    result = await runtime.decode({
      ids: rows.map((row) => [generated[row][generated[row].length - 1]]),
      batch: rows.length,
      tokens: 1,
      attentionMask: masks.flat(),
      positionIds: nextPosition,
      cache,
      arena,
    });
    nextPosition = nextPosition.map((p) => p + 1);
  }
}

/**
 * Greedy decoding (argmax, first max on ties) of `steps` tokens for every row, recording the
 * logits each token was picked from: the deterministic path parity and drift checks compare.
 *
 * @example
 * ```ts
 * const { ids, stepLogits } = await greedyDecode(runtime, prompt, 12); // stepLogits [12, batch, vocab]
 * ```
 */
export async function greedyDecode(
  runtime: NanoVLMRuntime,
  prompt: DecoderPrompt,
  steps: number,
): Promise<{ ids: number[][]; stepLogits: Float32Array }> {
  const vocab = runtime.config.lm_vocab_size;
  const stepLogits = new Float32Array(steps * prompt.batch * vocab);
  const ids: number[][] = Array.from({ length: prompt.batch }, () => []);
  for await (
    const step of generateTokens(runtime, prompt, {
      maxNewTokens: steps,
      select: (l) => argmax(l),
    }, ids)
  ) {
    step.rows.forEach((row, i) => {
      stepLogits.set(
        step.logits.subarray(i * vocab, (i + 1) * vocab),
        (step.step * prompt.batch + row) * vocab,
      );
    });
  }
  return { ids, stepLogits };
}
