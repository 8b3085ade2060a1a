/**
 * Multiple-choice scoring with strict letter extraction: lmms-eval's `extract_mcq_answer`
 * (the format-priority version used by its MMStar task; see metrics.md §1.9), plus nanoVLM's
 * own lenient in-training regex check for comparison.
 *
 * @module
 */
import { InputError } from "../../src/errors.ts";
import { bootstrapMean, type BootstrapOptions, type ConfidenceInterval } from "./bootstrap.ts";

/** The default option letters. */
export const DEFAULT_CHOICES: readonly string[] = ["A", "B", "C", "D"];

const ANSWER_PHRASES = [
  "the answer is",
  "answer is",
  "the correct answer is",
  "correct answer is",
  "the best answer is",
  "best answer is",
  "the correct option is",
  "correct option is",
  "the best option is",
  "best option is",
  "the choice is",
  "choice is",
  "the correct choice is",
  "correct choice is",
  "i choose",
  "i select",
  "i pick",
  "my answer is",
  "my choice is",
];

/** Format priorities: higher wins; within a format, the later position wins. */
const PRIORITY = {
  start: 10,
  end: 9,
  phrase: 7,
  parentheses: 6,
  period: 5,
  colon: 4,
  rightParen: 3,
  space: 2,
  fallback: 0,
} as const;

const isLetter = (char: string | undefined) => char !== undefined && /^\p{L}$/u.test(char);

/** Python's `s.strip(chars)` for a single character. */
function stripChar(text: string, char: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === char) start++;
  while (end > start && text[end - 1] === char) end--;
  return text.slice(start, end);
}

/**
 * Extracts the chosen option letter from a model's output, or `""` when none is found
 * (case-sensitive: `b` is not `B`). Priority: output starts with a standalone letter > ends
 * with one > an answer phrase ("the answer is X") > `(X)` > `X.` > `X:` > `X)` > `X ` > any
 * occurrence (only when nothing else matched); within a format the last occurrence wins.
 *
 * @example
 * ```ts
 * extractChoiceLetter("The answer is B.") // "B"
 * extractChoiceLetter("I think it is B or C") // "C"
 * extractChoiceLetter("blue") // ""
 * ```
 */
export function extractChoiceLetter(
  output: string,
  choices: readonly string[] = DEFAULT_CHOICES,
): string {
  if (output.trim() === "") return "";
  let text = output.trim();
  for (const char of [",", ".", "!", "?", ";", ":", "'", '"']) text = stripChar(text, char);
  text = ` ${text} `;
  const candidates: { letter: string; position: number; priority: number }[] = [];
  const add = (letter: string, position: number, priority: number) =>
    candidates.push({ letter, position, priority });
  const formats: [string, string, number][] = [
    ["(", ")", PRIORITY.parentheses],
    ["", ".", PRIORITY.period],
    ["", ":", PRIORITY.colon],
    ["", ")", PRIORITY.rightParen],
    ["", " ", PRIORITY.space],
  ];
  for (const [before, after, priority] of formats) {
    for (const letter of choices) {
      const position = text.lastIndexOf(`${before}${letter}${after}`);
      if (position !== -1) add(letter, position, priority);
    }
  }
  const lower = text.toLowerCase();
  for (const phrase of ANSWER_PHRASES) {
    const index = lower.indexOf(phrase);
    if (index === -1) continue;
    for (const letter of choices) {
      const position = text.indexOf(letter, index + phrase.length);
      if (position !== -1) add(letter, position, PRIORITY.phrase);
    }
  }
  const stripped = text.trim();
  for (const letter of choices) {
    if (stripped.startsWith(letter) && (stripped.length === 1 || !isLetter(stripped[1]))) {
      add(letter, 0, PRIORITY.start);
    }
  }
  for (const letter of choices) {
    if (stripped.endsWith(letter) && (stripped.length === 1 || !isLetter(stripped.at(-2)))) {
      add(letter, text.length - 1, PRIORITY.end);
    }
  }
  if (candidates.length === 0) {
    for (const letter of choices) {
      const position = text.lastIndexOf(letter);
      if (position !== -1) add(letter, position, PRIORITY.fallback);
    }
  }
  if (candidates.length === 0) return "";
  // Python's stable sort with reverse=True keeps insertion order among equal keys.
  const best = candidates.reduce((winner, candidate) =>
    candidate.priority > winner.priority ||
      (candidate.priority === winner.priority && candidate.position > winner.position)
      ? candidate
      : winner
  );
  return best.letter;
}

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
