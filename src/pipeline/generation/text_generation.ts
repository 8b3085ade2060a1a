/**
 * Text generation on a prepared batch: sampling or greedy through the KV-cached loop, or beam
 * search; EOS, stop strings and token limits; decoding to text; streaming as an async iterator.
 *
 * @module
 */
import { InputError } from "../../errors.ts";
import type { NanoVLMRuntime } from "../../runtime/mod.ts";
import { beamSearch } from "./beam.ts";
import { generateTokens } from "./generate.ts";
import type { PreparedBatch } from "../prepare.ts";
import { TokenSelector } from "./sampling.ts";
import { NANOVLM_SAMPLING, type SamplingOptions } from "./sampling_options.ts";
import type { Generation } from "../../checkpoint/mod.ts";
import {
  findStopString,
  type ResolvedStoppingOptions,
  resolveStoppingOptions,
  type StoppingOptions,
  type StopReason,
  stopReason,
  streamableLength,
  suppressedIds,
} from "./stopping.ts";
import type { NanoTokenizer } from "../text/mod.ts";

/** Everything that shapes generation. */
export interface GenerationOptions extends SamplingOptions, StoppingOptions {
  /**
   * Beam search with this many beams when > 1 (default 1: sampling or greedy). Beam search uses
   * the token limits, EOS and the beam options; sampling options, min_new_tokens and stop strings
   * are errors with it.
   */
  numBeams?: number;
  /** Beam search length normalisation exponent (default 1). */
  lengthPenalty?: number;
  /** Beam search stopping rule (default false; see `BeamOptions.earlyStopping`). */
  earlyStopping?: boolean | "never";
  /** Beam search: sequences returned per prompt (default 1). */
  numReturnSequences?: number;
  /**
   * Sample as the original `generate()` of the model's generation does (spec §8): v0.1 plain
   * multinomial at temperature 1; v0.2 and current top-k 50, top-p 0.9, temperature 0.5 in
   * nanoVLM's filter order. Options given explicitly override these.
   */
  originalSampling?: boolean;
}

/** One generated sequence. */
export interface GeneratedSequence {
  /** Decoded text (special tokens skipped, cut before a stop string). */
  text: string;
  /** Generated ids (EOS included when it ended the sequence). */
  tokens: number[];
  /** Why generation stopped. */
  stopReason: StopReason;
  /** Beam search: the length-normalised log-probability. */
  score?: number;
}

/** The result for one prompt: the best sequence, plus all returned sequences (beam search). */
export interface GenerationResult extends GeneratedSequence {
  /** Every returned sequence, best first (one unless beam search returns more). */
  sequences: GeneratedSequence[];
}

function finish(
  tokenizer: NanoTokenizer,
  tokens: number[],
  stopping: ResolvedStoppingOptions,
  eos: number[],
): GeneratedSequence {
  let text = tokenizer.decode(tokens);
  const stop = findStopString(text, stopping.stopStrings);
  if (stop) text = text.slice(0, stop.index);
  const reason = stopReason({ ids: tokens, text: stop ? text + stop.stop : text }, stopping, eos) ??
    "length";
  return { text, tokens, stopReason: reason };
}

/** The options with the original sampling of `generation` filled in under them, when asked for. */
export function withOriginalSampling(
  options: GenerationOptions,
  generation: Generation,
): GenerationOptions {
  if (!options.originalSampling) return options;
  const explicit = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...NANOVLM_SAMPLING[generation], ...explicit };
}

/** Options beam search does not apply; giving one with `numBeams > 1` is an error, not ignored. */
const NOT_FOR_BEAMS = [
  ["doSample", "do_sample"],
  ["temperature", "temperature"],
  ["topK", "top_k"],
  ["topP", "top_p"],
  ["repetitionPenalty", "repetition_penalty"],
  ["minNewTokens", "min_new_tokens"],
  ["stopStrings", "stop strings"],
] as const;

/**
 * Checks the options that decide between the sampling loop and beam search; returns the number
 * of beams. Sampling values themselves are checked by the token selector, limits by the stopping
 * options.
 */
export function checkGenerationOptions(options: GenerationOptions): number {
  const numBeams = options.numBeams ?? 1;
  if (!Number.isInteger(numBeams) || numBeams < 1) {
    throw new InputError(
      `num_beams must be an integer >= 1, got ${numBeams}`,
      "use e.g. --num-beams 4",
    );
  }
  if (
    numBeams === 1 && options.numReturnSequences !== undefined && options.numReturnSequences !== 1
  ) {
    throw new InputError(
      "num_return_sequences > 1 needs beam search",
      "also pass num_beams >= num_return_sequences",
    );
  }
  if (numBeams > 1) {
    for (const [key, name] of NOT_FOR_BEAMS) {
      const value = options[key];
      const unset = value === undefined || value === false ||
        (Array.isArray(value) && value.length === 0) ||
        (key === "repetitionPenalty" && value === 1) || (key === "minNewTokens" && value === 0);
      if (!unset) {
        throw new InputError(
          `beam search does not apply ${name}`,
          `leave out ${name}, or num_beams for sampling`,
        );
      }
    }
  }
  return numBeams;
}

/** Generates for every row of a prepared batch. */
export async function generateText(
  runtime: NanoVLMRuntime,
  tokenizer: NanoTokenizer,
  prepared: PreparedBatch,
  options: GenerationOptions = {},
): Promise<GenerationResult[]> {
  options = withOriginalSampling(options, runtime.config.generation);
  const stopping = resolveStoppingOptions(options, runtime.config.generation);
  const eos = [tokenizer.eosTokenId];
  if (checkGenerationOptions(options) > 1) {
    return await beamRows(runtime, tokenizer, prepared, options, stopping, eos);
  }
  const generated: number[][] = [];
  for await (
    const _ of tokenStream(runtime, tokenizer, prepared, options, stopping, eos, generated)
  ) {
    // run to the end
  }
  return generated.map((tokens) => {
    const sequence = finish(tokenizer, tokens, stopping, eos);
    return { ...sequence, sequences: [sequence] };
  });
}

/** The token loop with the selector, EOS suppression (min tokens) and stop rules wired in. */
function tokenStream(
  runtime: NanoVLMRuntime,
  tokenizer: NanoTokenizer,
  prepared: PreparedBatch,
  options: GenerationOptions,
  stopping: ResolvedStoppingOptions,
  eos: number[],
  generated: number[][],
) {
  const selector = new TokenSelector(options);
  const promptIds = prepared.batch.inputIds.map((row, r) =>
    row.filter((_, i) => prepared.batch.attentionMask[r][i] === 1)
  );
  for (let r = 0; r < prepared.prompt.batch; r++) generated.push([]);
  return generateTokens(runtime, prepared.prompt, {
    maxNewTokens: stopping.maxNewTokens,
    // Ids past the tokenizer's vocabulary (padding rows of the embedding) are never generated.
    select: (logits, row, tokens) =>
      selector.select(
        logits.length > tokenizer.size ? logits.subarray(0, tokenizer.size) : logits,
        {
          previousIds: selector.options.repetitionPenalty === 1
            ? undefined
            : [...promptIds[row], ...tokens],
          suppressIds: suppressedIds(tokens.length, stopping, eos),
        },
      ),
    isFinished: (_, tokens) => {
      const text = stopping.stopStrings.length ? tokenizer.decode(tokens) : undefined;
      return stopReason({ ids: tokens, text }, stopping, eos) !== undefined;
    },
  }, generated);
}

async function beamRows(
  runtime: NanoVLMRuntime,
  tokenizer: NanoTokenizer,
  prepared: PreparedBatch,
  options: GenerationOptions,
  stopping: ResolvedStoppingOptions,
  eos: number[],
): Promise<GenerationResult[]> {
  const { prompt } = prepared;
  const dim = runtime.config.lm_hidden_dim;
  const results: GenerationResult[] = [];
  for (let r = 0; r < prompt.batch; r++) {
    // One prompt at a time, without its padding.
    const pads = prompt.attentionMask[r].indexOf(1);
    const row = {
      embeds: prompt.embeds.subarray(
        (r * prompt.length + pads) * dim,
        (r + 1) * prompt.length * dim,
      ),
      batch: 1,
      length: prompt.length - pads,
      attentionMask: [prompt.attentionMask[r].slice(pads)],
      positionIds: [(prompt.positionIds?.[r] ?? [...Array(prompt.length).keys()]).slice(pads)],
    };
    const hypotheses = await beamSearch(runtime, row, {
      numBeams: options.numBeams!,
      maxNewTokens: stopping.maxNewTokens,
      lengthPenalty: options.lengthPenalty,
      earlyStopping: options.earlyStopping,
      numReturnSequences: options.numReturnSequences,
      eosTokenIds: eos,
      vocabLimit: tokenizer.size,
    });
    const sequences = hypotheses.map((h) => ({
      ...finish(tokenizer, h.tokens, stopping, eos),
      score: h.score,
    }));
    results.push({ ...sequences[0], sequences });
  }
  return results;
}

/** Streams the text of a one-prompt batch as it is generated (stop strings held back until safe). */
export async function* streamText(
  runtime: NanoVLMRuntime,
  tokenizer: NanoTokenizer,
  prepared: PreparedBatch,
  options: GenerationOptions = {},
): AsyncGenerator<string, GenerationResult> {
  options = withOriginalSampling(options, runtime.config.generation);
  if (prepared.prompt.batch !== 1) {
    throw new InputError("streaming takes one prompt", "stream prompts one at a time");
  }
  if (checkGenerationOptions(options) > 1) {
    throw new InputError("beam search cannot stream", "leave out num_beams to stream");
  }
  const stopping = resolveStoppingOptions(options, runtime.config.generation);
  const eos = [tokenizer.eosTokenId];
  const generated: number[][] = [];
  let emitted = 0;
  for await (
    const _ of tokenStream(runtime, tokenizer, prepared, options, stopping, eos, generated)
  ) {
    let text = tokenizer.decode(generated[0]);
    const stop = findStopString(text, stopping.stopStrings);
    if (stop) text = text.slice(0, stop.index);
    const safe = stop ? text.length : streamableLength(text, stopping.stopStrings);
    if (safe > emitted) {
      yield text.slice(emitted, safe);
      emitted = safe;
    }
  }
  const result = finish(tokenizer, generated[0], stopping, eos);
  if (result.text.length > emitted) yield result.text.slice(emitted);
  return { ...result, sequences: [result] };
}
