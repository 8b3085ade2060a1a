/**
 * Writes imported items (COCO, VQA v2, Karpathy) as a dataset folder, copying the pictures they
 * name from the user's image folder: every missing picture is listed at once before anything is
 * written, and the folder is written atomically ({@link writeDataset}).
 *
 * @module
 */
import { join } from "node:path";
import { InputError } from "../../src/mod.ts";
import { imagePaths } from "./load.ts";
import type { DatasetInfo, ManifestItem } from "./manifest_types.ts";
import { type ImageSource, writeDataset } from "./write.ts";

/** Options of {@link writeImportedDataset}. */
export interface ImportFolderOptions {
  /** The folder inside the dataset that items name their pictures under (default `images`). */
  imageDir?: string;
  /** Replace an existing dataset folder. */
  overwrite?: boolean;
}

/**
 * Writes `items` into the dataset folder `out`, copying each picture `images/<rel>` from
 * `sourceImages/<rel>`.
 *
 * @example
 * ```ts
 * const items = importCocoCaptions(json, { split: "val" });
 * await writeImportedDataset("data/coco-val", info, items, "/data/coco/val2014");
 * ```
 */
export async function writeImportedDataset(
  out: string,
  info: DatasetInfo,
  items: readonly ManifestItem[],
  sourceImages: string,
  options: ImportFolderOptions = {},
): Promise<number> {
  if (items.length === 0) {
    throw new InputError(
      `nothing to import into ${out}: the source has no items`,
      "check the file, and the split you asked for",
    );
  }
  const prefix = `${options.imageDir ?? "images"}/`;
  const images = new Map<string, ImageSource>();
  const missing: string[] = [];
  for (const path of imagePaths(items)) {
    const source = join(sourceImages, path.startsWith(prefix) ? path.slice(prefix.length) : path);
    try {
      if (!(await Deno.stat(source)).isFile) missing.push(source);
    } catch {
      missing.push(source);
    }
    images.set(path, { copyFrom: source });
  }
  if (missing.length > 0) {
    throw new InputError(
      `${missing.length} of ${images.size} pictures are not in ${sourceImages} (first: ${
        missing.slice(0, 5).join(", ")
      })`,
      "point at the folder holding the pictures the annotations name",
    );
  }
  await writeDataset(out, info, items, images, { overwrite: options.overwrite });
  return images.size;
}
