/**
 * Suites are configuration: `evals/suites/<name>.json` lists tasks, each with a kind, a dataset
 * folder (the manifest format), a prompt template per model generation, generation options,
 * metrics, a category field and a limit. Validation is strict: an unknown key, a missing dataset
 * or a kind the dataset lacks is an {@link InputError} naming the file and the key.
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import {
  FILE_SIZE_LIMITS,
  type GenerationOptions,
  InputError,
  readBoundedText,
} from "../../src/mod.ts";
import { type Dataset, loadDataset } from "../datasets/mod.ts";
import { metricNames } from "./metric_names.ts";
import {
  expandPath,
  fail,
  isObject,
  parseGenerationOptions,
  parsePrompt,
  positiveInt,
  type PromptTemplate,
  strictKeys,
} from "./suite_fields.ts";
import type { EvalTaskKind, McqMethod } from "./types.ts";

export type { PromptTemplate };

/** One task of a suite, validated, with its dataset loaded. */
export interface SuiteTask {
  /** Unique task name within the suite (keys records and results). */
  name: string;
  /** Task kind (one of the dataset's). */
  kind: EvalTaskKind;
  /** The dataset. */
  dataset: Dataset;
  /** Prompt template (`{question}` and `{hint}` are filled from the item); default: the task command's. */
  prompt?: PromptTemplate;
  /** Generation options (suite defaults merged under the task's). */
  generation: GenerationOptions;
  /** Metrics reported (default: all of the kind's). */
  metrics: string[];
  /** Item field (or `meta.<field>`) whose value groups the per-category breakdown. */
  categories?: string;
  /** Items of this kind evaluated at most (first in manifest order). */
  limit?: number;
  /** mcq: `loglik` (default, as `choose`) or `letter`. */
  method: McqMethod;
  /** mcq loglik and retrieval: rank by summed or mean log-likelihood (defaults as the commands: sum for mcq, mean for retrieval). */
  by: "sum" | "mean";
  /** retrieval: subtract the language prior (as `retrieve --prior-correction`). */
  priorCorrection: boolean;
}

/** A validated suite. */
export interface Suite {
  /** Suite name. */
  name: string;
  /** The file it came from (or `--dataset DIR` for an ad-hoc suite). */
  source: string;
  /** One line about it. */
  description: string;
  /** Rows per model call (default 1; batched runs left-pad). */
  batchSize: number;
  /** Bootstrap resamples and seed for the confidence intervals. */
  bootstrap: { resamples: number; seed: number };
  /** Tasks in run order. */
  tasks: SuiteTask[];
}

const SUITE_KEYS = ["name", "description", "batchSize", "bootstrap", "generation", "tasks"];
const TASK_KEYS = [
  "name",
  "kind",
  "dataset",
  "prompt",
  "generation",
  "metrics",
  "categories",
  "limit",
  "method",
  "by",
  "priorCorrection",
];
const KINDS: readonly EvalTaskKind[] = ["caption", "vqa", "mcq", "retrieval"];

async function openDataset(
  dir: string,
  file: string,
  key: string,
  cache: Map<string, Dataset>,
): Promise<Dataset> {
  const cached = cache.get(dir);
  if (cached) return cached;
  try {
    const stat = await Deno.stat(dir);
    if (!stat.isDirectory) throw new Error("not a folder");
  } catch {
    fail(
      file,
      key,
      `names no dataset folder: ${dir}`,
      "point it at a folder holding dataset.json and manifest.jsonl (relative paths start at the suite file)",
    );
  }
  const dataset = await loadDataset(dir);
  cache.set(dir, dataset);
  return dataset;
}

async function parseTask(
  value: unknown,
  index: number,
  file: string,
  defaults: GenerationOptions,
  datasets: Map<string, Dataset>,
): Promise<SuiteTask> {
  const where = `tasks[${index}]`;
  if (!isObject(value)) fail(file, where, "must be an object");
  strictKeys(value, TASK_KEYS, file, where);
  const kind = value.kind as EvalTaskKind;
  if (!KINDS.includes(kind)) {
    fail(
      file,
      `${where}.kind`,
      `must be one of ${KINDS.join(", ")}, got ${JSON.stringify(value.kind)}`,
    );
  }
  const name = value.name ?? kind;
  if (typeof name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    fail(
      file,
      `${where}.name`,
      `must be a name of letters, digits, _ . -, got ${JSON.stringify(name)}`,
    );
  }
  if (typeof value.dataset !== "string") {
    fail(file, `${where}.dataset`, "is required: the dataset folder");
  }
  const expanded = expandPath(value.dataset, file, `${where}.dataset`);
  const dir = isAbsolute(expanded) ? expanded : resolve(dirname(file), expanded);
  const dataset = await openDataset(dir, file, `${where}.dataset`, datasets);
  if (!dataset.items.some((item) => item.task === kind)) {
    fail(
      file,
      `${where}.kind`,
      `is "${kind}" but dataset ${dir} holds no ${kind} items (it has ${
        dataset.info.tasks.join(", ")
      })`,
      "pick one of the dataset's task kinds",
    );
  }
  const available = metricNames(kind);
  let metrics = available;
  if (value.metrics !== undefined) {
    if (!Array.isArray(value.metrics) || value.metrics.length === 0) {
      fail(file, `${where}.metrics`, "must be a non-empty list of metric names");
    }
    for (const m of value.metrics) {
      if (!available.includes(m)) {
        fail(
          file,
          `${where}.metrics`,
          `names "${m}", not a ${kind} metric`,
          `${kind} metrics: ${available.join(", ")}`,
        );
      }
    }
    metrics = value.metrics as string[];
  }
  const method = (value.method ?? "loglik") as McqMethod;
  if (method !== "loglik" && method !== "letter") {
    fail(file, `${where}.method`, `must be loglik or letter, got ${JSON.stringify(method)}`);
  }
  if (value.method !== undefined && kind !== "mcq") {
    fail(file, `${where}.method`, "applies to mcq tasks only");
  }
  const by = (value.by ?? (kind === "retrieval" ? "mean" : "sum")) as "sum" | "mean";
  if (by !== "sum" && by !== "mean") {
    fail(file, `${where}.by`, `must be sum or mean, got ${JSON.stringify(by)}`);
  }
  if (typeof (value.priorCorrection ?? false) !== "boolean") {
    fail(file, `${where}.priorCorrection`, "must be true or false");
  }
  if (value.categories !== undefined && typeof value.categories !== "string") {
    fail(file, `${where}.categories`, "must be an item field name, e.g. question_type");
  }
  return {
    name,
    kind,
    dataset,
    prompt: parsePrompt(value.prompt, file, `${where}.prompt`),
    generation: {
      ...defaults,
      ...parseGenerationOptions(value.generation, file, `${where}.generation`),
    },
    metrics,
    categories: (value.categories as string | undefined) ?? defaultCategories(kind),
    limit: value.limit === undefined ? undefined : positiveInt(value.limit, file, `${where}.limit`),
    method,
    by,
    priorCorrection: (value.priorCorrection as boolean | undefined) ?? false,
  };
}

/** The category field of a kind unless a suite names one: VQA question types, mcq categories. */
function defaultCategories(kind: EvalTaskKind): string | undefined {
  return kind === "vqa" ? "question_type" : kind === "mcq" ? "category" : undefined;
}

/**
 * Validates a parsed suite object (`file` names it in errors; dataset paths are relative to it).
 */
export async function parseSuite(value: unknown, file: string): Promise<Suite> {
  if (!isObject(value)) fail(file, "(top level)", "must be a JSON object");
  strictKeys(value, SUITE_KEYS, file, "");
  if (typeof value.name !== "string" || value.name === "") {
    fail(file, "name", "is required: the suite's name");
  }
  if (!Array.isArray(value.tasks) || value.tasks.length === 0) {
    fail(file, "tasks", "must be a non-empty list");
  }
  let bootstrap = { resamples: 1000, seed: 0 };
  if (value.bootstrap !== undefined) {
    if (!isObject(value.bootstrap)) fail(file, "bootstrap", "must be {resamples, seed}");
    strictKeys(value.bootstrap, ["resamples", "seed"], file, "bootstrap");
    bootstrap = {
      resamples: value.bootstrap.resamples === undefined
        ? 1000
        : positiveInt(value.bootstrap.resamples, file, "bootstrap.resamples"),
      seed: (value.bootstrap.seed as number | undefined) ?? 0,
    };
    if (!Number.isSafeInteger(bootstrap.seed) || bootstrap.seed < 0) {
      fail(file, "bootstrap.seed", "must be an integer >= 0");
    }
  }
  const defaults = parseGenerationOptions(value.generation, file, "generation");
  const datasets = new Map<string, Dataset>();
  const tasks: SuiteTask[] = [];
  for (const [i, task] of value.tasks.entries()) {
    tasks.push(await parseTask(task, i, file, defaults, datasets));
  }
  const names = new Set<string>();
  tasks.forEach((task, i) => {
    if (names.has(task.name)) {
      fail(file, `tasks[${i}].name`, `repeats "${task.name}"`, "give each task its own name");
    }
    names.add(task.name);
  });
  if (value.description !== undefined && typeof value.description !== "string") {
    fail(file, "description", "must be a string");
  }
  return {
    name: value.name,
    source: file,
    description: (value.description as string | undefined) ?? "",
    batchSize: value.batchSize === undefined ? 1 : positiveInt(value.batchSize, file, "batchSize"),
    bootstrap,
    tasks,
  };
}

/** The folder of the bundled suites. */
export const SUITES_DIR: string = decodeURIComponent(
  new URL("../suites/", import.meta.url).pathname,
);

/**
 * Loads a suite by bundled name (`smoke`, `shapes`, `photos`, …) or by path to a `.json` file
 * (a path holds a `/` or ends in `.json`; YAML is refused by name). The file is read bounded:
 * regular files of at most 8 MiB.
 *
 * @example
 * ```ts
 * const suite = await loadSuite("smoke");
 * console.log(suite.tasks.map((t) => `${t.name}: ${t.kind}`));
 * ```
 */
export async function loadSuite(nameOrPath: string): Promise<Suite> {
  if (/\.ya?ml$/i.test(nameOrPath)) {
    throw new InputError(
      `${nameOrPath}: suite files are JSON, not YAML`,
      "write the suite as a .json file with the same keys (see evals/suites/README.md)",
    );
  }
  const isPath = nameOrPath.endsWith(".json") || nameOrPath.includes("/");
  const file = isPath ? resolve(nameOrPath) : join(SUITES_DIR, `${nameOrPath}.json`);
  try {
    await Deno.lstat(file);
  } catch {
    const bundled = [...Deno.readDirSync(SUITES_DIR)].filter((e) => e.name.endsWith(".json")).map((
      e,
    ) => e.name.slice(0, -5)).sort();
    throw new InputError(
      `no suite "${nameOrPath}" (looked for ${file})`,
      `use a bundled suite (${bundled.join(", ")}) or a path to a suite .json file`,
    );
  }
  // Bounded: a FIFO, a device or a huge file is a named error, not a hang.
  const text = await readBoundedText(file, {
    maxBytes: FILE_SIZE_LIMITS.suite,
    what: "suite file",
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `${file}: not valid JSON (${(error as Error).message})`,
      "fix the suite file",
    );
  }
  return await parseSuite(parsed, file);
}

/**
 * The ad-hoc suite of `--dataset DIR`: one task per kind the folder holds, with the task commands'
 * default prompts, methods and generation options.
 */
export async function datasetSuite(dir: string): Promise<Suite> {
  const file = `${resolve(dir)}/(--dataset)`;
  const dataset = await openDataset(resolve(dir), file, "--dataset", new Map());
  const kinds = KINDS.filter((kind) => dataset.items.some((item) => item.task === kind));
  return {
    name: `dataset:${dataset.info.name}`,
    source: resolve(dir),
    description: `every task kind of ${dir} with the task commands' defaults`,
    batchSize: 1,
    bootstrap: { resamples: 1000, seed: 0 },
    tasks: kinds.map((kind) => ({
      name: kind,
      kind,
      dataset,
      generation: {},
      metrics: metricNames(kind),
      categories: defaultCategories(kind),
      method: "loglik",
      by: kind === "retrieval" ? "mean" : "sum",
      priorCorrection: false,
    })),
  };
}
