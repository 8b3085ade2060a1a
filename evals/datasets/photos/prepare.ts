/**
 * Rebuilds `data/photos` from Debian packages: downscales each source photo (long side 512,
 * JPEG quality 90, sRGB), writes the manifest dataset and its README with the licences.
 *
 * ```sh
 * apt-get download python3-skimage python-matplotlib-data python3-scipy palapeli-data
 * for d in *.deb; do dpkg -x "$d" /tmp/debs/root; done
 * deno run --allow-read --allow-write --allow-env --allow-ffi --allow-sys --allow-run \
 *   evals/datasets/photos/prepare.ts /tmp/debs/root data/photos
 * ```
 *
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { InputError } from "../../../src/mod.ts";
import { writeDataset } from "../write.ts";
import { photoItems, PHOTOS_INFO } from "./items.ts";
import { PHOTO_SOURCES, type PhotoSource } from "./sources.ts";

/** The long side of every bundled photo, in pixels. */
export const PHOTO_LONG_SIDE = 512;

async function readSource(root: string, source: PhotoSource): Promise<ReturnType<typeof sharp>> {
  const path = join(root, source.path);
  if (!source.raw) return sharp(path);
  const { success, stdout } = await new Deno.Command("bzip2", {
    args: ["-dc", path],
    stdout: "piped",
  })
    .output();
  if (!success) throw new InputError(`cannot decompress ${path}`, "install bzip2");
  return sharp(stdout, {
    raw: { width: source.raw.width, height: source.raw.height, channels: 3 },
  });
}

/** The README of `data/photos`: what the set is and where every image comes from. */
export function photosReadme(): string {
  const rows = PHOTO_SOURCES.map((s) =>
    `| \`images/${s.id}.jpg\` | \`${s.debianPackage}\` | \`${s.path}\` | ${s.origin} | ${s.license} | ${s.licenseNote} |`
  );
  return [
    "# Bundled photos",
    "",
    "Ten real photographs taken from Debian (bookworm) packages, downscaled to a long side of",
    `${PHOTO_LONG_SIDE} px (JPEG quality 90, sRGB) by \`evals/datasets/photos/prepare.ts\`. The captions,`,
    "VQA and multiple-choice items were written by the nanovlm-lab project (annotations in",
    "`evals/datasets/photos/annotations.ts`) and are released under CC0-1.0.",
    "",
    "## Sources and licences",
    "",
    "| file | Debian package | path in the package | upstream origin | licence | statement |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

if (import.meta.main) {
  const [root, out = "data/photos"] = Deno.args;
  if (!root) {
    throw new InputError("usage: prepare.ts <extracted-deb-root> [out]", "see the module doc");
  }
  const images = new Map<string, Uint8Array>();
  for (const source of PHOTO_SOURCES) {
    const image = (await readSource(root, source))
      .resize(PHOTO_LONG_SIDE, PHOTO_LONG_SIDE, { fit: "inside", withoutEnlargement: true })
      .toColourspace("srgb")
      .jpeg({ quality: 90 });
    images.set(`images/${source.id}.jpg`, new Uint8Array(await image.toBuffer()));
  }
  await writeDataset(out, PHOTOS_INFO, photoItems(), images, {
    overwrite: true,
    extraFiles: new Map([["README.md", photosReadme()]]),
  });
  console.log(`wrote ${out}: ${images.size} photos`);
}
