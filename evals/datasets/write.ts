/**
 * Writing a manifest dataset folder atomically: everything is written into a sibling temporary
 * folder which is renamed into place at the end, so an error or an interrupt never leaves a
 * half-written dataset behind.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { InputError } from "../../src/mod.ts";
import { formatSha256File, sha256Hex } from "./hashing.ts";
import { imagePaths } from "./load.ts";
import type { DatasetInfo, ManifestItem } from "./manifest_types.ts";
import { checkImagePath, parseManifest, validateDatasetInfo } from "./manifest_validate.ts";
import { pathExists } from "../../src/mod.ts";

/** An image to write: its bytes, or a file to copy them from. */
export type ImageSource = Uint8Array | { copyFrom: string };

/** Options of {@link writeDataset}. */
export interface WriteOptions {
  /** Replace an existing folder at `dir` (default false: an existing folder is an error). */
  overwrite?: boolean;
  /** Further text files to write beside `dataset.json` (e.g. `README.md`), by file name. */
  extraFiles?: ReadonlyMap<string, string>;
}

/** Serialises items as `manifest.jsonl` text (one JSON object per line). */
export function formatManifest(items: readonly ManifestItem[]): string {
  return items.map((item) => JSON.stringify(item) + "\n").join("");
}

/**
 * Writes `dataset.json`, `manifest.jsonl`, every image and `images.sha256` into `dir`. Items are
 * validated first; every image they name must be given in `images` and nothing else may be.
 *
 * @example
 * ```ts
 * await writeDataset("out/tiny", info, items, new Map([["images/a.png", pngBytes]]));
 * ```
 */
export async function writeDataset(
  dir: string,
  info: DatasetInfo,
  items: readonly ManifestItem[],
  images: ReadonlyMap<string, ImageSource>,
  options: WriteOptions = {},
): Promise<void> {
  validateDatasetInfo(structuredClone(info), `dataset.json for ${dir}`);
  const manifest = formatManifest(items);
  parseManifest(manifest, `manifest for ${dir}`, info.tasks);
  const needed = imagePaths(items);
  const missing = needed.filter((path) => !images.has(path));
  const unused = [...images.keys()].filter((path) => !needed.includes(path));
  if (missing.length > 0 || unused.length > 0) {
    throw new InputError(
      `images do not match the items for ${dir}: ` +
        `${missing.length} named by items but not given (${missing.slice(0, 5).join(", ")}), ` +
        `${unused.length} given but not named (${unused.slice(0, 5).join(", ")})`,
      "pass exactly the images the items refer to",
    );
  }
  if (!options.overwrite && await pathExists(dir, { followLinks: false })) {
    throw new InputError(`${dir} already exists`, "choose a new folder or allow overwriting");
  }
  await Deno.mkdir(dirname(dir), { recursive: true });
  const temp = await Deno.makeTempDir({ dir: dirname(dir), prefix: `.${basename(dir)}.partial-` });
  try {
    const hashes = new Map<string, string>();
    for (const path of needed) {
      const source = images.get(path)!;
      const bytes = source instanceof Uint8Array ? source : await Deno.readFile(source.copyFrom);
      await Deno.mkdir(dirname(join(temp, path)), { recursive: true });
      await Deno.writeFile(join(temp, path), bytes);
      hashes.set(path, await sha256Hex(bytes));
    }
    await Deno.writeTextFile(join(temp, "images.sha256"), formatSha256File(hashes));
    await Deno.writeTextFile(join(temp, "manifest.jsonl"), manifest);
    await Deno.writeTextFile(join(temp, "dataset.json"), JSON.stringify(info, null, 2) + "\n");
    for (const [name, text] of options.extraFiles ?? []) {
      checkImagePath(name, `extra file of ${dir}`);
      await Deno.writeTextFile(join(temp, name), text);
    }
    if (await pathExists(dir, { followLinks: false })) await Deno.remove(dir, { recursive: true });
    await Deno.rename(temp, dir);
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  }
}
