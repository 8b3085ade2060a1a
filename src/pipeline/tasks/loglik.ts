/**
 * Log-likelihood of continuations: how likely the model finds a given answer text after a prompt.
 * The shared engine of `choose` (by log-likelihood), `score` and `retrieve`.
 *
 * Each prompt+continuation pair is one row of a left-padded batch; one decoder forward per batch
 * returns the logits at the positions before each continuation token (the logits at position `p`
 * predict the token at `p + 1`), and each token's log-probability is its log-softmax entry.
 *
 * Conventions:
 * - Continuation text: the prompts of v0.1/v0.2 end with `Answer:`, so the continuation is
 *   tokenized as `" " + text`; chat prompts (current generation) end with
 *   `<|im_start|>assistant\n`, so it is the text itself — unless an `assistantPrefix` that does not
 *   end in whitespace (e.g. `"Answer:"`) is given, which again takes a space. The continuation is
 *   tokenized on its own (no special tokens) and appended to the prompt's ids.
 * - Positions are mask-aware (each row counts its real tokens from 0), so a pair's score does not
 *   depend on the other pairs of its batch; without padding this equals the original's positions.
 *
 * @module
 */
import type { Generation } from "../../checkpoint/mod.ts";
import { InputError } from "../../errors.ts";
import type { NanoVLM } from "../nanovlm.ts";
import type { PrepareOptions, Request } from "../prepare.ts";
import type { NanoTokenizer } from "../text/mod.ts";

/** A prompt and the continuation text whose log-likelihood is wanted. */
export interface LogLikelihoodQuery {
  /** The prompt: images, text and (current generation) assistant prefix. */
  request: Omit<Request, "continuation">;
  /** The continuation text (the separator convention is in the module doc). */
  continuation: string;
}

/** The log-likelihood of one continuation. */
export interface ContinuationScore {
  /** The continuation's token ids. */
  tokens: number[];
  /** Natural-log probability of each token given the prompt and the tokens before it. */
  logProbs: number[];
  /** Sum of {@link logProbs}: the log-probability of the whole continuation. */
  sum: number;
  /** Mean of {@link logProbs} (length-normalised). */
  mean: number;
}

/** Options of {@link continuationLogLikelihoods}. */
export interface LogLikelihoodOptions {
  /** Pairs per decoder forward (default 8). */
  batchSize?: number;
  /** Image decoding options. */
  prepare?: Pick<PrepareOptions, "image">;
}

/**
 * The text put between the prompt and a continuation: a space when the prompt ends in a
 * non-space character (v0.1/v0.2 `Answer:`, or a current prompt with such an assistant prefix).
 */
export function continuationSeparator(generation: Generation, assistantPrefix?: string): string {
  if (generation !== "current") return " ";
  return assistantPrefix && !/\s$/.test(assistantPrefix) ? " " : "";
}

/** Tokenizes a continuation for a prompt (separator added; no special tokens). */
export function continuationIds(
  tokenizer: NanoTokenizer,
  text: string,
  assistantPrefix?: string,
): number[] {
  if (text.trim() === "") {
    throw new InputError(
      "cannot score an empty continuation",
      "give a non-empty answer or caption text",
    );
  }
  const separator = continuationSeparator(tokenizer.generation, assistantPrefix);
  return tokenizer.encode(separator + text, { addSpecialTokens: false });
}

/** `log softmax(row)[token]`, computed in float64. */
export function logSoftmaxAt(row: ArrayLike<number>, token: number): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let total = 0;
  for (let i = 0; i < row.length; i++) total += Math.exp(row[i] - max);
  return row[token] - max - Math.log(total);
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new InputError(
      `batch size must be an integer >= 1, got ${batchSize}`,
      "pass e.g. batchSize 8",
    );
  }
}

/** Scores one batch of pairs with one decoder forward. */
async function scoreBatch(
  model: NanoVLM,
  requests: Request[],
  options: LogLikelihoodOptions,
): Promise<ContinuationScore[]> {
  const prepared = await model.prepare(requests, {
    ...options.prepare,
    paddingSide: "left",
    positions: "mask-aware",
  });
  const { prompt } = prepared;
  const lengths = requests.map((r) => r.continuation!.length);
  const longest = Math.max(...lengths);
  // Rows end together (left padding): the longest continuation starts at length - longest,
  // and its first token is predicted by the logits one position earlier.
  const first = prompt.length - longest - 1;
  const logitsIndex = Array.from({ length: longest }, (_, k) => first + k);
  const { logits } = await model.runtime.decode({
    embeds: prompt.embeds,
    batch: prompt.batch,
    tokens: prompt.length,
    attentionMask: prompt.attentionMask.flat(),
    positionIds: prompt.positionIds!.flat(),
    logitsIndex,
  });
  const vocab = model.config.lm_vocab_size;
  return requests.map((request, row) => {
    const tokens = [...request.continuation!];
    const logProbs = tokens.map((token, j) => {
      const k = longest - tokens.length + j;
      const offset = (row * longest + k) * vocab;
      return logSoftmaxAt(logits.subarray(offset, offset + vocab), token);
    });
    const sum = logProbs.reduce((a, b) => a + b, 0);
    return { tokens, logProbs, sum, mean: sum / tokens.length };
  });
}

/**
 * The log-likelihood of each continuation given its prompt, in batches of left-padded rows.
 *
 * @example
 * ```ts
 * const [yes, no] = await continuationLogLikelihoods(model, [
 *   { request: { images: ["cat.jpg"], text: "Is this a cat?" }, continuation: "Yes" },
 *   { request: { images: ["cat.jpg"], text: "Is this a cat?" }, continuation: "No" },
 * ]);
 * console.log(yes.sum > no.sum);
 * ```
 */
export async function continuationLogLikelihoods(
  model: NanoVLM,
  queries: readonly LogLikelihoodQuery[],
  options: LogLikelihoodOptions = {},
): Promise<ContinuationScore[]> {
  const batchSize = options.batchSize ?? 8;
  checkBatchSize(batchSize);
  const requests: Request[] = queries.map(({ request, continuation }) => ({
    ...request,
    continuation: continuationIds(model.tokenizer, continuation, request.assistantPrefix),
  }));
  const scores: ContinuationScore[] = [];
  for (let start = 0; start < requests.length; start += batchSize) {
    scores.push(...await scoreBatch(model, requests.slice(start, start + batchSize), options));
  }
  return scores;
}
