/**
 * The `retrieve` task: image-text retrieval with a generative model. Every image-text pair is
 * scored with the `score` task (caption log-likelihood, mean over tokens by default), giving a
 * score matrix `[images x texts]`; each image ranks the texts and each text ranks the images,
 * best first (ties keep the input order).
 *
 * @module
 */
import { topIndices } from "../generation/mod.ts";
import { InputError } from "../../errors.ts";
import type { ImageInput } from "../image/mod.ts";
import type { NanoVLM } from "../nanovlm.ts";
import type { LogLikelihoodNormalization } from "./choose.ts";
import { type ScoreOptions, scorePairs, type TextScore } from "./score.ts";

/** Options of {@link retrieve}. */
export interface RetrieveOptions extends ScoreOptions {
  /** Which log-likelihood fills the matrix: `mean` (default) or `sum`. With `priorCorrection`,
   * the corrected value. */
  by?: LogLikelihoodNormalization;
}

/** The outcome of {@link retrieve}. */
export interface RetrievalResult {
  /** `scores[i][j]`: how well text `j` describes image `i` (higher is better). */
  scores: number[][];
  /** `imageToText[i]`: text indices, best match for image `i` first. */
  imageToText: number[][];
  /** `textToImage[j]`: image indices, best match for text `j` first. */
  textToImage: number[][];
  /** The full score of every pair, `[images][texts]`. */
  details: TextScore[][];
}

/**
 * Indices of `values` from the largest to the smallest (a stable sort: equal values keep their
 * order).
 *
 * @example
 * ```ts
 * rankDescending([0.1, 0.7, 0.3]); // [1, 2, 0]
 * ```
 */
export function rankDescending(values: readonly number[]): number[] {
  return topIndices(values, values.length);
}

/**
 * Scores every image against every text and ranks both ways.
 *
 * @example
 * ```ts
 * const { scores, imageToText } = await retrieve(model, ["a.jpg", "b.jpg"], ["a dog", "a cat"]);
 * console.log(imageToText[0][0]); // the best text for a.jpg
 * ```
 */
export async function retrieve(
  model: NanoVLM,
  images: readonly ImageInput[],
  texts: readonly string[],
  options: RetrieveOptions = {},
): Promise<RetrievalResult> {
  if (images.length === 0 || texts.length === 0) {
    throw new InputError(
      `retrieval needs images and texts, got ${images.length} images and ${texts.length} texts`,
      "give at least one image and one text",
    );
  }
  const { by = "mean", ...scoreOptions } = options;
  if (by !== "mean" && by !== "sum") {
    throw new InputError(`unknown retrieval score "${by}"`, 'use "mean" or "sum"');
  }
  const pairs = images.flatMap((image) => texts.map((text) => ({ images: image, text })));
  const flat = await scorePairs(model, pairs, scoreOptions);
  const details = images.map((_, i) => flat.slice(i * texts.length, (i + 1) * texts.length));
  const scores = details.map((row) => row.map((s) => (s.corrected ?? s)[by]));
  return {
    scores,
    imageToText: scores.map((row) => rankDescending(row)),
    textToImage: texts.map((_, j) => rankDescending(scores.map((row) => row[j]))),
    details,
  };
}
