/**
 * Readers for the standard evaluation files taken by the `score` commands (COCO captions
 * annotations and results, VQA v2 annotations and results, a retrieval score matrix, and a
 * minimal reader of the dataset manifest's `manifest.jsonl`). Every problem is an
 * {@link InputError} naming the file, the item and the field.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { FILE_SIZE_LIMITS, readBoundedText } from "../files/mod.ts";
import { loadDataset } from "../../evals/datasets/mod.ts";

type Json = unknown;

/** Reads and parses a JSON file. */
export async function readJsonFile(path: string, what: string): Promise<Json> {
  const text = await readBoundedText(path, {
    maxBytes: FILE_SIZE_LIMITS.manifest,
    what: `${what} file`,
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `${what} file ${path} is not valid JSON: ${(error as Error).message}`,
      "give a JSON file",
    );
  }
}

/** Where a value sits, for error messages: file and item. */
interface Place {
  file: string;
  item: string;
}

function fail(place: Place, field: string, problem: string, hint: string): never {
  throw new InputError(`${place.file}: ${place.item}: field "${field}" ${problem}`, hint);
}

function objectAt(value: Json, place: Place): Record<string, Json> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(`${place.file}: ${place.item} is not a JSON object`, "fix the file");
  }
  return value as Record<string, Json>;
}

function arrayField(object: Record<string, Json>, field: string, place: Place): Json[] {
  const value = object[field];
  if (!Array.isArray(value)) fail(place, field, "is missing or not an array", "fix the file");
  return value;
}

function stringField(object: Record<string, Json>, field: string, place: Place): string {
  const value = object[field];
  if (typeof value !== "string") fail(place, field, "is missing or not a string", "fix the file");
  return value;
}

function idField(object: Record<string, Json>, field: string, place: Place): string {
  const value = object[field];
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && value !== "") return value;
  return fail(place, field, "is missing or not a number/string id", "fix the file");
}

/** Reference captions by image id (string), in first-seen order. */
export type CaptionReferences = Map<string, string[]>;

/** Reads COCO captions annotations (`{"annotations": [{image_id, caption}]}`). */
export async function readCocoCaptions(path: string): Promise<CaptionReferences> {
  const root = objectAt(await readJsonFile(path, "references"), { file: path, item: "top level" });
  const refs: CaptionReferences = new Map();
  arrayField(root, "annotations", { file: path, item: "top level" }).forEach((entry, i) => {
    const place = { file: path, item: `annotations[${i}]` };
    const annotation = objectAt(entry, place);
    const id = idField(annotation, "image_id", place);
    const captions = refs.get(id) ?? [];
    captions.push(stringField(annotation, "caption", place));
    refs.set(id, captions);
  });
  return refs;
}

/** Reads the caption items of a dataset folder (metrics.md §5) as references by image id. */
export async function readManifestCaptions(dir: string): Promise<CaptionReferences> {
  const dataset = await loadDataset(dir, { checkImages: false });
  const refs: CaptionReferences = new Map();
  for (const item of dataset.items) {
    if (item.task !== "caption") continue;
    const id = String(item.image_id);
    if (refs.has(id)) {
      throw new InputError(
        `${dir}/manifest.jsonl: item ${item.id} repeats the captions of image ${id}`,
        "give each image one caption item",
      );
    }
    refs.set(id, item.references);
  }
  return refs;
}

/** Reads caption references from a COCO annotations file or a dataset folder. */
export async function readCaptionReferences(path: string): Promise<CaptionReferences> {
  let isDirectory = false;
  try {
    isDirectory = (await Deno.stat(path)).isDirectory;
  } catch {
    // readJsonFile reports the missing file
  }
  return isDirectory ? readManifestCaptions(path) : readCocoCaptions(path);
}

/** Reads COCO caption results (`[{image_id, caption}]`): one caption per image. */
export async function readCocoResults(path: string): Promise<Map<string, string>> {
  const root = await readJsonFile(path, "predictions");
  if (!Array.isArray(root)) {
    throw new InputError(
      `${path}: predictions must be a JSON array of {image_id, caption}`,
      "use the COCO results format",
    );
  }
  const predictions = new Map<string, string>();
  root.forEach((entry, i) => {
    const place = { file: path, item: `[${i}]` };
    const result = objectAt(entry, place);
    const id = idField(result, "image_id", place);
    if (predictions.has(id)) {
      fail(place, "image_id", `repeats image ${id}`, "give one caption per image");
    }
    predictions.set(id, stringField(result, "caption", place));
  });
  return predictions;
}

/** A VQA v2 question's reference answers and answer type. */
export interface VqaReference {
  answers: string[];
  answerType?: string;
}

/** Reads VQA v2 annotations (`{"annotations": [{question_id, answers: [{answer}|string], answer_type}]}`). */
export async function readVqaAnnotations(path: string): Promise<Map<string, VqaReference>> {
  const root = objectAt(await readJsonFile(path, "annotations"), { file: path, item: "top level" });
  const references = new Map<string, VqaReference>();
  arrayField(root, "annotations", { file: path, item: "top level" }).forEach((entry, i) => {
    const place = { file: path, item: `annotations[${i}]` };
    const annotation = objectAt(entry, place);
    const id = idField(annotation, "question_id", place);
    const answers = arrayField(annotation, "answers", place).map((answer, k) => {
      if (typeof answer === "string") return answer;
      return stringField(
        objectAt(answer, { ...place, item: `${place.item}.answers[${k}]` }),
        "answer",
        {
          ...place,
          item: `${place.item}.answers[${k}]`,
        },
      );
    });
    if (answers.length === 0) fail(place, "answers", "is empty", "give the human answers");
    if (references.has(id)) {
      fail(place, "question_id", `repeats question ${id}`, "remove the duplicate");
    }
    const answerType = annotation.answer_type;
    references.set(id, { answers, ...(typeof answerType === "string" ? { answerType } : {}) });
  });
  return references;
}

/** Reads VQA results (`[{question_id, answer}]`). */
export async function readVqaResults(path: string): Promise<Map<string, string>> {
  const root = await readJsonFile(path, "predictions");
  if (!Array.isArray(root)) {
    throw new InputError(
      `${path}: predictions must be a JSON array of {question_id, answer}`,
      "use the VQA results format",
    );
  }
  const predictions = new Map<string, string>();
  root.forEach((entry, i) => {
    const place = { file: path, item: `[${i}]` };
    const result = objectAt(entry, place);
    const id = idField(result, "question_id", place);
    if (predictions.has(id)) {
      fail(place, "question_id", `repeats question ${id}`, "give one answer per question");
    }
    predictions.set(id, stringField(result, "answer", place));
  });
  return predictions;
}

/** Reads a retrieval score file (`{"scores": [[image × caption]], "captionsPerImage": k}`). */
export async function readRetrievalScores(
  path: string,
): Promise<{ scores: number[][]; captionsPerImage: number }> {
  const top = { file: path, item: "top level" };
  const root = objectAt(await readJsonFile(path, "scores"), top);
  const scores = arrayField(root, "scores", top).map((row, i) => {
    if (!Array.isArray(row)) {
      fail(top, `scores[${i}]`, "is not an array", "give an images × captions matrix");
    }
    return row.map((value, j) => {
      if (typeof value !== "number") {
        fail(top, `scores[${i}][${j}]`, "is not a number", "fix the matrix");
      }
      return value;
    });
  });
  const k = root.captionsPerImage;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1) {
    fail(
      top,
      "captionsPerImage",
      "is missing or not a positive integer",
      'add e.g. "captionsPerImage": 5',
    );
  }
  return { scores, captionsPerImage: k };
}

/**
 * Pairs predictions with references: every prediction needs a reference; every reference needs
 * a prediction unless `subset` is set (then only predicted items are scored).
 */
export function pairPredictions<R>(
  references: Map<string, R>,
  predictions: Map<string, string>,
  { what, referencesFile, predictionsFile, subset }: {
    what: string;
    referencesFile: string;
    predictionsFile: string;
    subset: boolean;
  },
): { id: string; prediction: string; reference: R }[] {
  const unknown = [...predictions.keys()].filter((id) => !references.has(id));
  if (unknown.length > 0) {
    throw new InputError(
      `${predictionsFile}: ${unknown.length} prediction(s) for ${what}s not in ${referencesFile} (first: ${
        unknown.slice(0, 3).join(", ")
      })`,
      "score predictions against the matching reference file",
    );
  }
  const missing = [...references.keys()].filter((id) => !predictions.has(id));
  if (missing.length > 0 && !subset) {
    throw new InputError(
      `${predictionsFile}: no prediction for ${missing.length} ${what}(s) of ${referencesFile} (first: ${
        missing.slice(0, 3).join(", ")
      })`,
      "predict every item, or pass --subset to score only the predicted ones",
    );
  }
  return [...references]
    .filter(([id]) => predictions.has(id))
    .map(([id, reference]) => ({ id, prediction: predictions.get(id)!, reference }));
}
