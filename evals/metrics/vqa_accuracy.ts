/**
 * VQA accuracy (VQA v2): each of the n human answers is left out in turn and the prediction
 * earns `min(1, matches among the other n-1 / 3)`; the question's accuracy is the mean over the
 * n subsets (10-choose-9 for VQA v2). Two behaviours, which differ only when all reference
 * answers are identical:
 *
 * - `official` (GT-Vision-Lab/VQA `vqaEval.py`, a013f00): answers are normalised only when the
 *   references are not all identical, so `Yes` scores 0 against ten `yes`.
 * - `lmms` (lmms-eval `vqav2` task, the DEFAULT here, what nanoVLM's reported numbers use):
 *   prediction and references are always normalised, so `Yes` scores 1.
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import { bootstrapMean, type BootstrapOptions, type ConfidenceInterval } from "./bootstrap.ts";
import { normalizeVqaAnswer, type VqaFlavour } from "./vqa_normalize.ts";

/** How all-identical reference answers are treated: `official` script or `lmms` (default). */
export type VqaIdenticalMode = VqaFlavour;

/** The default {@link VqaIdenticalMode}. */
export const DEFAULT_VQA_MODE: VqaIdenticalMode = "lmms";

/** Replaces newlines and tabs by spaces and strips, as both scripts do first. */
function clean(text: string): string {
  return text.replaceAll("\n", " ").replaceAll("\t", " ").trim();
}

/**
 * Accuracy (0-1) of one predicted answer against the human answers.
 *
 * Reference entries count separately even when their text repeats (the official answer dicts
 * differ by `answer_id`).
 *
 * @example
 * ```ts
 * vqaAccuracy("grey", ["gray", "gray", "gray", "gray", "gray", "gray", "gray", "grey", "grey", "grey"]) // 0.9
 * vqaAccuracy("Yes", Array(10).fill("yes"), "official") // 0
 * ```
 */
export function vqaAccuracy(
  prediction: string,
  answers: readonly string[],
  mode: VqaIdenticalMode = DEFAULT_VQA_MODE,
): number {
  if (answers.length === 0) {
    throw new InputError("a VQA question has no reference answers", "give at least one answer");
  }
  let predicted = clean(prediction);
  let references = answers.map(clean);
  if (mode === "lmms" || new Set(references).size > 1) {
    references = references.map((answer) => normalizeVqaAnswer(answer, mode));
    predicted = normalizeVqaAnswer(predicted, mode);
  }
  const matches = references.filter((answer) => answer === predicted).length;
  let total = 0;
  for (const answer of references) {
    const others = matches - (answer === predicted ? 1 : 0);
    total += Math.min(1, others / 3);
  }
  return total / references.length;
}

/** One question to score. */
export interface VqaItem {
  /** Question id (unique within a call). */
  id: string;
  /** The model's answer. */
  prediction: string;
  /** The human reference answers (VQA v2 has ten; at least one). */
  answers: readonly string[];
  /** `yes/no`, `number` or `other` in VQA v2; used for the per-type breakdown. */
  answerType?: string;
}

/** Corpus and per-question VQA accuracy, all on a 0-1 scale (papers report × 100). */
export interface VqaEvaluation {
  /** Mean accuracy over questions. */
  accuracy: number;
  /** Accuracy of each question, keyed by id, in input order. */
  perItem: Record<string, number>;
  /** Mean accuracy per answer type (only types that were given). */
  perAnswerType: Record<string, number>;
  /** Bootstrap interval of `accuracy` (only when asked for). */
  interval?: ConfidenceInterval;
}

/**
 * Scores a set of VQA predictions.
 *
 * @example
 * ```ts
 * scoreVqa([{ id: "1", prediction: "two", answers: Array(10).fill("2") }]).accuracy // 1 (lmms)
 * ```
 */
export function scoreVqa(
  items: readonly VqaItem[],
  { mode = DEFAULT_VQA_MODE, bootstrap }: {
    mode?: VqaIdenticalMode;
    bootstrap?: BootstrapOptions;
  } = {},
): VqaEvaluation {
  if (items.length === 0) throw new InputError("no VQA questions to score", "give at least one");
  const perItem: Record<string, number> = {};
  const byType = new Map<string, number[]>();
  const scores = items.map((item) => {
    if (item.id in perItem) {
      throw new InputError(
        `question ${item.id} is scored twice`,
        "give one prediction per question",
      );
    }
    const score = vqaAccuracy(item.prediction, item.answers, mode);
    perItem[item.id] = score;
    if (item.answerType !== undefined) {
      const typeScores = byType.get(item.answerType) ?? [];
      typeScores.push(score);
      byType.set(item.answerType, typeScores);
    }
    return score;
  });
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    accuracy: mean(scores),
    perItem,
    perAnswerType: Object.fromEntries([...byType].map(([type, values]) => [type, mean(values)])),
    ...(bootstrap ? { interval: bootstrapMean(scores, bootstrap) } : {}),
  };
}
