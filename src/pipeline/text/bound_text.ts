/**
 * Bounding user text before it is tokenized: a prompt can be at most `maxTokens` tokens, and no
 * token is longer than the tokenizer's longest vocabulary entry, so text longer than
 * `maxTokens x (longest token + 1)` characters can only overflow. It is cut (or refused) here,
 * before an unbounded string reaches the tokenizer; the exact cut is made on tokens later.
 *
 * @module
 */
import { InputError } from "../../errors.ts";
import type { Side } from "./batch.ts";

/** The characters of text that can still fit `maxTokens` tokens of at most `tokenChars` each. */
export function textCharBound(maxTokens: number, tokenChars: number): number {
  return maxTokens * (Math.max(1, tokenChars) + 1);
}

/**
 * Cuts `text` to at most `maxChars` UTF-16 units from the `side` end (never inside a surrogate
 * pair), or refuses it with an {@link InputError} when `side` is `error`.
 *
 * @example
 * ```ts
 * boundText("abcdef", 4, "left"); // "cdef" (the end is kept)
 * ```
 */
export function boundText(text: string, maxChars: number, side: Side | "error"): string {
  if (text.length <= maxChars) return text;
  if (side === "error") {
    throw new InputError(
      `the prompt text is ${text.length} characters, more than the model's positions can hold ` +
        `(at most ${maxChars} characters for this tokenizer)`,
      "shorten the text, or let it be truncated (left or right)",
    );
  }
  let start = side === "left" ? text.length - maxChars : 0;
  let end = side === "left" ? text.length : maxChars;
  const high = (i: number) => {
    const c = text.charCodeAt(i);
    return c >= 0xd800 && c <= 0xdbff;
  };
  if (side === "left" && start > 0 && high(start - 1)) start++;
  if (side === "right" && end < text.length && high(end - 1)) end--;
  return text.slice(start, end);
}
