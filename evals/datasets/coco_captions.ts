/**
 * COCO captions annotations (`captions_val2014.json`: `images[{id, file_name, width, height}]`,
 * `annotations[{id, image_id, caption}]`) to manifest caption items, and back.
 *
 * @module
 */
import type { CaptionItem, ImageId } from "./manifest_types.ts";
import { badField, idAt, objectAt, objectsAt, stringAt } from "./json_fields.ts";

/** The parts of a COCO captions annotations file this module reads and writes. */
export interface CocoCaptionsFile {
  /** The images. */
  images: { id: ImageId; file_name: string; width?: number; height?: number }[];
  /** One caption each. */
  annotations: { id: ImageId; image_id: ImageId; caption: string }[];
}

/** Options of {@link importCocoCaptions}. */
export interface CocoImportOptions {
  /** Folder of the images inside the dataset (default `images`). */
  imageDir?: string;
  /** Split name stored on each item. */
  split?: string;
  /** Prefix of item ids (default `coco`): ids are `<prefix>-<image_id>`. */
  idPrefix?: string;
  /** Name of the source file, for error messages. */
  file?: string;
}

/** The captions of one image in a COCO captions annotations file. */
export interface CocoImageCaptions {
  /** Annotation ids, in file order. */
  ids: ImageId[];
  /** The captions, in file order. */
  texts: string[];
  /** Where each annotation sits in the file (`annotations[3]`), for error messages. */
  paths: string[];
}

/**
 * Reads the `annotations` of a COCO captions file (`{"annotations": [{id, image_id, caption}]}`;
 * `images` is not needed) into captions per image id, in first-seen order. The one reader of this
 * format: the importer and `score captions` both use it.
 */
export function cocoCaptionAnnotations(
  json: unknown,
  file = "COCO captions file",
): Map<ImageId, CocoImageCaptions> {
  const root = objectAt(json, file, "(root)");
  const captions = new Map<ImageId, CocoImageCaptions>();
  objectsAt(root, "annotations", file).forEach((annotation, i) => {
    const path = `annotations[${i}]`;
    const imageId = idAt(annotation, "image_id", file, `${path}.image_id`);
    const entry = captions.get(imageId) ?? { ids: [], texts: [], paths: [] };
    captions.set(imageId, entry);
    entry.ids.push(
      annotation.id === undefined ? i + 1 : idAt(annotation, "id", file, `${path}.id`),
    );
    entry.texts.push(stringAt(annotation, "caption", file, `${path}.caption`));
    entry.paths.push(path);
  });
  return captions;
}

/**
 * Converts a parsed COCO captions annotations file into caption items, one per image with at
 * least one caption, in image order; references keep annotation order.
 *
 * @example
 * ```ts
 * const items = importCocoCaptions(JSON.parse(await Deno.readTextFile("captions_val2014.json")));
 * ```
 */
export function importCocoCaptions(json: unknown, options: CocoImportOptions = {}): CaptionItem[] {
  const file = options.file ?? "COCO captions file";
  const root = objectAt(json, file, "(root)");
  const images = objectsAt(root, "images", file);
  const captions = cocoCaptionAnnotations(json, file);
  const known = new Set(images.map((image) => image.id));
  for (const [imageId, { paths }] of captions) {
    if (!known.has(imageId)) badField(file, `${paths[0]}.image_id`, `${imageId} is not in images`);
  }
  const imageDir = options.imageDir ?? "images";
  const items: CaptionItem[] = [];
  images.forEach((image, i) => {
    const id = idAt(image, "id", file, `images[${i}].id`);
    const fileName = stringAt(image, "file_name", file, `images[${i}].file_name`);
    const { ids, texts } = captions.get(id) ?? { ids: [], texts: [] };
    if (texts.length === 0) return;
    const meta: Record<string, unknown> = { annotation_ids: ids };
    if (typeof image.width === "number") meta.width = image.width;
    if (typeof image.height === "number") meta.height = image.height;
    items.push({
      id: `${options.idPrefix ?? "coco"}-${id}`,
      task: "caption",
      image: `${imageDir}/${fileName}`,
      image_id: id,
      ...(options.split ? { split: options.split } : {}),
      references: texts,
      meta,
    });
  });
  return items;
}

/**
 * Converts caption items back into a COCO captions annotations file (for the official scorers).
 * Annotation ids come from `meta.annotation_ids` where present, else they are numbered from 1.
 */
export function toCocoCaptions(items: readonly CaptionItem[]): CocoCaptionsFile {
  const out: CocoCaptionsFile = { images: [], annotations: [] };
  let nextId = 1;
  for (const item of items) {
    const meta = item.meta ?? {};
    const image: CocoCaptionsFile["images"][number] = {
      id: item.image_id,
      file_name: item.image.slice(item.image.lastIndexOf("/") + 1),
    };
    if (typeof meta.width === "number") image.width = meta.width;
    if (typeof meta.height === "number") image.height = meta.height;
    out.images.push(image);
    const ids = Array.isArray(meta.annotation_ids) ? meta.annotation_ids as ImageId[] : undefined;
    item.references.forEach((caption, i) => {
      out.annotations.push({ id: ids?.[i] ?? nextId++, image_id: item.image_id, caption });
    });
  }
  return out;
}
