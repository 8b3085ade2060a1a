/**
 * Small readers for fields of foreign JSON files (COCO, VQA, Karpathy) that fail with an
 * {@link InputError} naming the file and the field path, e.g. `annotations[3].caption`.
 *
 * @module
 */
import { FILE_SIZE_LIMITS, InputError, readBoundedText } from "../../src/mod.ts";

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** Throws an {@link InputError} about `path` in `file`. */
export function badField(file: string, path: string, problem: string, hint?: string): never {
  throw new InputError(
    `${file}: ${path} ${problem}`,
    hint ?? "check that the file is the official format named in evals/datasets (metrics.md §5)",
  );
}

/** `value` as an object, or an error naming `path`. */
export function objectAt(value: unknown, file: string, path: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    badField(file, path, "must be a JSON object");
  }
  return value as JsonObject;
}

/** `obj[key]` as an array of objects. */
export function objectsAt(obj: JsonObject, key: string, file: string, path = key): JsonObject[] {
  const value = obj[key];
  if (!Array.isArray(value)) badField(file, path, "must be an array");
  return value.map((entry, i) => objectAt(entry, file, `${path}[${i}]`));
}

/** `obj[key]` as a string. */
export function stringAt(obj: JsonObject, key: string, file: string, path: string): string {
  const value = obj[key];
  if (typeof value !== "string") {
    badField(file, path, `must be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `obj[key]` as an id (integer or non-empty string). */
export function idAt(obj: JsonObject, key: string, file: string, path: string): number | string {
  const value = obj[key];
  if (!(Number.isSafeInteger(value) || (typeof value === "string" && value !== ""))) {
    badField(file, path, `must be an integer or string id, got ${JSON.stringify(value)}`);
  }
  return value as number | string;
}

/**
 * Reads and parses a JSON file (`-` reads standard input); errors name the file and say what it
 * should hold (`what`, e.g. "COCO results").
 */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  if (path === "-") {
    try {
      text = await new Response(Deno.stdin.readable).text();
    } catch (error) {
      throw new InputError(
        `cannot read the ${what} from standard input: ${(error as Error).message}`,
        "pipe the file in",
      );
    }
  } else {
    text = await readBoundedText(path, {
      maxBytes: FILE_SIZE_LIMITS.manifest,
      what: `${what} file`,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `${path === "-" ? "standard input" : path} is not valid JSON (${(error as Error).message})`,
      `give a ${what} JSON file`,
    );
  }
}
