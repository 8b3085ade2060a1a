/**
 * `loadBundle`: opens an exported bundle folder and checks it against its manifest — every file
 * present, of its size and sha256, the format version known — before anything runs on it.
 *
 * @module
 */
import { BundleError } from "../errors.ts";
import { hashFile } from "./export.ts";
import { type BundleManifest, checkBundleFile, parseManifest } from "./manifest.ts";

/** A checked bundle. */
export interface Bundle {
  /** The bundle folder. */
  dir: string;
  /** Its manifest. */
  manifest: BundleManifest;
}

/**
 * Reads `dir/manifest.json` and checks every file it lists; an incomplete, altered or
 * unknown-version bundle is a {@link BundleError} naming the file.
 *
 * @example
 * ```ts
 * const { manifest } = await loadBundle("bundle");
 * manifest.precision.decoder; // "int4"
 * ```
 */
export async function loadBundle(dir: string): Promise<Bundle> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/manifest.json`);
  } catch (error) {
    throw new BundleError(
      `${dir} is not a bundle: manifest.json cannot be read (${(error as Error).message})`,
      "point at a folder written by `nanovlm export`",
      { cause: error },
    );
  }
  const manifest = parseManifest(text, dir);
  for (const file of manifest.files) {
    const found = await hashFile(`${dir}/${file.path}`).catch(() => undefined);
    checkBundleFile(dir, file, found);
  }
  return { dir, manifest };
}
