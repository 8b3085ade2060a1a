/**
 * Strict extraction of a chosen option letter from a model's output: lmms-eval's
 * `extract_mcq_answer` (the format-priority version used by its MMStar task; see metrics.md §1.9).
 * Used by the `choose` task (letter method) and by the multiple-choice metric in `evals/`.
 *
 * @module
 */

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
