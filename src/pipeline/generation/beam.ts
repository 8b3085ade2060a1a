/**
 * Beam search with Hugging Face semantics: per step, every running beam's log-probabilities plus
 * its score; the best `2 × numBeams` candidates are taken in order, candidates ending in EOS become
 * finished hypotheses (scored `sum log p / length^lengthPenalty`), the rest fill the next beams.
 * Stops when every running beam has `maxNewTokens` tokens or the stopping rule holds.
 *
 * @module
 */
import { InputError } from "../../errors.ts";
import type { NanoVLMRuntime } from "../../runtime/mod.ts";
import { checkDecoderMemory } from "../run_memory.ts";
import type { DecoderPrompt } from "./generate.ts";

/** Options of {@link beamSearch}. */
export interface BeamOptions {
  /** Beams kept per step (>= 1). */
  numBeams: number;
  /** New tokens at most. */
  maxNewTokens: number;
  /** Exponent of the length normalisation (default 1; > 0 favours longer sequences). */
  lengthPenalty?: number;
  /**
   * `true`: stop once `numBeams` hypotheses are finished; `false` (default): stop when no running
   * beam can beat the worst finished one; `"never"`: the exact upper-bound test.
   */
  earlyStopping?: boolean | "never";
  /** Sequences returned, best first (default 1, at most `numBeams`). */
  numReturnSequences?: number;
  /** Token ids that finish a hypothesis. */
  eosTokenIds?: number[];
  /** Only ids below this are candidates (the tokenizer's size; default: every logit). */
  vocabLimit?: number;
}

/** One returned sequence. */
export interface BeamHypothesis {
  /** Generated ids (EOS included when it ended the sequence). */
  tokens: number[];
  /** Sum of the tokens' log-probabilities. */
  logProb: number;
  /** Length-normalised score used for ranking. */
  score: number;
}

/** Checks beam options; bad values are {@link InputError}s. */
export function validateBeamOptions(options: BeamOptions): void {
  const { numBeams, maxNewTokens, numReturnSequences = 1 } = options;
  if (!Number.isInteger(numBeams) || numBeams < 1) {
    throw new InputError(
      `num_beams must be an integer >= 1, got ${numBeams}`,
      "use e.g. --num-beams 4",
    );
  }
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new InputError(
      `max_new_tokens must be an integer >= 1, got ${maxNewTokens}`,
      "use e.g. --max-new-tokens 20",
    );
  }
  if (
    !Number.isInteger(numReturnSequences) || numReturnSequences < 1 || numReturnSequences > numBeams
  ) {
    throw new InputError(
      `num_return_sequences must be between 1 and num_beams (${numBeams}), got ${numReturnSequences}`,
      "raise --num-beams or lower --num-return-sequences",
    );
  }
}

/** `log_softmax` of one row. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const logSum = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - logSum);
}

class Finished {
  readonly items: BeamHypothesis[] = [];
  constructor(readonly size: number, readonly lengthPenalty: number) {}

  add(tokens: number[], logProb: number): void {
    const score = logProb / tokens.length ** this.lengthPenalty;
    if (this.items.length < this.size || score > this.worst()) {
      this.items.push({ tokens, logProb, score });
      this.items.sort((a, b) => b.score - a.score);
      if (this.items.length > this.size) this.items.pop();
    }
  }

  worst(): number {
    return this.items.length ? this.items[this.items.length - 1].score : -Infinity;
  }

  /** Whether no running beam with best log-prob `bestLogProb` at `length` tokens can still enter. */
  done(bestLogProb: number, length: number, maxLength: number, early: boolean | "never"): boolean {
    if (this.items.length < this.size) return false;
    if (early === true) return true;
    // With a positive penalty, a longer future sequence scores higher: bound with the max length.
    const bestLength = early === "never" && this.lengthPenalty > 0 ? maxLength : length;
    return bestLogProb / bestLength ** this.lengthPenalty <= this.worst();
  }
}

/**
 * Runs beam search on a one-row prompt; returns the best `numReturnSequences` hypotheses.
 *
 * @example
 * ```ts
 * const embeds = await runtime.embedTokens([[72, 105]]);
 * const prompt = { embeds, batch: 1, length: 2, attentionMask: [[1, 1]] };
 * const [best] = await beamSearch(runtime, prompt, { numBeams: 3, maxNewTokens: 5 });
 * best.tokens; // the highest-scoring sequence
 * ```
 */
export async function beamSearch(
  runtime: NanoVLMRuntime,
  prompt: DecoderPrompt,
  options: BeamOptions,
): Promise<BeamHypothesis[]> {
  validateBeamOptions(options);
  if (prompt.batch !== 1) {
    throw new InputError("beam search takes one prompt at a time", "call it once per prompt");
  }
  const { numBeams, maxNewTokens } = options;
  const lengthPenalty = options.lengthPenalty ?? 1;
  const early = options.earlyStopping ?? false;
  const eos = new Set(options.eosTokenIds ?? []);
  const vocab = runtime.config.lm_vocab_size;
  const finished = new Finished(numBeams, lengthPenalty);
  checkDecoderMemory(runtime.config, {
    batch: numBeams,
    prompt: prompt.length,
    newTokens: maxNewTokens,
  });
  const mask = [...prompt.attentionMask[0]];
  let position = (prompt.positionIds?.[0] ?? mask.map((_, i) => i)).at(-1)! + 1;

  let step = await runtime.decode({
    embeds: prompt.embeds,
    batch: 1,
    tokens: prompt.length,
    attentionMask: mask,
    positionIds: prompt.positionIds?.[0] ?? mask.map((_, i) => i),
  });
  let beams: { tokens: number[]; logProb: number }[] = [{ tokens: [], logProb: 0 }];
  for (let length = 1; length <= maxNewTokens; length++) {
    const candidates: { beam: number; token: number; logProb: number }[] = [];
    beams.forEach((beam, b) => {
      const limit = Math.min(vocab, options.vocabLimit ?? vocab);
      const logProbs = logSoftmax(step.logits.subarray(b * vocab, b * vocab + limit));
      // Only the best 2 × numBeams tokens of each beam can be among the global best.
      for (const token of topIndices(logProbs, 2 * numBeams)) {
        candidates.push({ beam: b, token, logProb: beam.logProb + logProbs[token] });
      }
    });
    candidates.sort((a, b) => b.logProb - a.logProb || a.beam - b.beam || a.token - b.token);
    const next: { beam: number; token: number; logProb: number }[] = [];
    for (const [rank, c] of candidates.slice(0, 2 * numBeams).entries()) {
      if (eos.has(c.token)) {
        if (rank < numBeams) finished.add([...beams[c.beam].tokens, c.token], c.logProb);
      } else {
        next.push(c);
      }
      if (next.length === numBeams) break;
    }
    const ended = length === maxNewTokens;
    if (ended || next.length === 0 || finished.done(next[0].logProb, length, maxNewTokens, early)) {
      if (ended) {
        for (const c of next) finished.add([...beams[c.beam].tokens, c.token], c.logProb);
      }
      break;
    }
    beams = next.map((c) => ({ tokens: [...beams[c.beam].tokens, c.token], logProb: c.logProb }));
    const cache = step.cache.selectRows(next.map((c) => c.beam));
    mask.push(1);
    step = await runtime.decode({
      ids: beams.map((b) => [b.tokens[b.tokens.length - 1]]),
      batch: beams.length,
      tokens: 1,
      attentionMask: beams.flatMap(() => mask),
      positionIds: beams.map(() => position),
      cache,
    });
    position++;
  }
  return finished.items.slice(0, options.numReturnSequences ?? 1);
}

/** Indices of the `k` largest values, largest first (ties: lower index first). */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[b] - values[a] || a - b);
  return order.slice(0, k);
}
