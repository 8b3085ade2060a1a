/**
 * Strict readers of a suite file's fields: every problem is an {@link InputError} that names the
 * file and the key (`tasks[2].generation.maxNewToken is not a known key`).
 *
 * @module
 */
import { type GenerationOptions, InputError } from "../../src/mod.ts";

/** A prompt template: one text, or one per model generation (`v0.1`, `v0.2`, `current`). */
export type PromptTemplate = string | Partial<Record<"v0.1" | "v0.2" | "current", string>>;

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

const GENERATION_KEYS: Record<string, "number" | "boolean" | "string" | "strings"> = {
  maxNewTokens: "number",
  minNewTokens: "number",
  doSample: "boolean",
  originalSampling: "boolean",
  order: "string",
  temperature: "number",
  topK: "number",
  topP: "number",
  repetitionPenalty: "number",
  seed: "number",
  numBeams: "number",
  lengthPenalty: "number",
  stopStrings: "strings",
};
const HINT = "see the suite format in evals/suites/README.md";

/** Whether a value is a JSON object. */
export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Throws the named error of a suite key. */
export function fail(file: string, key: string, problem: string, hint = HINT): never {
  throw new InputError(`${file}: ${key} ${problem}`, hint);
}

/** Refuses keys outside `allowed`. */
export function strictKeys(
  value: Json,
  allowed: readonly string[],
  file: string,
  where: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      fail(
        file,
        where ? `${where}.${key}` : key,
        "is not a known key",
        `known keys: ${allowed.join(", ")}`,
      );
    }
  }
}

/** A positive integer, or the named error. */
export function positiveInt(value: unknown, file: string, key: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    fail(file, key, `must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

/** Validates a generation-options object of a suite: known keys, types and value ranges. */
export function parseGenerationOptions(
  value: unknown,
  file: string,
  key: string,
): GenerationOptions {
  if (value === undefined) return {};
  if (!isObject(value)) fail(file, key, "must be an object of generation options");
  strictKeys(value, Object.keys(GENERATION_KEYS), file, key);
  for (const [name, v] of Object.entries(value)) {
    const type = GENERATION_KEYS[name];
    const ok = type === "strings"
      ? Array.isArray(v) && v.every((s) => typeof s === "string" && s !== "")
      : typeof v === type && (type !== "number" || Number.isFinite(v));
    if (!ok) {
      fail(
        file,
        `${key}.${name}`,
        `must be ${type === "strings" ? "a list of non-empty strings" : `a ${type}`}, got ${
          JSON.stringify(v)
        }`,
      );
    }
  }
  for (const [name, v] of Object.entries(value)) {
    const range = GENERATION_RANGES[name];
    if (range && !range.ok(v)) fail(file, `${key}.${name}`, `must be ${range.text}, got ${v}`);
  }
  return value as GenerationOptions;
}

/** The values each generation option may take (as the generation code checks them at run time). */
const GENERATION_RANGES: Record<string, { ok: (v: unknown) => boolean; text: string }> = {
  maxNewTokens: { ok: (v) => isInt(v, 0), text: "an integer >= 0" },
  minNewTokens: { ok: (v) => isInt(v, 0), text: "an integer >= 0" },
  order: { ok: (v) => v === "hf" || v === "nanovlm", text: '"hf" or "nanovlm"' },
  temperature: { ok: (v) => (v as number) >= 0, text: "a number >= 0" },
  topK: { ok: (v) => isInt(v, 0), text: "an integer >= 0" },
  topP: { ok: (v) => (v as number) > 0 && (v as number) <= 1, text: "in (0, 1]" },
  repetitionPenalty: { ok: (v) => (v as number) > 0, text: "a number > 0" },
  seed: { ok: (v) => isInt(v, 0) && (v as number) < 2 ** 32, text: "an integer in [0, 2^32)" },
  numBeams: { ok: (v) => isInt(v, 1), text: "an integer >= 1" },
};

const isInt = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;

/** The placeholders a prompt template may hold. */
const PLACEHOLDERS = ["question", "hint"];

/** Refuses `{name}` placeholders other than {@link PLACEHOLDERS} (a typo is left in the prompt). */
function checkPlaceholders(text: string, file: string, key: string): void {
  for (const [, name] of text.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    if (!PLACEHOLDERS.includes(name)) {
      fail(
        file,
        key,
        `holds {${name}}, which is not a placeholder (a prompt may hold ${
          PLACEHOLDERS.map((p) => `{${p}}`).join(" and ")
        })`,
      );
    }
  }
}

/** A prompt template, validated. */
export function parsePrompt(value: unknown, file: string, key: string): PromptTemplate | undefined {
  if (value === undefined) return value;
  if (typeof value === "string") {
    checkPlaceholders(value, file, key);
    return value;
  }
  if (!isObject(value)) fail(file, key, 'must be a string or {"v0.1"|"v0.2"|"current": string}');
  strictKeys(value, ["v0.1", "v0.2", "current"], file, key);
  for (const [gen, text] of Object.entries(value)) {
    if (typeof text !== "string") fail(file, `${key}.${gen}`, "must be a string");
    checkPlaceholders(text, file, `${key}.${gen}`);
  }
  return value as PromptTemplate;
}

/** Expands `${VAR}` in a dataset path; an unset variable is a named error. */
export function expandPath(path: string, file: string, key: string): string {
  return path.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = Deno.env.get(name);
    if (!value) {
      fail(
        file,
        key,
        `names $${name}, which is not set`,
        `set ${name} to the dataset folder (see the README's eval section), e.g. ${name}=/data/coco-karpathy`,
      );
    }
    return value;
  });
}
