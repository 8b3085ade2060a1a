/**
 * SHA-256 helpers and the `images.sha256` file (the `sha256sum` text format:
 * `<64 hex digits>  <relative path>` per line).
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";

/** The SHA-256 of `bytes` as 64 lower-case hex digits. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Formats path -> hash pairs as an `images.sha256` text, sorted by path. */
export function formatSha256File(hashes: ReadonlyMap<string, string>): string {
  return [...hashes.keys()].sort().map((path) => `${hashes.get(path)}  ${path}\n`).join("");
}

/** Parses an `images.sha256` text into path -> hash; a malformed line is an {@link InputError}. */
export function parseSha256File(text: string, file = "images.sha256"): Map<string, string> {
  const hashes = new Map<string, string>();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) {
      throw new InputError(
        `${file} line ${index + 1}: expected "<64 hex digits>  <path>", got "${line}"`,
        "regenerate it with `sha256sum images/* > images.sha256` inside the dataset folder",
      );
    }
    hashes.set(match[2], match[1]);
  });
  return hashes;
}
