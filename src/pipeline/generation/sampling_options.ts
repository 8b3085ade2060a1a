/**
 * Next-token selection options, their validation, and the original nanoVLM's defaults.
 *
 * @module
 */
import type { Generation } from "../../checkpoint/mod.ts";
import { InputError } from "../../errors.ts";

/**
 * The order of the sampling filters:
 * - `hf` (default): Hugging Face `generate`: logits / temperature, then top-k, then top-p on the
 *   scaled distribution, keeping the token that crosses the top-p threshold;
 * - `nanovlm`: the original `top_k_top_p_filtering` (spec §8.2): top-k, then top-p on the
 *   *unscaled* logits dropping the crossing token (the most likely token always stays), then
 *   temperature.
 */
export type SamplingOrder = "hf" | "nanovlm";

/** How the next token is chosen. Every field is optional. */
export interface SamplingOptions {
  /** Sample from the distribution (true) or take the most likely token (false, the default). */
  doSample?: boolean;
  /** Softmax temperature, >= 0; 0 means greedy even when sampling. Default 1. */
  temperature?: number;
  /** Keep the k most likely tokens (ties with the k-th stay); 0 turns it off (default). */
  topK?: number;
  /** Keep the most likely tokens up to this probability mass, in (0, 1]; 1 (default) is off. */
  topP?: number;
  /** Filter order; see {@link SamplingOrder}. Default `hf`. */
  order?: SamplingOrder;
  /** Hugging Face repetition penalty (> 0; 1, the default, is off). */
  repetitionPenalty?: number;
  /** Seed of the random generator; default a random seed. */
  seed?: number;
}

/** Sampling options with every field resolved and checked. */
export type ResolvedSamplingOptions = Required<SamplingOptions>;

/**
 * The original code's sampling per generation (spec §8): v0.1 samples from the plain softmax at
 * temperature 1; v0.2 and current default to top-k 50, top-p 0.9, temperature 0.5 in the
 * nanoVLM filter order.
 */
export const NANOVLM_SAMPLING: Readonly<Record<Generation, Omit<SamplingOptions, "seed">>> = {
  "v0.1": { doSample: true, temperature: 1, topK: 0, topP: 1, order: "nanovlm" },
  "v0.2": { doSample: true, temperature: 0.5, topK: 50, topP: 0.9, order: "nanovlm" },
  "current": { doSample: true, temperature: 0.5, topK: 50, topP: 0.9, order: "nanovlm" },
};

function bad(name: string, value: unknown, rule: string): InputError {
  return new InputError(`${name} must be ${rule}, got ${value}`, `pass a ${name} that is ${rule}`);
}

/** Checks sampling options and fills in defaults; an invalid value is an {@link InputError}. */
export function resolveSamplingOptions(options: SamplingOptions = {}): ResolvedSamplingOptions {
  const {
    doSample = false,
    temperature = 1,
    topK = 0,
    topP = 1,
    order = "hf",
    repetitionPenalty = 1,
    seed = Math.floor(Math.random() * 2 ** 32),
  } = options;
  if (!Number.isFinite(temperature) || temperature < 0) {
    throw bad("temperature", temperature, "a number >= 0");
  }
  if (!Number.isSafeInteger(topK) || topK < 0) throw bad("top_k", topK, "an integer >= 0");
  if (!(topP > 0 && topP <= 1)) throw bad("top_p", topP, "in (0, 1]");
  if (order !== "hf" && order !== "nanovlm") {
    throw bad("sampling order", order, '"hf" or "nanovlm"');
  }
  if (!Number.isFinite(repetitionPenalty) || repetitionPenalty <= 0) {
    throw bad("repetition_penalty", repetitionPenalty, "a number > 0");
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw bad("seed", seed, "an integer >= 0");
  return { doSample, temperature, topK, topP, order, repetitionPenalty, seed };
}
