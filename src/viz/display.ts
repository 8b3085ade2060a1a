/**
 * The Jupyter display protocol without the kernel: objects with a `[Symbol.for("Jupyter.display")]`
 * method returning a MIME bundle are shown by the Deno kernel when they are a cell's value or are
 * passed to `Deno.jupyter.display`. The library never calls `Deno.jupyter` itself, so everything
 * here also runs (and is tested) outside a notebook.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** The symbol the Deno kernel looks for (`Deno.jupyter.$display`). */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A MIME bundle: MIME type → content (text, or base64 for binary types, without a `data:` prefix). */
export type DisplayBundle = Record<string, string>;

/** Anything the Deno kernel displays through the protocol. */
export interface Displayable {
  /** Returns the MIME bundle to show (sync or async). */
  [JUPYTER_DISPLAY](): DisplayBundle | Promise<DisplayBundle>;
}

/** Base64 of `bytes` (what Jupyter wants in `image/png`: no `data:` prefix). */
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** A PNG image that displays as `image/png` in a notebook. */
export class PngImage implements Displayable {
  /** The PNG file's bytes. */
  readonly bytes: Uint8Array;
  /** What `text/plain` shows. */
  readonly description: string;

  /** Wraps PNG bytes; throws a TypeError when they are not a PNG file. */
  constructor(bytes: Uint8Array, description = "[PNG image]") {
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    if (!signature.every((b, i) => bytes[i] === b)) {
      throw new TypeError("PngImage: the bytes do not start with the PNG signature");
    }
    this.bytes = bytes;
    this.description = description;
  }

  /** Writes the PNG to `path`. */
  async save(path: string): Promise<void> {
    await Deno.writeFile(path, this.bytes);
  }

  /** `image/png` (base64) and `text/plain`. */
  [JUPYTER_DISPLAY](): DisplayBundle {
    return { "image/png": base64(this.bytes), "text/plain": this.description };
  }
}

/** A fragment of HTML that displays as `text/html`. */
export class Html implements Displayable {
  /** The markup. */
  readonly html: string;
  /** What `text/plain` shows. */
  readonly text: string;

  /** Wraps markup (trusted: escape user text with {@link escapeHtml}). */
  constructor(html: string, text = "[HTML]") {
    this.html = html;
    this.text = text;
  }

  /** `text/html` and `text/plain`. */
  [JUPYTER_DISPLAY](): DisplayBundle {
    return { "text/html": this.html, "text/plain": this.text };
  }
}
