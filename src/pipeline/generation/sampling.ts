/**
 * Pure next-token selection on one row of logits: greedy, and sampling with temperature, top-k
 * and top-p in the Hugging Face or the original nanoVLM order (see {@link SamplingOrder}), with a
 * repetition penalty and token suppression applied first (HF logits-processor semantics).
 *
 * Ties are broken deterministically: argmax takes the first maximum, and sorted candidates put
 * the lower id first among equal logits.
 *
 * @module
 */
import { EngineError } from "../../errors.ts";
import { Prng } from "./prng.ts";
import {
  type ResolvedSamplingOptions,
  resolveSamplingOptions,
  type SamplingOptions,
  type SamplingOrder,
} from "./sampling_options.ts";

/** A sampling distribution over the surviving tokens, most likely first. */
export interface TokenDistribution {
  /** Token ids: most likely first (lower id first on ties) when top-p is on, else by id. */
  ids: number[];
  /** Their probabilities (summing to 1). */
  probs: number[];
}

/** The filters of {@link samplingDistribution}. */
export interface FilterOptions {
  /** Softmax temperature (> 0). */
  temperature: number;
  /** Top-k (0 = off). */
  topK: number;
  /** Top-p (1 = off). */
  topP: number;
  /** Filter order. */
  order: SamplingOrder;
}

function nanError(index: number): EngineError {
  return new EngineError(
    `the logits hold NaN at token ${index}`,
    "the model produced invalid numbers: check the checkpoint and the precision (try fp32)",
  );
}

/** The index of the largest logit (the first one on ties). NaN is an {@link EngineError}. */
export function argmax(logits: ArrayLike<number>): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (v > bestValue) {
      best = i;
      bestValue = v;
    } else if (Number.isNaN(v)) throw nanError(i);
  }
  if (best < 0) {
    throw new EngineError(
      "no token can be chosen: every logit is -Infinity",
      "do not suppress every token (e.g. min_new_tokens with a one-token vocabulary)",
    );
  }
  return best;
}

/**
 * Applies the Hugging Face repetition penalty in place: each distinct id of `previousIds` has its
 * logit divided by `penalty` when positive, multiplied when negative.
 */
export function applyRepetitionPenalty(
  logits: Float32Array,
  previousIds: Iterable<number>,
  penalty: number,
): void {
  if (penalty === 1) return;
  for (const id of new Set(previousIds)) {
    if (id < 0 || id >= logits.length) continue;
    const v = logits[id];
    logits[id] = v < 0 ? v * penalty : v / penalty;
  }
}

/** Candidate ids for top-k (ties with the k-th value stay), or all finite ones when k is off. */
function topKCandidates(logits: Float32Array, k: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    if (Number.isNaN(logits[i])) throw nanError(i);
    if (logits[i] !== -Infinity) ids.push(i);
  }
  if (k <= 0 || k >= ids.length) return ids;
  // The k-th largest value via a size-k min-heap (O(V log k): the vocabulary can be 49k wide).
  const heap: number[] = [];
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && heap[l] < heap[m]) m = l;
      if (r < heap.length && heap[r] < heap[m]) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (const id of ids) {
    const v = logits[id];
    if (heap.length < k) {
      heap.push(v);
      for (let i = heap.length - 1; i > 0 && heap[(i - 1) >> 1] > heap[i];) {
        const p = (i - 1) >> 1;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    } else if (v > heap[0]) {
      heap[0] = v;
      down(0);
    }
  }
  const kth = heap[0];
  return ids.filter((id) => logits[id] >= kth);
}

/** softmax(logits[ids] / temperature) in float64. */
function softmaxOf(logits: Float32Array, ids: readonly number[], temperature: number): number[] {
  let max = -Infinity;
  for (const id of ids) max = Math.max(max, logits[id] / temperature);
  const probs = new Array<number>(ids.length);
  let sum = 0;
  for (let i = 0; i < ids.length; i++) {
    probs[i] = Math.exp(logits[ids[i]] / temperature - max);
    sum += probs[i];
  }
  for (let i = 0; i < ids.length; i++) probs[i] /= sum;
  return probs;
}

/** A max-heap of token ids ordered by logit (lower id first on ties), popped lazily. */
class LogitHeap {
  readonly #ids: Int32Array;
  #size: number;
  readonly #logits: Float32Array;

  constructor(logits: Float32Array, ids: readonly number[]) {
    this.#logits = logits;
    this.#ids = Int32Array.from(ids);
    this.#size = ids.length;
    for (let i = (this.#size >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  get size(): number {
    return this.#size;
  }

  #before(a: number, b: number): boolean {
    const la = this.#logits[a], lb = this.#logits[b];
    return la > lb || (la === lb && a < b);
  }

  #down(i: number): void {
    const ids = this.#ids;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < this.#size && this.#before(ids[l], ids[m])) m = l;
      if (r < this.#size && this.#before(ids[r], ids[m])) m = r;
      if (m === i) return;
      [ids[i], ids[m]] = [ids[m], ids[i]];
      i = m;
    }
  }

  pop(): number {
    const top = this.#ids[0];
    this.#ids[0] = this.#ids[--this.#size];
    this.#down(0);
    return top;
  }
}

/**
 * The top-p nucleus of the candidates, most likely first. The candidates are popped from a heap in
 * descending order until the mass is reached, so a peaked distribution costs O(V), not a sort.
 * HF keeps a token while the mass of the tokens before it is below `topP` (its ascending
 * cumulative mass exceeds `1 - topP`), on the distribution at the sampling temperature; nanoVLM
 * keeps it while the mass including it stays <= `topP`, at temperature 1. Both keep the first.
 */
function nucleus(logits: Float32Array, ids: readonly number[], options: FilterOptions): number[] {
  const t = options.order === "hf" ? options.temperature : 1;
  let max = -Infinity;
  for (const id of ids) max = Math.max(max, logits[id] / t);
  let z = 0;
  for (const id of ids) z += Math.exp(logits[id] / t - max);
  const heap = new LogitHeap(logits, ids);
  const kept: number[] = [];
  let cum = 0;
  while (heap.size > 0) {
    const id = heap.pop();
    const p = Math.exp(logits[id] / t - max) / z;
    if (
      kept.length > 0 && (options.order === "hf" ? cum >= options.topP : cum + p > options.topP)
    ) {
      break;
    }
    kept.push(id);
    cum += p;
  }
  return kept;
}

/**
 * The distribution sampling draws from after temperature, top-k and top-p, in the given order.
 * The surviving ids are listed most likely first when top-p is on, else in vocabulary order.
 *
 * @example
 * ```ts
 * const logits = Float32Array.from([Math.log(0.5), Math.log(0.25), Math.log(0.15), Math.log(0.1)]);
 * samplingDistribution(logits, { temperature: 1, topK: 0, topP: 0.7, order: "hf" });
 * // { ids: [0, 1], probs: [0.666..., 0.333...] }
 * ```
 */
export function samplingDistribution(
  logits: Float32Array,
  options: FilterOptions,
): TokenDistribution {
  if (!(options.temperature > 0)) {
    throw new EngineError(
      "samplingDistribution needs a temperature > 0",
      "use argmax for temperature 0",
    );
  }
  const candidates = topKCandidates(logits, options.topK);
  if (candidates.length === 0) argmax(logits); // throws the "every logit is -Infinity" error
  const ids = options.topP < 1 ? nucleus(logits, candidates, options) : candidates;
  return { ids, probs: softmaxOf(logits, ids, options.temperature) };
}

/** Draws an id from a distribution with a uniform number `u` in [0, 1). */
export function drawFrom(distribution: TokenDistribution, u: number): number {
  let cum = 0;
  for (let i = 0; i < distribution.ids.length; i++) {
    cum += distribution.probs[i];
    if (u < cum) return distribution.ids[i];
  }
  return distribution.ids[distribution.ids.length - 1]; // u within rounding of 1
}

/** Per-step inputs of {@link TokenSelector.select}. */
export interface SelectContext {
  /** Ids the repetition penalty looks at (HF: the prompt and everything generated so far). */
  previousIds?: Iterable<number>;
  /** Ids that must not be chosen this step (e.g. eos before `minNewTokens`). */
  suppressIds?: Iterable<number>;
}

/**
 * Chooses next tokens with fixed options and its own seeded random generator.
 *
 * @example
 * ```ts
 * const selector = new TokenSelector({ doSample: true, topP: 0.9, temperature: 0.7, seed: 1 });
 * const next = selector.select(logits, { previousIds: ids });
 * ```
 */
export class TokenSelector {
  /** The resolved options. */
  readonly options: ResolvedSamplingOptions;
  readonly #rng: Prng;

  /** Validates the options (an invalid one is an InputError) and seeds the generator. */
  constructor(options: SamplingOptions = {}) {
    this.options = resolveSamplingOptions(options);
    this.#rng = new Prng(this.options.seed);
  }

  /** Whether selection is deterministic (greedy). */
  get greedy(): boolean {
    return !this.options.doSample || this.options.temperature === 0;
  }

  /** Chooses the next token from one row of logits (not modified). */
  select(logits: Float32Array, context: SelectContext = {}): number {
    const { repetitionPenalty } = this.options;
    const suppress = context.suppressIds ? [...context.suppressIds] : [];
    let scores = logits;
    if ((repetitionPenalty !== 1 && context.previousIds) || suppress.length > 0) {
      scores = logits.slice();
      if (context.previousIds) {
        applyRepetitionPenalty(scores, context.previousIds, repetitionPenalty);
      }
      for (const id of suppress) if (id >= 0 && id < scores.length) scores[id] = -Infinity;
    }
    if (this.greedy) return argmax(scores);
    return drawFrom(samplingDistribution(scores, this.options), this.#rng.nextFloat());
  }
}
