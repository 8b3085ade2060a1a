/**
 * Reading, checking and writing nanoVLM `config.json` files of every generation.
 *
 * The generation is detected from the fields present (v0.2 added `lm_base_vocab_size`,
 * `extra_token_amount`, `mp_image_token_length`, `vlm_extra_tokens`, `hf_repo_name`; the current
 * format added `lm_chat_template`, `max_img_size`, `resize_to_max_side_len` and dropped
 * `lm_eos_token_id`), and from the tensor shapes when the fields do not tell. Missing fields take
 * the generation's dataclass defaults and unknown fields are dropped, both with a warning.
 * {@link configToJson} writes exactly what Python's `json.dumps(asdict(cfg), indent=4)` writes.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { FILE_SIZE_LIMITS, readBoundedText } from "../files/mod.ts";
import {
  CONFIG_SCHEMAS,
  CURRENT_MARKERS,
  type FieldSpec,
  GENERATIONS,
  V02_MARKERS,
} from "./config_schema.ts";
import type { Generation, NanoVLMConfig } from "./config_types.ts";
import { validateConfig } from "./config_validate.ts";
import { parsePythonJson, PyFloat, type PyJson, pythonJsonDumps } from "./python_json.ts";
import { tensorSetMatches } from "./tensor_layout.ts";

/** A config read from JSON, with the warnings (missing or unknown fields) met on the way. */
export interface LoadedConfig {
  /** The validated config, missing fields filled with the generation's defaults. */
  config: NanoVLMConfig;
  /** One message per defaulted or dropped field (empty for a complete, known config). */
  warnings: string[];
}

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Where the text came from, for messages (default `config.json`). */
  where?: string;
  /** Tensor shapes of the checkpoint, used when the fields alone do not tell the generation. */
  tensorShapes?: ReadonlyMap<string, readonly number[]>;
}

/** The config of a generation with every field at its dataclass default. */
export function defaultConfig(generation: Generation): NanoVLMConfig {
  const config: Record<string, unknown> = { generation };
  for (const spec of CONFIG_SCHEMAS[generation]) config[spec.name] = cloneDefault(spec);
  return config as unknown as NanoVLMConfig;
}

function cloneDefault(spec: FieldSpec): FieldSpec["default"] {
  return typeof spec.default === "object" ? { ...spec.default } : spec.default;
}

/** The generations a set of field names can belong to, newest first. */
export function generationsForFields(fields: Iterable<string>): Generation[] {
  const present = new Set(fields);
  if (CURRENT_MARKERS.some((name) => present.has(name))) return ["current"];
  if (V02_MARKERS.some((name) => present.has(name))) return ["v0.2"];
  if (present.has("lm_eos_token_id")) return ["v0.1"];
  return ["current", "v0.2", "v0.1"];
}

/**
 * Parses the text of a `config.json`: detects the generation, checks field types and values,
 * fills missing fields with defaults and drops unknown ones (both reported in `warnings`).
 *
 * @example
 * ```ts
 * const { config, warnings } = parseConfig('{"vit_img_size": 224, "lm_eos_token_id": 0}');
 * config.generation; // "v0.1"; warnings name the 28 defaulted fields
 * ```
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): LoadedConfig {
  const where = options.where ?? "config.json";
  let json: PyJson;
  try {
    json = parsePythonJson(text);
  } catch (error) {
    throw new ConfigError(
      `${where}: not valid JSON (${(error as Error).message})`,
      "restore the file from the checkpoint's source or rewrite it with `nanovlm synth --config`",
    );
  }
  if (typeof json !== "object" || json === null || Array.isArray(json) || json instanceof PyFloat) {
    throw new ConfigError(
      `${where}: the top level is not a JSON object`,
      "a config.json holds one object of VLMConfig fields",
    );
  }
  const raw = json as Record<string, PyJson>;
  const candidates = generationsForFields(Object.keys(raw));
  const generation = chooseGeneration(candidates, raw, where, options.tensorShapes);
  return buildConfig(generation, raw, where);
}

function chooseGeneration(
  candidates: Generation[],
  raw: Record<string, PyJson>,
  where: string,
  shapes?: ReadonlyMap<string, readonly number[]>,
): Generation {
  if (candidates.length === 1) return candidates[0];
  if (shapes) {
    for (const generation of candidates) {
      try {
        const { config } = buildConfig(generation, raw, where);
        if (tensorSetMatches(config, shapes)) return generation;
      } catch {
        // Not a valid config of this generation: try the next one.
      }
    }
  }
  return "v0.1";
}

function buildConfig(
  generation: Generation,
  raw: Record<string, PyJson>,
  where: string,
): LoadedConfig {
  const schema = CONFIG_SCHEMAS[generation];
  const known = new Set(schema.map((s) => s.name));
  const config: Record<string, unknown> = { generation };
  const pythonFloats: string[] = [];
  const missing: string[] = [];
  for (const spec of schema) {
    if (!(spec.name in raw)) {
      missing.push(spec.name);
      config[spec.name] = cloneDefault(spec);
      if (spec.kind === "float") pythonFloats.push(spec.name);
      continue;
    }
    const value = raw[spec.name];
    if (value instanceof PyFloat) pythonFloats.push(spec.name);
    config[spec.name] = checkType(spec, value, where);
  }
  config.pythonFloats = pythonFloats;
  const warnings: string[] = [];
  const unknown = Object.keys(raw).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    warnings.push(
      `${where}: ignoring ${unknown.length} field(s) unknown to the ${generation} VLMConfig: ${
        unknown.join(", ")
      }`,
    );
  }
  if (missing.length > 0) {
    warnings.push(
      `${where}: ${missing.length} missing field(s) take the ${generation} defaults: ${
        missing.map((name) => `${name}=${pythonJsonDumps(toPyJson(config[name]))}`).join(", ")
      }`,
    );
  }
  const typed = config as unknown as NanoVLMConfig;
  validateConfig(typed, where);
  if (
    typed.extra_token_amount !== undefined &&
    typed.extra_token_amount !== Object.keys(typed.vlm_extra_tokens ?? {}).length
  ) {
    warnings.push(
      `${where}: extra_token_amount = ${typed.extra_token_amount} but vlm_extra_tokens has ${
        Object.keys(typed.vlm_extra_tokens ?? {}).length
      } entries`,
    );
  }
  return { config: typed, warnings };
}

function checkType(spec: FieldSpec, value: PyJson, where: string): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(
      `${where}: field ${spec.name} = ${JSON.stringify(value)} is not ${expected}`,
      `set ${spec.name} to ${expected} (default ${JSON.stringify(spec.default)})`,
    );
  };
  switch (spec.kind) {
    case "int":
    case "float":
      if (value instanceof PyFloat) return value.value;
      if (typeof value !== "number") fail("a number");
      return value;
    case "bool":
      if (typeof value !== "boolean") fail("true or false");
      return value;
    case "str":
      if (typeof value !== "string") fail("a string");
      return value;
    case "dict":
      if (
        typeof value !== "object" || value === null || Array.isArray(value) ||
        value instanceof PyFloat || !Object.values(value).every((v) => typeof v === "string")
      ) fail("an object of strings");
      return { ...(value as Record<string, string>) };
  }
}

function toPyJson(value: unknown): PyJson {
  return value as PyJson;
}

/**
 * Serialises a config exactly as the original `save_pretrained` does:
 * `json.dumps(dataclasses.asdict(cfg), indent=4)`, fields in the generation's declaration order.
 */
export function configToJson(config: NanoVLMConfig): string {
  const schema = CONFIG_SCHEMAS[config.generation];
  if (!schema) {
    throw new ConfigError(
      `unknown generation ${JSON.stringify(config.generation)}`,
      `use one of ${GENERATIONS.join(", ")}`,
    );
  }
  const floats = new Set(
    config.pythonFloats ?? schema.filter((s) => s.kind === "float").map((s) => s.name),
  );
  const source = config as unknown as Record<string, unknown>;
  const out: Record<string, PyJson> = {};
  for (const spec of schema) {
    const value = source[spec.name];
    if (value === undefined) {
      throw new ConfigError(
        `config field ${spec.name} is missing (needed by the ${config.generation} format)`,
        "start from defaultConfig(generation) or a preset",
      );
    }
    out[spec.name] = typeof value === "number" && floats.has(spec.name)
      ? new PyFloat(value)
      : toPyJson(value);
  }
  return pythonJsonDumps(out);
}

/**
 * Reads `config.json` from a checkpoint folder (or the file itself).
 *
 * @example
 * ```ts
 * const { config, warnings } = await loadConfig("checkpoints/nanoVLM-222M");
 * console.log(config.generation, config.lm_vocab_size, warnings);
 * ```
 */
export async function loadConfig(
  dirOrPath: string,
  options: Omit<ParseConfigOptions, "where"> = {},
): Promise<LoadedConfig> {
  let path = dirOrPath;
  try {
    if ((await Deno.stat(dirOrPath)).isDirectory) {
      path = `${dirOrPath.replace(/\/+$/, "")}/config.json`;
    }
  } catch {
    // Reported below when reading.
  }
  const text = await readBoundedText(path, {
    maxBytes: FILE_SIZE_LIMITS.config,
    what: "config.json",
    errorClass: ConfigError,
    missingHint:
      "a nanoVLM checkpoint folder holds config.json and model.safetensors; check the path",
  });
  return parseConfig(text, { ...options, where: path });
}
