/**
 * Reads an eval output folder as the harness writes it: `summary.json`, `records/<cell>.jsonl`,
 * the per-item scores of `results/<cell>/<task>.json` when present, and (through `run.json`, the
 * suite and its datasets) each item's picture, question and references for the gallery. Every
 * problem is a named error saying which file and line is wrong.
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import {
  cellFileStem,
  type EvalRecord,
  type EvalSummary,
  type GateReport,
  type TaskResult,
} from "../harness/mod.ts";
import { type ItemDetails, runItemDetails } from "./items.ts";

/** An eval output folder, read. */
export interface EvalOutput {
  /** The folder. */
  dir: string;
  /** Its summary. */
  summary: EvalSummary;
  /** Records per cell name, in file order. */
  records: Map<string, EvalRecord[]>;
  /** Per-item scores per cell and task (`results/<cell>/<task>.json`), by item id. */
  perItem: Map<string, Map<string, Record<string, Record<string, number>>>>;
  /** Picture, question and references by item id (empty when the datasets are gone). */
  details: Map<string, ItemDetails>;
  /** The regression gate's outcome (`gate.json`), when the run was compared with a baseline. */
  gate?: GateReport & { baseline?: string };
}

async function readText(path: string, what: string, fix: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`report: ${what} not found: ${path}`, fix);
    }
    throw error;
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkSummary(value: unknown, path: string): EvalSummary {
  const fail = (key: string, want: string): never => {
    throw new InputError(
      `report: ${path}: "${key}" must be ${want}`,
      "point the report at a folder written by `nanovlm eval`",
    );
  };
  if (!isObject(value)) return fail("(top level)", "an object");
  if (typeof value.suite !== "string") fail("suite", "a string");
  if (!isObject(value.model)) fail("model", "an object {path, sha256}");
  if (!Array.isArray(value.cells) || value.cells.length === 0) {
    fail("cells", "a non-empty array");
  }
  (value.cells as unknown[]).forEach((cell, i) => {
    if (!isObject(cell)) return fail(`cells[${i}]`, "an object");
    if (typeof cell.name !== "string" || cell.name === "" || /[/\\]/.test(cell.name)) {
      fail(`cells[${i}].name`, "a cell name such as fp32@cpu (no slashes)");
    }
    if (!isObject(cell.tasks)) fail(`cells[${i}].tasks`, "an object of task results");
    for (const [task, result] of Object.entries(cell.tasks as Record<string, unknown>)) {
      if (!isObject(result) || !isObject(result.metrics) || typeof result.kind !== "string") {
        fail(`cells[${i}].tasks.${task}`, "an object {kind, n, metrics}");
      }
    }
  });
  return value as unknown as EvalSummary;
}

function parseRecords(text: string, path: string): EvalRecord[] {
  const records: EvalRecord[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputError(
        `report: ${path}:${i + 1} is not valid JSON`,
        "rerun `nanovlm eval --resume` on the folder to repair its records",
      );
    }
    if (
      !isObject(value) || typeof value.id !== "string" || typeof value.task !== "string" ||
      !("prediction" in value)
    ) {
      throw new InputError(
        `report: ${path}:${i + 1} lacks one of "id", "task", "prediction"`,
        "records must be written by `nanovlm eval`",
      );
    }
    records.push(value as unknown as EvalRecord);
  });
  return records;
}

/** The records file of a cell: the summary's `records` path, else `records/<cell>.jsonl`. */
function recordsFile(dir: string, cell: { name: string; records?: string }): string {
  return `${dir}/${cell.records ?? `records/${cellFileStem(cell.name)}.jsonl`}`;
}

/**
 * Reads `dir/summary.json`, each cell's records, the per-task results and the items' details.
 *
 * @example
 * ```ts
 * const output = await readEvalOutput("reports/demo");
 * console.log(output.summary.cells.map((c) => c.name));
 * ```
 */
export async function readEvalOutput(dir: string): Promise<EvalOutput> {
  const summaryPath = `${dir}/summary.json`;
  const text = await readText(
    summaryPath,
    "summary",
    "run `nanovlm eval ... --out DIR` first, or pass the folder it wrote",
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(
      `report: ${summaryPath} is not valid JSON`,
      "the summary is written atomically at the end of a run: rerun the eval",
    );
  }
  const summary = checkSummary(parsed, summaryPath);
  const records = new Map<string, EvalRecord[]>();
  const perItem: EvalOutput["perItem"] = new Map();
  for (const cell of summary.cells) {
    const path = recordsFile(dir, cell);
    const body = await readText(path, `records of cell ${cell.name}`, "rerun the eval");
    records.set(cell.name, parseRecords(body, path));
    const tasks = new Map<string, Record<string, Record<string, number>>>();
    for (const task of Object.keys(cell.tasks)) {
      const resultPath = `${dir}/results/${cellFileStem(cell.name)}/${task}.json`;
      const result = await readOptional(resultPath);
      if (result === undefined) continue;
      try {
        const scores = (JSON.parse(result) as TaskResult).perItem;
        if (isObject(scores)) tasks.set(task, scores);
      } catch {
        throw new InputError(`report: ${resultPath} is not valid JSON`, "rerun the eval");
      }
    }
    perItem.set(cell.name, tasks);
  }
  const gateText = await readOptional(`${dir}/gate.json`);
  let gate: EvalOutput["gate"];
  if (gateText !== undefined) {
    try {
      gate = JSON.parse(gateText);
    } catch {
      throw new InputError(`report: ${dir}/gate.json is not valid JSON`, "rerun the gate");
    }
  }
  return {
    dir,
    summary,
    records,
    perItem,
    details: await runItemDetails(dir),
    ...(gate ? { gate } : {}),
  };
}
