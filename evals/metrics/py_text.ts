/**
 * Python `str` whitespace semantics, so that scorers split and strip text exactly as the
 * reference Python implementations do (`str.split()`, `str.strip()`), which differ from
 * JavaScript's `\s` (Python counts U+001C..U+001F and U+0085 as whitespace, not U+FEFF).
 *
 * @module
 */

const PY_WHITESPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029" +
  "\\u202f\\u205f\\u3000";
const SPLIT_RE = new RegExp(`[${PY_WHITESPACE}]+`, "u");
const STRIP_RE = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, "gu");

/**
 * Python's `s.split()`: splits on runs of whitespace and drops empty strings.
 *
 * @example
 * ```ts
 * pySplit("  a  cat\tsits ") // ["a", "cat", "sits"]
 * ```
 */
export function pySplit(text: string): string[] {
  return text.split(SPLIT_RE).filter((part) => part.length > 0);
}

/** Python's `s.strip()`: removes leading and trailing whitespace. */
export function pyStrip(text: string): string {
  return text.replace(STRIP_RE, "");
}
