/**
 * A short summary of a loaded dataset, with the checks that go beyond the format: that every image
 * is an image file, image hashes and, for generated ShapesBench data, the independent
 * ground-truth verifier.
 *
 * @module
 */
import { join } from "node:path";
import { InputError } from "../../src/mod.ts";
import { checkImageFormats } from "./image_files.ts";
import { imagePaths, verifyImageHashes } from "./load.ts";
import type { Dataset } from "./manifest_types.ts";
import { verifyShapesItems } from "./shapes/mod.ts";

/** What `nanovlm dataset check` prints. */
export interface DatasetSummary {
  /** Dataset name from `dataset.json`. */
  name: string;
  /** Dataset version. */
  version: string;
  /** Dataset licence. */
  license: string;
  /** Distinct images named by the items. */
  images: number;
  /** Images whose SHA-256 was checked against `images.sha256` (0 when there is no such file). */
  hashedImages: number;
  /** Item count per task kind. */
  itemsPerTask: Record<string, number>;
  /** Item count per split (`(none)` for items without one). */
  itemsPerSplit: Record<string, number>;
  /** Whether the items' answers were recomputed from scene graphs (ShapesBench). */
  groundTruthChecked: boolean;
}

function tally(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const value of values) out[value] = (out[value] ?? 0) + 1;
  return out;
}

/**
 * Summarises a dataset; checks that every image is an image file, verifies `images.sha256` when
 * present and ShapesBench ground truth when the dataset was made by the ShapesBench generator. A
 * failed check is an {@link InputError}.
 */
export async function summarizeDataset(dataset: Dataset): Promise<DatasetSummary> {
  await checkImageFormats(dataset.dir, dataset.items);
  let hashedImages = 0;
  try {
    await Deno.stat(join(dataset.dir, "images.sha256"));
    hashedImages = await verifyImageHashes(dataset.dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const shapes = dataset.info.generator?.name === "shapesbench";
  if (shapes) {
    const problems = verifyShapesItems(dataset.items);
    if (problems.length > 0) {
      throw new InputError(
        `${dataset.dir}: ${problems.length} items disagree with their scene graphs:\n  ` +
          problems.slice(0, 20).join("\n  "),
        "regenerate the dataset with `deno task nanovlm dataset shapes`",
      );
    }
  }
  return {
    name: dataset.info.name,
    version: dataset.info.version,
    license: dataset.info.license,
    images: imagePaths(dataset.items).length,
    hashedImages,
    itemsPerTask: tally(dataset.items.map((item) => item.task)),
    itemsPerSplit: tally(dataset.items.map((item) => item.split ?? "(none)")),
    groundTruthChecked: shapes,
  };
}
