/**
 * Image-text retrieval metrics from a score matrix `S[image][caption]` (higher = better match):
 * R@1/5/10 in both directions, median and mean rank, MRR (BLIP `itm_eval` / VSE++ definitions).
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";

/** How equal scores are ranked: `pessimistic` (default) puts every tied wrong item ahead. */
export type TieRule = "pessimistic" | "optimistic";

/** The metrics of one direction. Recalls are percentages (0-100); ranks are 1-based. */
export interface RetrievalMetrics {
  /** Percentage of queries whose best correct item ranks first. */
  "R@1": number;
  /** Percentage of queries with a correct item in the top 5. */
  "R@5": number;
  /** Percentage of queries with a correct item in the top 10. */
  "R@10": number;
  /** `floor(median(rank0)) + 1`, numpy's median (mean of the two middle values). */
  medianRank: number;
  /** `mean(rank0) + 1`. */
  meanRank: number;
  /** Mean reciprocal rank, `mean(1 / (rank0 + 1))`. */
  mrr: number;
  /** 1-based rank of the best correct item for each query, in query order. */
  ranks: number[];
}

/** Both directions: image → text (i2t) and text → image (t2i). */
export interface RetrievalEvaluation {
  /** Image → text: each image ranks all captions. */
  i2t: RetrievalMetrics;
  /** Text → image: each caption ranks all images. */
  t2i: RetrievalMetrics;
  /** Sum of the six recalls. */
  rsum: number;
}

/** The metrics of one direction from 0-based ranks. */
export function metricsFromRanks(ranks0: readonly number[]): RetrievalMetrics {
  const n = ranks0.length;
  const recall = (k: number) => (100 * ranks0.filter((r) => r < k).length) / n;
  const sorted = [...ranks0].sort((a, b) => a - b);
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return {
    "R@1": recall(1),
    "R@5": recall(5),
    "R@10": recall(10),
    medianRank: Math.floor(median) + 1,
    meanRank: ranks0.reduce((a, b) => a + b, 0) / n + 1,
    mrr: ranks0.reduce((sum, r) => sum + 1 / (r + 1), 0) / n,
    ranks: ranks0.map((r) => r + 1),
  };
}

/** 0-based rank of the best correct entry of `row` (`correct[j]` marks the correct entries). */
function bestRank(row: readonly number[], correct: (j: number) => boolean, ties: TieRule): number {
  let best = -Infinity;
  row.forEach((score, j) => {
    if (correct(j) && score > best) best = score;
  });
  let rank = 0;
  row.forEach((score, j) => {
    if (!correct(j) && (score > best || (ties === "pessimistic" && score === best))) rank++;
  });
  return rank;
}

/**
 * Retrieval metrics of a score matrix. `captionToImage[j]` is the image of caption j (every
 * image needs at least one caption). i2t ranks all captions for each image and takes the best
 * of its captions; t2i ranks all images for each caption.
 *
 * @example
 * ```ts
 * const S = [[0.9, 0.1], [0.2, 0.8]];
 * scoreRetrieval(S, [0, 1]).i2t["R@1"] // 100
 * ```
 */
export function scoreRetrieval(
  scores: readonly (readonly number[])[],
  captionToImage: readonly number[],
  { ties = "pessimistic" }: { ties?: TieRule } = {},
): RetrievalEvaluation {
  const images = scores.length;
  const captions = captionToImage.length;
  if (images === 0 || captions === 0) {
    throw new InputError("the score matrix is empty", "give at least one image and one caption");
  }
  scores.forEach((row, i) => {
    if (row.length !== captions) {
      throw new InputError(
        `score matrix row ${i} has ${row.length} entries, expected ${captions} (one per caption)`,
        "give an images × captions matrix",
      );
    }
    row.forEach((value, j) => {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new InputError(
          `score [${i}][${j}] is ${value}, not a finite number`,
          "fix the scores",
        );
      }
    });
  });
  const captionCount = new Array(images).fill(0);
  captionToImage.forEach((image, j) => {
    if (!Number.isInteger(image) || image < 0 || image >= images) {
      throw new InputError(
        `caption ${j} belongs to image ${image}, outside 0..${images - 1}`,
        "check the caption-to-image mapping",
      );
    }
    captionCount[image]++;
  });
  const lonely = captionCount.findIndex((count) => count === 0);
  if (lonely !== -1) {
    throw new InputError(`image ${lonely} has no caption`, "every image needs a caption");
  }
  const i2t = scores.map((row, i) => bestRank(row, (j) => captionToImage[j] === i, ties));
  const t2i = captionToImage.map((image, j) =>
    bestRank(scores.map((row) => row[j]), (i) => i === image, ties)
  );
  const result = { i2t: metricsFromRanks(i2t), t2i: metricsFromRanks(t2i) };
  const rsum = [result.i2t, result.t2i].reduce(
    (sum, m) => sum + m["R@1"] + m["R@5"] + m["R@10"],
    0,
  );
  return { ...result, rsum };
}

/** Caption j belongs to image `floor(j / k)`: the COCO/Flickr layout with k captions per image. */
export function blockCaptionMapping(captions: number, captionsPerImage: number): number[] {
  return Array.from({ length: captions }, (_, j) => Math.floor(j / captionsPerImage));
}
