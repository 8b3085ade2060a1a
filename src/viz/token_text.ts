/**
 * Token pieces made visible: leading spaces, newlines and tabs as glyphs, long pieces shortened.
 *
 * @module
 */

/** A token piece as shown in figures and tables (`" red"` → `"␣red"`, `"\n"` → `"⏎"`). */
export function showToken(piece: string, maxLength = 12): string {
  let shown = "";
  for (const ch of piece.replace(/^ /, "␣")) {
    const code = ch.codePointAt(0)!;
    shown += ch === "\n" ? "⏎" : ch === "\t" ? "⇥" : code < 0x20 || code === 0x7f ? "·" : ch;
  }
  return shown.length > maxLength ? `${shown.slice(0, maxLength - 1)}…` : shown;
}
