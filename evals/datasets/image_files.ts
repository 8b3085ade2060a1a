/**
 * That every image a manifest names is an image file: its first bytes are the signature of a
 * format the image loader decodes (JPEG, PNG, WebP, GIF, TIFF, AVIF). A text file, an empty file
 * or an unknown format named as an image is reported with the items that use it.
 *
 * @module
 */
import { join } from "node:path";
import { InputError } from "../../src/mod.ts";
import type { ManifestItem } from "./manifest_types.ts";

const ascii = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

/** The image format whose signature `head` (a file's first bytes) starts with, if any. */
export function imageFormatOf(head: Uint8Array): string | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => head[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return "JPEG";
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "PNG";
  if (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a") return "GIF";
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "WebP";
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return "TIFF";
  if (ascii(head, 4, 8) === "ftyp" && ["avif", "avis"].includes(ascii(head, 8, 12))) return "AVIF";
  return undefined;
}

/** What a file that is not an image holds, in a few words. */
function describe(head: Uint8Array): string {
  if (head.length === 0) return "an empty file";
  const text = new TextDecoder("utf-8", { fatal: false }).decode(head);
  if (/^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/.test(text) && !text.includes("\ufffd")) {
    return `text (starts ${JSON.stringify(text.slice(0, 24))})`;
  }
  const hex = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  return `an unknown format (first bytes ${hex})`;
}

async function readHead(path: string): Promise<Uint8Array> {
  const file = await Deno.open(path);
  try {
    const head = new Uint8Array(32);
    let filled = 0;
    while (filled < head.length) {
      const n = await file.read(head.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return head.subarray(0, filled);
  } finally {
    file.close();
  }
}

/**
 * Checks that every image of `items` under `dir` starts with an image format's signature; all
 * that do not are reported together in one {@link InputError} naming the path, what it holds and
 * the items that use it.
 */
export async function checkImageFormats(
  dir: string,
  items: readonly ManifestItem[],
): Promise<void> {
  const users = new Map<string, string[]>();
  for (const item of items) users.set(item.image, [...(users.get(item.image) ?? []), item.id]);
  const problems: string[] = [];
  for (const [path, ids] of users) {
    const head = await readHead(join(dir, path));
    if (imageFormatOf(head) !== undefined) continue;
    const named = ids.slice(0, 3).join(", ") + (ids.length > 3 ? `, +${ids.length - 3} more` : "");
    problems.push(`${path} is ${describe(head)}, not an image (item ${named})`);
  }
  if (problems.length > 0) {
    throw new InputError(
      `${problems.length} image(s) in ${dir} are not image files:\n  ${problems.join("\n  ")}`,
      "replace each with the JPEG, PNG, WebP, GIF, TIFF or AVIF picture the items mean",
    );
  }
}
