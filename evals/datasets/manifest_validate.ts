/**
 * Validation of the manifest format (metrics.md §5) without touching the disk: `dataset.json`
 * objects, single items and whole `manifest.jsonl` texts. Every error names the file, the line and
 * the field.
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import {
  type DatasetInfo,
  type ManifestItem,
  TASK_KINDS,
  type TaskKind,
} from "./manifest_types.ts";

type Json = Record<string, unknown>;

const FORMAT_HINT = "see the manifest format in evals/datasets/manifest_types.ts (metrics.md §5)";

function fail(where: string, field: string, problem: string): never {
  throw new InputError(`${where}: field "${field}" ${problem}`, FORMAT_HINT);
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(obj: Json, field: string, where: string): string {
  const value = obj[field];
  if (typeof value !== "string" || value.trim() === "") {
    fail(where, field, `must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optStr(obj: Json, field: string, where: string): void {
  if (obj[field] !== undefined && obj[field] !== null && typeof obj[field] !== "string") {
    fail(where, field, `must be a string when present, got ${JSON.stringify(obj[field])}`);
  }
}

function idValue(obj: Json, field: string, where: string): void {
  const value = obj[field];
  const ok = (typeof value === "number" && Number.isSafeInteger(value)) ||
    (typeof value === "string" && value !== "");
  if (!ok) fail(where, field, `must be an integer or a non-empty string, got ${value}`);
}

function stringList(obj: Json, field: string, where: string): string[] {
  const value = obj[field];
  if (!Array.isArray(value) || value.length === 0) {
    fail(where, field, "must be a non-empty array of strings");
  }
  value.forEach((entry, i) => {
    if (typeof entry !== "string") fail(where, `${field}[${i}]`, "must be a string");
  });
  return value as string[];
}

/**
 * Checks that an image path is relative and stays inside the dataset folder (no absolute paths,
 * no `..` segments, forward slashes only).
 */
export function checkImagePath(path: string, where: string): void {
  const problem = path.startsWith("/") || /^[A-Za-z]:/.test(path)
    ? "is absolute"
    : path.includes("\\")
    ? "contains a backslash"
    : path.split("/").some((part) => part === "..")
    ? "escapes the dataset folder (..)"
    : path.split("/").some((part) => part === "" || part === ".")
    ? "has an empty or '.' segment"
    : undefined;
  if (problem) {
    throw new InputError(
      `${where}: field "image" ${problem}: "${path}"`,
      "image paths are relative to the dataset folder and stay inside it, e.g. images/0001.png",
    );
  }
}

/** Validates one parsed manifest line; VQA answer dicts are reduced to their `answer` text. */
export function validateItem(value: unknown, where: string): ManifestItem {
  if (!isObject(value)) fail(where, "(item)", "must be a JSON object");
  str(value, "id", where);
  const task = value.task;
  if (!TASK_KINDS.includes(task as TaskKind)) {
    fail(where, "task", `must be one of ${TASK_KINDS.join(", ")}, got ${JSON.stringify(task)}`);
  }
  checkImagePath(str(value, "image", where), where);
  idValue(value, "image_id", where);
  for (const field of ["split", "license", "source"]) optStr(value, field, where);
  if (value.meta !== undefined && !isObject(value.meta)) {
    fail(where, "meta", "must be an object when present");
  }
  switch (task as TaskKind) {
    case "caption":
      stringList(value, "references", where);
      break;
    case "retrieval":
      stringList(value, "captions", where);
      break;
    case "vqa":
      validateVqa(value, where);
      break;
    case "mcq":
      validateMcq(value, where);
      break;
  }
  return value as unknown as ManifestItem;
}

function validateVqa(value: Json, where: string): void {
  idValue(value, "question_id", where);
  str(value, "question", where);
  if (Array.isArray(value.answers)) {
    value.answers = value.answers.map((a) =>
      isObject(a) && typeof a.answer === "string" ? a.answer : a
    );
  }
  stringList(value, "answers", where);
  for (const field of ["answer_type", "question_type", "multiple_choice_answer"]) {
    optStr(value, field, where);
  }
}

function validateMcq(value: Json, where: string): void {
  str(value, "question", where);
  const answer = str(value, "answer", where);
  if (!/^[A-Z]$/.test(answer)) fail(where, "answer", `must be one letter A-Z, got "${answer}"`);
  for (const field of ["hint", "category", "l2_category"]) optStr(value, field, where);
  const options = value.options;
  if (options === null) return;
  if (!isObject(options)) fail(where, "options", "must be an object {A: ..., B: ...} or null");
  const letters = Object.keys(options);
  const expected = letters.map((_, i) => String.fromCharCode(65 + i));
  if (letters.length < 2 || letters.join() !== expected.join()) {
    fail(where, "options", `must have keys A, B, ... in order (at least two), got ${letters}`);
  }
  for (const letter of letters) {
    if (typeof options[letter] !== "string") fail(where, `options.${letter}`, "must be a string");
  }
  if (!letters.includes(answer)) {
    fail(where, "answer", `"${answer}" is not one of the options ${letters.join(", ")}`);
  }
}

/** Parses a `manifest.jsonl` text: one item per non-blank line, ids unique, tasks declared. */
export function parseManifest(
  text: string,
  file = "manifest.jsonl",
  tasks: readonly TaskKind[] = TASK_KINDS,
): ManifestItem[] {
  const items: ManifestItem[] = [];
  const seen = new Map<string, number>();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `${file} line ${index + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new InputError(
        `${where}: not valid JSON (${(error as Error).message})`,
        "each line of a .jsonl file holds exactly one JSON object",
      );
    }
    const item = validateItem(parsed, where);
    if (!tasks.includes(item.task)) {
      fail(where, "task", `"${item.task}" is not listed in dataset.json tasks [${tasks}]`);
    }
    const first = seen.get(item.id);
    if (first !== undefined) fail(where, "id", `"${item.id}" repeats the id of line ${first}`);
    seen.set(item.id, index + 1);
    items.push(item);
  });
  return items;
}

/** Validates a parsed `dataset.json`. */
export function validateDatasetInfo(value: unknown, file = "dataset.json"): DatasetInfo {
  if (!isObject(value)) fail(file, "(root)", "must be a JSON object");
  for (const field of ["name", "version", "license", "source"]) str(value, field, file);
  for (const field of ["created", "description"]) optStr(value, field, file);
  const tasks = value.tasks;
  if (!Array.isArray(tasks) || tasks.length === 0) {
    fail(file, "tasks", `must be a non-empty array of ${TASK_KINDS.join("/")}`);
  }
  tasks.forEach((task, i) => {
    if (!TASK_KINDS.includes(task)) fail(file, `tasks[${i}]`, `unknown task ${task}`);
  });
  const generator = value.generator;
  if (generator !== undefined) {
    if (!isObject(generator)) fail(file, "generator", "must be {name, version, seed}");
    str(generator, "name", `${file} generator`);
    str(generator, "version", `${file} generator`);
    if (!Number.isSafeInteger(generator.seed)) fail(file, "generator.seed", "must be an integer");
  }
  return value as unknown as DatasetInfo;
}
