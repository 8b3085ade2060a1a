/**
 * Multiple-choice scoring with strict letter extraction (lmms-eval's `extract_mcq_answer`, which
 * lives in `src/pipeline/choice_letter.ts` and is re-exported here), plus nanoVLM's own lenient
 * in-training regex check for comparison.
 *
 * @module
 */
import { DEFAULT_CHOICES, extractChoiceLetter, InputError } from "../../src/mod.ts";
import { bootstrapMean, type BootstrapOptions, type ConfidenceInterval } from "./bootstrap.ts";

export { DEFAULT_CHOICES, extractChoiceLetter };

/**
 * nanoVLM's in-training check (`check_multiple_choice_with_regex`): correct when the output
 * contains the key as `\bX\b`, `\bX[.,)]` or `\(.*X.*\)`. Lenient: "I think it is B or C" is
 * correct for B. Reported only for comparison with nanoVLM's logs.
 */
export function lenientLetterMatch(output: string, answer: string): boolean {
  const letter = answer.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [`\\b${letter}\\b`, `\\b${letter}[.,)]`, `\\(.*${letter}.*\\)`].some((pattern) =>
    new RegExp(pattern).test(output)
  );
}

/** One multiple-choice item: the model's output and the correct letter. */
export interface McqItem {
  /** Item id; it keys `perItem`, so give each item its own. */
  id: string;
  /** The model's raw output text. */
  output: string;
  /** The correct letter, e.g. `B`. */
  answer: string;
  /** Valid letters (default A-D). */
  choices?: readonly string[];
  /** A category for the macro average (MMStar averages its `l2_category` means). */
  category?: string;
}

/** Multiple-choice results, on a 0-1 scale. */
export interface McqEvaluation {
  /** Micro accuracy (mean over items). */
  accuracy: number;
  /** Mean of the per-category accuracies (equals `accuracy` when no categories are given). */
  macroAccuracy: number;
  /** Accuracy per category (items without a category fall under `""`). */
  perCategory: Record<string, number>;
  /** The extracted letter and correctness of each item. */
  perItem: Record<string, { extracted: string; correct: number }>;
  /** Bootstrap interval of `accuracy` (only when bootstrap options were given). */
  interval?: ConfidenceInterval;
}

/**
 * Scores multiple-choice outputs with {@link extractChoiceLetter}.
 *
 * @example
 * ```ts
 * scoreMcq([{ id: "q1", output: "(B) blue", answer: "B" }]).accuracy // 1
 * ```
 */
export function scoreMcq(
  items: readonly McqItem[],
  { bootstrap }: { bootstrap?: BootstrapOptions } = {},
): McqEvaluation {
  if (items.length === 0) {
    throw new InputError("no multiple-choice items to score", "give at least one");
  }
  const perItem: McqEvaluation["perItem"] = {};
  const byCategory = new Map<string, number[]>();
  const scores = items.map((item) => {
    const extracted = extractChoiceLetter(item.output, item.choices ?? DEFAULT_CHOICES);
    const correct = extracted !== "" && extracted === item.answer ? 1 : 0;
    perItem[item.id] = { extracted, correct };
    const category = item.category ?? "";
    const list = byCategory.get(category) ?? [];
    list.push(correct);
    byCategory.set(category, list);
    return correct;
  });
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const perCategory = Object.fromEntries(
    [...byCategory].map(([name, values]) => [name, mean(values)]),
  );
  return {
    accuracy: mean(scores),
    macroAccuracy: mean(Object.values(perCategory)),
    perCategory,
    perItem,
    ...(bootstrap ? { interval: bootstrapMean(scores, bootstrap) } : {}),
  };
}
