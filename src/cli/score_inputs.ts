/**
 * What the `score` commands read, in every form a user has it: the official files (COCO captions
 * annotations and results, VQA v2 annotations and results), a dataset folder in the manifest format
 * (or its `manifest.jsonl`) with per-item predictions (`{"id", "prediction"}` JSONL, as the eval
 * harness's records and `--json` task outputs give them), and a retrieval score matrix (from a file
 * or `-` for standard input, such as `retrieve --json`). The format readers themselves live in
 * `evals/datasets/`; this module only chooses between them and keys everything by string id.
 *
 * @module
 */
import {
  cocoCaptionAnnotations,
  type Dataset,
  loadDataset,
  type ManifestItem,
  parseCocoCaptionResults,
  parsePredictions,
  parseVqaResults,
  readJsonFile,
  type TaskKind,
  toCocoCaptionResults,
  toVqaResults,
  vqaAnnotations,
} from "../../evals/datasets/mod.ts";
import { InputError } from "../errors.ts";
import { FILE_SIZE_LIMITS, readBoundedText } from "../files/mod.ts";

/** A dataset folder, or its `manifest.jsonl`: the folder to load; `undefined` for other files. */
async function datasetFolder(path: string): Promise<string | undefined> {
  if (path.endsWith("manifest.jsonl")) return path.slice(0, -"manifest.jsonl".length) || ".";
  try {
    return (await Deno.stat(path)).isDirectory ? path : undefined;
  } catch {
    return undefined; // the file reader reports a missing path
  }
}

/** References keyed by string id, and the dataset they came from (when one was given). */
export interface References<R> {
  /** References by image id (captions) or question id (VQA). */
  refs: Map<string, R>;
  /** The dataset, when the references came from a dataset folder. */
  dataset?: Dataset;
}

function itemsOf<T extends ManifestItem>(dataset: Dataset, task: T["task"], path: string): T[] {
  const items = dataset.items.filter((item): item is T => item.task === task);
  if (items.length === 0) {
    throw new InputError(
      `${path} holds no ${task} items`,
      `score a dataset whose manifest has "task": "${task}" lines`,
    );
  }
  return items;
}

/** Reference captions by image id, from COCO annotations or a dataset folder. */
export async function readCaptionReferences(path: string): Promise<References<string[]>> {
  const folder = await datasetFolder(path);
  if (folder === undefined) {
    const captions = cocoCaptionAnnotations(await readJsonFile(path, "COCO captions"), path);
    return { refs: new Map([...captions].map(([id, c]) => [String(id), c.texts])) };
  }
  const dataset = await loadDataset(folder, { checkImages: false });
  const refs = new Map<string, string[]>();
  for (
    const item of itemsOf<Extract<ManifestItem, { task: "caption" }>>(dataset, "caption", path)
  ) {
    const id = String(item.image_id);
    if (refs.has(id)) {
      throw new InputError(
        `${folder}/manifest.jsonl: item ${item.id} repeats the captions of image ${id}`,
        "give each image one caption item",
      );
    }
    refs.set(id, item.references);
  }
  return { refs, dataset };
}

/** A VQA question's reference answers and answer type. */
export interface VqaReference {
  /** The human answers. */
  answers: string[];
  /** `yes/no`, `number` or `other`, where known. */
  answerType?: string;
}

/** Reference answers by question id, from VQA v2 annotations or a dataset folder. */
export async function readVqaReferences(path: string): Promise<References<VqaReference>> {
  const folder = await datasetFolder(path);
  const withType = (answers: string[], type: unknown): VqaReference =>
    typeof type === "string" ? { answers, answerType: type } : { answers };
  if (folder === undefined) {
    const annotations = vqaAnnotations(await readJsonFile(path, "VQA annotations"), path);
    return {
      refs: new Map(
        [...annotations].map(([id, a]) => [String(id), withType(a.answers, a.value.answer_type)]),
      ),
    };
  }
  const dataset = await loadDataset(folder, { checkImages: false });
  const refs = new Map<string, VqaReference>();
  for (const item of itemsOf<Extract<ManifestItem, { task: "vqa" }>>(dataset, "vqa", path)) {
    refs.set(String(item.question_id), withType(item.answers, item.answer_type));
  }
  return { refs, dataset };
}

/**
 * Per-item predictions of one task from a JSONL file keyed by manifest item id. Lines for items of
 * other tasks are skipped (a records file holds every task); ids the dataset lacks are an error.
 */
export async function readItemPredictions(
  path: string,
  dataset: Dataset | undefined,
  task: TaskKind,
): Promise<{ id: string; prediction: string }[]> {
  if (!dataset) {
    throw new InputError(
      `${path}: per-item predictions (JSONL keyed by manifest id) need the dataset they answer`,
      "pass the dataset folder as the references, or give official results JSON",
    );
  }
  const text = await readBoundedText(path, {
    maxBytes: FILE_SIZE_LIMITS.manifest,
    what: "predictions file",
  });
  const taskOf = new Map(dataset.items.map((item) => [item.id, item.task]));
  const predictions = parsePredictions(text, path);
  const unknown = predictions.filter((p) => !taskOf.has(p.id)).map((p) => p.id);
  if (unknown.length > 0) {
    throw new InputError(
      `${path}: ${unknown.length} prediction(s) for items not in ${dataset.dir} (first: ${
        unknown.slice(0, 3).join(", ")
      })`,
      "score predictions against the dataset they were made on",
    );
  }
  return predictions.filter((p) => taskOf.get(p.id) === task);
}

/** Predicted captions by image id: COCO results JSON, or per-item JSONL against the dataset. */
export async function readCaptionPredictions(
  path: string,
  dataset?: Dataset,
): Promise<Map<string, string>> {
  const results = path.endsWith(".jsonl")
    ? toCocoCaptionResults(dataset!.items, await readItemPredictions(path, dataset, "caption"))
    : parseCocoCaptionResults(await readJsonFile(path, "COCO results"), path);
  return new Map(results.map((r) => [String(r.image_id), r.caption]));
}

/** Predicted answers by question id: VQA results JSON, or per-item JSONL against the dataset. */
export async function readVqaPredictions(
  path: string,
  dataset?: Dataset,
): Promise<Map<string, string>> {
  const results = path.endsWith(".jsonl")
    ? toVqaResults(dataset!.items, await readItemPredictions(path, dataset, "vqa"))
    : parseVqaResults(await readJsonFile(path, "VQA results"), path);
  return new Map(results.map((r) => [String(r.question_id), r.answer]));
}

/**
 * Reads a retrieval score matrix: `{"scores": [[image × caption]], "captionsPerImage"?: k}`, which
 * is also what `retrieve --json` prints (`-` reads standard input).
 */
export async function readRetrievalScores(
  path: string,
): Promise<{ scores: number[][]; captionsPerImage?: number }> {
  const where = path === "-" ? "standard input" : path;
  const root = await readJsonFile(path, "retrieval scores");
  const matrix = (root as { scores?: unknown })?.scores;
  if (!Array.isArray(matrix) || matrix.length === 0) {
    throw new InputError(
      `${where}: "scores" is missing or not a non-empty array`,
      'give {"scores": [[...], ...]} with one row per image (retrieve --json prints it)',
    );
  }
  const width = Array.isArray(matrix[0]) ? matrix[0].length : -1;
  const scores = matrix.map((row, i) => {
    if (!Array.isArray(row) || row.length !== width) {
      throw new InputError(
        `${where}: scores[${i}] is not a row of ${width} numbers`,
        "give an images × captions matrix",
      );
    }
    return row.map((value, j) => {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new InputError(
          `${where}: scores[${i}][${j}] is not a finite number`,
          "fix the matrix",
        );
      }
      return value;
    });
  });
  const k = (root as { captionsPerImage?: unknown }).captionsPerImage;
  if (k !== undefined && !(typeof k === "number" && Number.isInteger(k) && k >= 1)) {
    throw new InputError(
      `${where}: "captionsPerImage" is not a positive integer`,
      'e.g. "captionsPerImage": 5',
    );
  }
  return { scores, ...(k === undefined ? {} : { captionsPerImage: k as number }) };
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
