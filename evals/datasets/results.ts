/**
 * Per-item predictions (JSONL `{"id", "prediction", "raw"?, "logprobs"?}`) and their export to
 * the official result formats: COCO caption results `[{image_id, caption}]` and VQA results
 * `[{question_id, answer}]`, so results can be cross-checked with the Python scorers.
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import { badField, idAt, objectAt, stringAt } from "./json_fields.ts";
import type { ImageId, ManifestItem } from "./manifest_types.ts";

/** One model output for one manifest item. */
export interface Prediction {
  /** The manifest item id. */
  id: string;
  /** The answer or caption as scored. */
  prediction: string;
  /** The raw generated text, before any extraction. */
  raw?: string;
  /** Token log-probabilities, where kept. */
  logprobs?: number[];
}

/** A COCO caption result. */
export interface CocoCaptionResult {
  /** The image the caption is for. */
  image_id: ImageId;
  /** The predicted caption. */
  caption: string;
}

/** A VQA result. */
export interface VqaResult {
  /** The question answered. */
  question_id: ImageId;
  /** The predicted answer. */
  answer: string;
}

/** Parses a predictions JSONL text; errors name the line and field. */
export function parsePredictions(text: string, file = "predictions.jsonl"): Prediction[] {
  const out: Prediction[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InputError(`${file} line ${i + 1}: not valid JSON (${(error as Error).message})`);
    }
    for (const field of ["id", "prediction"]) {
      if (typeof value?.[field] !== "string") {
        throw new InputError(
          `${file} line ${i + 1}: field "${field}" must be a string`,
          'each line is {"id": "<manifest item id>", "prediction": "<text>"}',
        );
      }
    }
    out.push(value as unknown as Prediction);
  });
  return out;
}

function joinPredictions<T extends ManifestItem>(
  items: readonly ManifestItem[],
  predictions: readonly Prediction[],
  task: T["task"],
): { item: T; prediction: string }[] {
  const wanted = items.filter((item): item is T => item.task === task);
  const byId = new Map(predictions.map((p) => [p.id, p.prediction]));
  const known = new Set(wanted.map((item) => item.id));
  const missing = wanted.filter((item) => !byId.has(item.id)).map((item) => item.id);
  const unknown = predictions.filter((p) => !known.has(p.id)).map((p) => p.id);
  if (missing.length > 0 || unknown.length > 0) {
    throw new InputError(
      `predictions do not match the ${task} items: ${missing.length} items without a prediction` +
        ` (${missing.slice(0, 5).join(", ")}), ${unknown.length} predictions for no ${task} item` +
        ` (${unknown.slice(0, 5).join(", ")})`,
      `give exactly one prediction per ${task} item, keyed by the manifest id`,
    );
  }
  return wanted.map((item) => ({ item, prediction: byId.get(item.id)! }));
}

/**
 * COCO caption results for the caption items: one per image (two caption items on one image id
 * are an error, as the COCO scorer takes one caption per image).
 *
 * @example
 * ```ts
 * const results = toCocoCaptionResults(dataset.items, predictions);
 * await Deno.writeTextFile("captions_results.json", JSON.stringify(results));
 * ```
 */
export function toCocoCaptionResults(
  items: readonly ManifestItem[],
  predictions: readonly Prediction[],
): CocoCaptionResult[] {
  const seen = new Set<ImageId>();
  return joinPredictions<Extract<ManifestItem, { task: "caption" }>>(items, predictions, "caption")
    .map(({ item, prediction }) => {
      if (seen.has(item.image_id)) {
        throw new InputError(
          `two caption items share image_id ${item.image_id} (one is ${item.id})`,
          "COCO results hold one caption per image; score such items separately",
        );
      }
      seen.add(item.image_id);
      return { image_id: item.image_id, caption: prediction };
    });
}

/** VQA results for the VQA items, in manifest order. */
export function toVqaResults(
  items: readonly ManifestItem[],
  predictions: readonly Prediction[],
): VqaResult[] {
  return joinPredictions<Extract<ManifestItem, { task: "vqa" }>>(items, predictions, "vqa")
    .map(({ item, prediction }) => ({ question_id: item.question_id, answer: prediction }));
}

function resultList(json: unknown, file: string, shape: string): Record<string, unknown>[] {
  if (!Array.isArray(json)) {
    throw new InputError(`${file}: results must be a JSON array of ${shape}`, `use ${shape}`);
  }
  return json.map((entry, i) => objectAt(entry, file, `[${i}]`));
}

function noRepeats<T>(results: T[], key: (r: T) => ImageId, file: string, what: string): T[] {
  const seen = new Set<string>();
  results.forEach((result, i) => {
    const id = String(key(result));
    if (seen.has(id)) badField(file, `[${i}]`, `repeats ${what} ${id}`, `give one per ${what}`);
    seen.add(id);
  });
  return results;
}

/** Reads COCO caption results (`[{image_id, caption}]`, one per image); errors name the entry. */
export function parseCocoCaptionResults(json: unknown, file = "results"): CocoCaptionResult[] {
  const results = resultList(json, file, '[{"image_id", "caption"}]').map((r, i) => ({
    image_id: idAt(r, "image_id", file, `[${i}].image_id`),
    caption: stringAt(r, "caption", file, `[${i}].caption`),
  }));
  return noRepeats(results, (r) => r.image_id, file, "image");
}

/** Reads VQA results (`[{question_id, answer}]`, one per question); errors name the entry. */
export function parseVqaResults(json: unknown, file = "results"): VqaResult[] {
  const results = resultList(json, file, '[{"question_id", "answer"}]').map((r, i) => ({
    question_id: idAt(r, "question_id", file, `[${i}].question_id`),
    answer: stringAt(r, "answer", file, `[${i}].answer`),
  }));
  return noRepeats(results, (r) => r.question_id, file, "question");
}
