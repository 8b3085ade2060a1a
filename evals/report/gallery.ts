/**
 * The gallery of the worst and the changed items: for each item its picture as a small inline
 * PNG, the question, the references, every cell's prediction and score, and (when a provider is
 * given) the attention overlay of the answer.
 *
 * @module
 */
import sharp from "sharp";
import { Buffer } from "node:buffer";
import type { PairedItem } from "./analysis.ts";
import type { ItemDetails } from "./items.ts";

/** One gallery entry, ready to print. */
export interface GalleryEntry {
  /** Item id. */
  id: string;
  /** Task name. */
  task: string;
  /** Why it is shown: the worst items, or the ones a cell changed. */
  reason: "worst" | "changed";
  /** The picture as a `data:image/png;base64,…` URL, when the record names a readable image. */
  thumbnail?: string;
  /** The attention overlay of the answer as a data URL, when a provider made one. */
  overlay?: string;
  /** Question or prompt. */
  question?: string;
  /** Reference texts. */
  references: string[];
  /** Prediction and headline score of each cell, in cell order. */
  predictions: { cell: string; text: string; score?: number }[];
}

/** Makes the attention overlay PNG of an item's answer, or `undefined` when it has none. */
export type OverlayProvider = (item: PairedItem) => Promise<Uint8Array | undefined>;

/** Options of {@link galleryEntries}. */
export interface GalleryOptions {
  /** Thumbnail edge in pixels (default 112). */
  thumbnailPx?: number;
  /** Attention overlays, from the inspect/viz rooms. */
  overlay?: OverlayProvider;
}

function pngDataUrl(bytes: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(bytes).toString("base64")}`;
}

/** A PNG thumbnail of `path` no larger than `edge`², or `undefined` when it cannot be read. */
export async function thumbnail(path: string, edge: number): Promise<Uint8Array | undefined> {
  try {
    const bytes = await Deno.readFile(path);
    return new Uint8Array(
      await sharp(bytes).resize(edge, edge, { fit: "inside" }).png().toBuffer(),
    );
  } catch {
    return undefined;
  }
}

function predictionText(prediction: string | number[]): string {
  return typeof prediction === "string"
    ? prediction
    : `ranking ${prediction.slice(0, 5).join(", ")}…`;
}

/** Gallery entries for `items` in cell order, with thumbnails (one read per distinct image). */
export async function galleryEntries(
  items: readonly { item: PairedItem; reason: GalleryEntry["reason"] }[],
  cells: readonly string[],
  details: ReadonlyMap<string, ItemDetails>,
  { thumbnailPx = 112, overlay }: GalleryOptions = {},
): Promise<GalleryEntry[]> {
  const thumbnails = new Map<string, Promise<Uint8Array | undefined>>();
  const entries: GalleryEntry[] = [];
  for (const { item, reason } of items) {
    const first = [...item.byCell.values()][0];
    const detail = details.get(item.id);
    const image = detail?.image;
    if (image && !thumbnails.has(image)) thumbnails.set(image, thumbnail(image, thumbnailPx));
    const picture = image ? await thumbnails.get(image) : undefined;
    const attention = overlay ? await overlay(item) : undefined;
    entries.push({
      id: item.id,
      task: item.task,
      reason,
      ...(picture ? { thumbnail: pngDataUrl(picture) } : {}),
      ...(attention ? { overlay: pngDataUrl(attention) } : {}),
      question: detail?.question ?? first.prompt,
      references: detail?.references ?? [],
      predictions: cells.filter((cell) => item.byCell.has(cell)).map((cell) => ({
        cell,
        text: predictionText(item.byCell.get(cell)!.prediction),
        ...(item.scores.has(cell) ? { score: item.scores.get(cell) } : {}),
      })),
    });
  }
  return entries;
}
