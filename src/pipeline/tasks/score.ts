/**
 * The `score` task: how well a text describes an image, as the log-likelihood of the text as the
 * answer to the caption prompt (sum and mean over its tokens).
 *
 * Language-prior correction (optional): a caption can be likely simply because it is fluent or
 * short, whatever the image. With `priorCorrection`, the same continuation is also scored after
 * the same prompt with a neutral image — a uniform mid-grey image of the model's input size
 * ({@link neutralImage}) — and that prior is subtracted: `corrected = score(image) - score(grey)`,
 * for the sum and the mean alike. Positive values mean the image makes the text more likely than
 * an image without content does (a pointwise-mutual-information style score).
 *
 * @module
 */
import type { NanoVLM } from "../nanovlm.ts";
import { captionRequest, type TaskPromptOptions } from "./caption.ts";
import { neutralImage, type TaskImages } from "./images.ts";
import {
  continuationLogLikelihoods,
  type ContinuationScore,
  type LogLikelihoodOptions,
} from "./loglik.ts";

/** A sum and a mean log-likelihood. */
export interface LogLikelihood {
  /** Sum over the text's tokens. */
  sum: number;
  /** Mean over the text's tokens. */
  mean: number;
}

/** The score of one image-text pair. */
export interface TextScore extends ContinuationScore {
  /** With `priorCorrection`: the text's log-likelihood given the neutral image. */
  prior?: LogLikelihood;
  /** With `priorCorrection`: this score minus {@link prior}. */
  corrected?: LogLikelihood;
}

/** Options of {@link score}, {@link scorePairs} and `retrieve`. */
export interface ScoreOptions extends TaskPromptOptions, LogLikelihoodOptions {
  /** Subtract the log-likelihood given a neutral grey image (see the module doc). */
  priorCorrection?: boolean;
}

/** One image-text pair. */
export interface ScorePair {
  /** The image(s). */
  images: TaskImages;
  /** The text to score as their caption. */
  text: string;
}

/**
 * Scores image-text pairs (batched); with `priorCorrection`, each distinct text's prior is
 * computed once.
 */
export async function scorePairs(
  model: NanoVLM,
  pairs: readonly ScorePair[],
  options: ScoreOptions = {},
): Promise<TextScore[]> {
  const { prompt, assistantPrefix, priorCorrection, ...loglik } = options;
  const query = (images: TaskImages, text: string) => ({
    request: captionRequest(model, images, { prompt, assistantPrefix }),
    continuation: text,
  });
  const scores = await continuationLogLikelihoods(
    model,
    pairs.map((pair) => query(pair.images, pair.text)),
    loglik,
  );
  if (!priorCorrection) return scores;
  const grey = await neutralImage(model.config);
  const texts = [...new Set(pairs.map((pair) => pair.text))];
  const priors = await continuationLogLikelihoods(
    model,
    texts.map((text) => query(grey, text)),
    loglik,
  );
  const priorOf = new Map(texts.map((text, i) => [text, priors[i]]));
  return scores.map((s, i) => {
    const { sum, mean } = priorOf.get(pairs[i].text)!;
    return { ...s, prior: { sum, mean }, corrected: { sum: s.sum - sum, mean: s.mean - mean } };
  });
}

/**
 * The caption log-likelihood of `text` for an image (sum and mean; optionally prior-corrected).
 *
 * @example
 * ```ts
 * const { sum, mean, corrected } = await score(model, "cat.jpg", "a cat on a sofa", {
 *   priorCorrection: true,
 * });
 * ```
 */
export async function score(
  model: NanoVLM,
  images: TaskImages,
  text: string,
  options: ScoreOptions = {},
): Promise<TextScore> {
  const [result] = await scorePairs(model, [{ images, text }], options);
  return result;
}
