/**
 * Evaluation datasets: the manifest format (metrics.md §5) with its loader and writer,
 * importers from COCO captions / VQA v2 / Karpathy splits, exporters to the official result
 * formats, the procedural ShapesBench generator and the bundled photos.
 *
 * @example
 * ```ts
 * import { loadDataset, writeShapesBench } from "./evals/datasets/mod.ts";
 * await writeShapesBench("/tmp/shapes", { seed: 1, count: 50 });
 * const dataset = await loadDataset("/tmp/shapes", { verifyHashes: true });
 * ```
 *
 * @module
 */
export * from "./manifest_types.ts";
export * from "./manifest_validate.ts";
export * from "./hashing.ts";
export * from "./load.ts";
export * from "./write.ts";
export * from "./import_folder.ts";
export * from "./summary.ts";
export * from "./coco_captions.ts";
export * from "./vqa_v2.ts";
export * from "./karpathy.ts";
export * from "./results.ts";
export { readJsonFile } from "./json_fields.ts";
export * from "./shapes/mod.ts";
export * from "./photos/mod.ts";
export * from "./image_files.ts";
