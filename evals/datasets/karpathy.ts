/**
 * Karpathy splits (`dataset_coco.json`, `dataset_flickr30k.json`: `images[{filepath?, filename,
 * imgid, split, sentences[{raw, tokens, sentid}], cocoid?}]`) to manifest retrieval items and,
 * optionally, caption items.
 *
 * @module
 */
import type { CaptionItem, ImageId, RetrievalItem } from "./manifest_types.ts";
import { badField, idAt, objectAt, objectsAt, stringAt } from "./json_fields.ts";

/** Options of {@link importKarpathy}. */
export interface KarpathyImportOptions {
  /** The split to take (default `test`; `restval` and others are accepted). */
  split?: string;
  /** Also emit one caption item per image with the same sentences as references. */
  captions?: boolean;
  /** Folder of the images inside the dataset (default `images`). */
  imageDir?: string;
  /** Prefix of item ids (default: the file's `dataset` field, else `karpathy`). */
  idPrefix?: string;
}

/**
 * Converts a parsed Karpathy split file into retrieval items (then caption items if asked), in
 * file order, for the images of one split. The image id is `cocoid` when present, else `imgid`;
 * the 5k COCO test set and its 1k folds are the first 1000·k items.
 *
 * @example
 * ```ts
 * const items = importKarpathy(JSON.parse(await Deno.readTextFile("dataset_coco.json")));
 * ```
 */
export function importKarpathy(
  json: unknown,
  options: KarpathyImportOptions = {},
): (RetrievalItem | CaptionItem)[] {
  const file = "Karpathy split file";
  const root = objectAt(json, file, "(root)");
  const split = options.split ?? "test";
  const prefix = options.idPrefix ??
    (typeof root.dataset === "string" ? root.dataset : "karpathy");
  const retrieval: RetrievalItem[] = [];
  const captions: CaptionItem[] = [];
  objectsAt(root, "images", file).forEach((image, i) => {
    const path = `images[${i}]`;
    if (stringAt(image, "split", file, `${path}.split`) !== split) return;
    const imgid = idAt(image, "imgid", file, `${path}.imgid`);
    const imageId: ImageId = image.cocoid === undefined
      ? imgid
      : idAt(image, "cocoid", file, `${path}.cocoid`);
    const sentences = objectsAt(image, "sentences", file, `${path}.sentences`);
    if (sentences.length === 0) badField(file, `${path}.sentences`, "is empty");
    const texts = sentences.map((s, j) => stringAt(s, "raw", file, `${path}.sentences[${j}].raw`));
    const folder = typeof image.filepath === "string" && image.filepath ? `${image.filepath}/` : "";
    const common = {
      image: `${options.imageDir ?? "images"}/${folder}${
        stringAt(image, "filename", file, `${path}.filename`)
      }`,
      image_id: imageId,
      split,
      meta: { imgid, sentids: sentences.map((s) => s.sentid) },
    };
    retrieval.push({ id: `${prefix}-${imgid}`, task: "retrieval", ...common, captions: texts });
    if (options.captions) {
      captions.push({
        id: `${prefix}-cap-${imgid}`,
        task: "caption",
        ...common,
        meta: { ...common.meta },
        references: texts,
      });
    }
  });
  return [...retrieval, ...captions];
}
