/**
 * Captioning metrics as pycocoevalcap's `COCOEvalCap` reports them: BLEU-1..4, CIDEr-D and
 * ROUGE-L per image and for the corpus, after PTB tokenization (TypeScript stand-in, see
 * `ptb_tokenizer.ts`) or on text that is already tokenized.
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import { bleu, bleuFromStats, sumBleuStats } from "./bleu.ts";
import { bootstrapInterval, type BootstrapOptions, type ConfidenceInterval } from "./bootstrap.ts";
import { cider } from "./cider_d.ts";
import { cocoTokenize } from "./ptb_tokenizer.ts";
import { rouge } from "./rouge_l.ts";

/** The six caption scores (BLEU/ROUGE-L on a 0-1 scale, CIDEr-D on pycocoevalcap's 0-10 scale). */
export interface CaptionScores {
  /** BLEU with 1-grams. */
  bleu1: number;
  /** BLEU with up to 2-grams. */
  bleu2: number;
  /** BLEU with up to 3-grams. */
  bleu3: number;
  /** BLEU with up to 4-grams. */
  bleu4: number;
  /** CIDEr-D (0-10). */
  ciderD: number;
  /** ROUGE-L F-measure (β = 1.2). */
  rougeL: number;
}

/** The metric names of {@link CaptionScores}, in report order. */
export const CAPTION_METRICS = ["bleu1", "bleu2", "bleu3", "bleu4", "ciderD", "rougeL"] as const;

/** One image to score: its id, the candidate caption and at least one reference. */
export interface CaptionItem {
  /** Image id (unique within a call). */
  id: string;
  /** The caption to score. */
  candidate: string;
  /** The human reference captions (at least one). */
  references: readonly string[];
}

/** How captions are tokenized before scoring. */
export type CaptionTokenization = "ptb" | "none";

/** Corpus and per-image caption scores. */
export interface CaptionEvaluation {
  /** Corpus-level scores, as `COCOEvalCap` reports them. */
  corpus: CaptionScores;
  /** Scores of each image, keyed by id, in input order. */
  perItem: Record<string, CaptionScores>;
  /** Intervals for the corpus figures (only when bootstrap options were given). */
  intervals?: Record<keyof CaptionScores, ConfidenceInterval>;
}

/** Options of {@link scoreCaptions}. */
export interface CaptionScoringOptions {
  /** `ptb` (default) tokenizes like pycocoevalcap; `none` scores the text as given (split on spaces). */
  tokenize?: CaptionTokenization;
  /** Add bootstrap confidence intervals for the corpus figures. */
  bootstrap?: BootstrapOptions;
}

/**
 * Scores candidate captions against references exactly as pycocoevalcap does (per image and
 * corpus). CIDEr-D's document frequencies come from the references of exactly these items:
 * score the full split. With `bootstrap`, images are resampled; BLEU is recomputed from the
 * resampled statistics, CIDEr-D and ROUGE-L are resampled as per-image means (document
 * frequencies fixed by the full set).
 *
 * @example
 * ```ts
 * const result = scoreCaptions([
 *   { id: "1", candidate: "A red circle.", references: ["a red circle", "one red circle"] },
 *   { id: "2", candidate: "A blue square.", references: ["a blue square"] },
 * ]);
 * result.corpus.ciderD; // CIDEr-D on the 0-10 scale
 * ```
 */
export function scoreCaptions(
  items: readonly CaptionItem[],
  { tokenize = "ptb", bootstrap }: CaptionScoringOptions = {},
): CaptionEvaluation {
  if (items.length === 0) throw new InputError("no captions to score", "give at least one image");
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) {
      throw new InputError(`image ${item.id} is scored twice`, "give one candidate per image");
    }
    seen.add(item.id);
    if (item.references.length === 0) {
      throw new InputError(`image ${item.id} has no reference captions`, "give at least one");
    }
  }
  const prepare = tokenize === "ptb" ? cocoTokenize : (text: string) => text;
  const candidates = items.map((item) => prepare(item.candidate));
  const references = items.map((item) => item.references.map(prepare));
  const bleuResult = bleu(candidates, references);
  const ciderResult = cider(candidates, references);
  const rougeResult = rouge(candidates, references);
  const scoresOf = (b: number[], c: number, r: number): CaptionScores => ({
    bleu1: b[0],
    bleu2: b[1],
    bleu3: b[2],
    bleu4: b[3],
    ciderD: c,
    rougeL: r,
  });
  const perItem: Record<string, CaptionScores> = {};
  items.forEach((item, i) => {
    perItem[item.id] = scoresOf(
      bleuResult.perItem[i],
      ciderResult.perItem[i],
      rougeResult.perItem[i],
    );
  });
  const evaluation: CaptionEvaluation = {
    corpus: scoresOf(bleuResult.corpus, ciderResult.corpus, rougeResult.corpus),
    perItem,
  };
  if (bootstrap) {
    const mean = (values: number[]) => (indices: number[]) =>
      indices.reduce((sum, i) => sum + values[i], 0) / indices.length;
    const bleuAt = (k: number) => (indices: number[]) =>
      bleuFromStats(sumBleuStats(indices.map((i) => bleuResult.stats[i])))[k];
    const statistics: Record<keyof CaptionScores, (indices: number[]) => number> = {
      bleu1: bleuAt(0),
      bleu2: bleuAt(1),
      bleu3: bleuAt(2),
      bleu4: bleuAt(3),
      ciderD: mean(ciderResult.perItem),
      rougeL: mean(rougeResult.perItem),
    };
    evaluation.intervals = Object.fromEntries(
      CAPTION_METRICS.map((
        name,
      ) => [name, bootstrapInterval(items.length, statistics[name], bootstrap)]),
    ) as Record<keyof CaptionScores, ConfidenceInterval>;
  }
  return evaluation;
}
