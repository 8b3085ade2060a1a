/**
 * Loading a manifest dataset folder (`dataset.json` + `manifest.jsonl` + `images/`) with full
 * validation: item schema (errors name line and field), images inside the folder, every missing
 * image reported in one error, and optionally the `images.sha256` hashes.
 *
 * @module
 */
import { join, resolve, sep } from "node:path";
import { FILE_SIZE_LIMITS, InputError, readBoundedFile, readBoundedText } from "../../src/mod.ts";
import { parseSha256File, sha256Hex } from "./hashing.ts";
import type { Dataset, ManifestItem } from "./manifest_types.ts";
import { parseManifest, validateDatasetInfo } from "./manifest_validate.ts";

/** Options of {@link loadDataset}. */
export interface LoadOptions {
  /** Check that every image exists inside the folder (default true). */
  checkImages?: boolean;
  /** Check every image listed in `images.sha256` against its hash (default false). */
  verifyHashes?: boolean;
}

function readText(path: string, what: string, maxBytes: number): Promise<string> {
  return readBoundedText(path, {
    maxBytes,
    what,
    missingHint: "a dataset folder holds dataset.json, manifest.jsonl and images/ (metrics.md §5)",
  });
}

function listProblem(header: string, paths: string[], hint: string): InputError {
  return new InputError(
    `${header} (${paths.length}):\n${paths.map((p) => `  ${p}`).join("\n")}`,
    hint,
  );
}

/** The distinct image paths of `items`, in first-use order. */
export function imagePaths(items: readonly ManifestItem[]): string[] {
  return [...new Set(items.map((item) => item.image))];
}

/**
 * Checks that every image exists as a file inside `dir` (symbolic links may not lead out of it);
 * all missing or escaping images are reported together in one {@link InputError}.
 */
export async function checkImages(dir: string, paths: readonly string[]): Promise<void> {
  const root = await Deno.realPath(dir);
  const missing: string[] = [];
  const escaping: string[] = [];
  for (const path of paths) {
    let real: string;
    try {
      real = await Deno.realPath(join(dir, path));
      if (!(await Deno.stat(real)).isFile) throw new Error("not a file");
    } catch {
      missing.push(path);
      continue;
    }
    if (!real.startsWith(root + sep)) escaping.push(`${path} -> ${real}`);
  }
  if (escaping.length > 0) {
    throw listProblem(
      `images outside the dataset folder ${dir}`,
      escaping,
      "copy the images into the dataset folder instead of linking outside it",
    );
  }
  if (missing.length > 0) {
    throw listProblem(
      `missing images in ${dir}`,
      missing,
      "copy the missing files into the dataset folder or remove their items from manifest.jsonl",
    );
  }
}

/** Verifies the images listed in `images.sha256`; all mismatches are reported in one error. */
export async function verifyImageHashes(dir: string): Promise<number> {
  const file = join(dir, "images.sha256");
  const hashes = parseSha256File(
    await readText(file, "the image hash list", FILE_SIZE_LIMITS.checksums),
    file,
  );
  // The listed paths are confined to the folder as the manifest's are (no ../, no links out).
  await checkImages(dir, [...hashes.keys()]);
  const bad: string[] = [];
  for (const [path, expected] of hashes) {
    let actual = "(unreadable)";
    try {
      const bytes = await readBoundedFile(join(dir, path), {
        maxBytes: FILE_SIZE_LIMITS.image,
        what: "image",
      });
      actual = await sha256Hex(bytes);
    } catch { /* reported below */ }
    if (actual !== expected) bad.push(`${path}: expected ${expected}, got ${actual}`);
  }
  if (bad.length > 0) {
    throw listProblem(
      `images that do not match ${file}`,
      bad,
      "the images were changed or damaged; regenerate or restore the dataset",
    );
  }
  return hashes.size;
}

/**
 * Loads and validates a dataset folder.
 *
 * @example
 * ```ts
 * const dataset = await loadDataset("data/photos");
 * console.log(dataset.info.name, dataset.items.length);
 * ```
 */
export async function loadDataset(dir: string, options: LoadOptions = {}): Promise<Dataset> {
  const infoFile = join(dir, "dataset.json");
  let infoJson: unknown;
  try {
    infoJson = JSON.parse(await readText(infoFile, "dataset.json", FILE_SIZE_LIMITS.config));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `${infoFile}: not valid JSON (${(error as Error).message})`,
      "fix the file",
    );
  }
  const info = validateDatasetInfo(infoJson, infoFile);
  const manifestFile = join(dir, "manifest.jsonl");
  const items = parseManifest(
    await readText(manifestFile, "manifest.jsonl", FILE_SIZE_LIMITS.manifest),
    manifestFile,
    info.tasks,
  );
  if (items.length === 0) {
    throw new InputError(
      `${manifestFile} has no items: an empty dataset is not a dataset`,
      "add one JSON object per line (metrics.md §5), or point at the right folder",
    );
  }
  if (options.checkImages ?? true) await checkImages(dir, imagePaths(items));
  if (options.verifyHashes) await verifyImageHashes(dir);
  return { dir: resolve(dir), info, items };
}
