/**
 * Reads an eval output folder (`summary.json` + `records/<cell>.jsonl`) with named errors that
 * say which file and line is wrong.
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import type { EvalOutput, EvalRecord, EvalSummary } from "./types.ts";

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
    if (typeof cell.name !== "string" || !/^[\w.@+-]+$/.test(cell.name)) {
      fail(`cells[${i}].name`, "a file-name-safe string such as fp32@cpu");
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

/**
 * Reads `dir/summary.json` and each cell's `dir/records/<cell>.jsonl`.
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
  for (const cell of summary.cells) {
    const path = `${dir}/records/${cell.name}.jsonl`;
    const body = await readText(path, `records of cell ${cell.name}`, "rerun the eval");
    records.set(cell.name, parseRecords(body, path));
  }
  return { dir, summary, records };
}
