/**
 * A nanoVLM checkpoint folder opened for use: the typed config, the validated safetensors index,
 * the tied embedding resolved, and the tensor set checked against the config. Opening reads only
 * `config.json` and the safetensors header; tensor data are read on demand.
 *
 * @module
 */
import { CheckpointError, ConfigError } from "../errors.ts";
import { FILE_SIZE_LIMITS, readBoundedText } from "../files/mod.ts";
import { parseConfig } from "./config.ts";
import type { NanoVLMConfig } from "./config_types.ts";
import { describeGenerationMismatch } from "./generation_mismatch.ts";
import {
  elementCount,
  readSafetensorsIndex,
  readTensorF32,
  type SafetensorsIndex,
  type TensorEntry,
} from "./safetensors.ts";
import {
  diffTensorSet,
  HEAD_WEIGHT,
  INV_FREQ,
  moduleOf,
  TOKEN_EMBEDDING_WEIGHT,
} from "./tensor_layout.ts";

/** Parameter counts per module (the RoPE buffer excluded, the tied head counted once). */
export interface ParameterCounts {
  /** Parameters of the vision encoder (`vision_encoder.*`). */
  vision: number;
  /** Parameters of the modality projector (`MP.*`). */
  projector: number;
  /** Parameters of the decoder (`decoder.*`), the tied head/embedding counted once. */
  decoder: number;
  /** Sum of the three modules. */
  total: number;
}

/** An opened checkpoint. */
export interface Checkpoint {
  /** The checkpoint folder. */
  dir: string;
  /** Path of `config.json`. */
  configPath: string;
  /** Path of `model.safetensors`. */
  weightsPath: string;
  /** The validated config. */
  config: NanoVLMConfig;
  /** Warnings met while reading (defaulted or unknown config fields, tied-weight oddities). */
  warnings: string[];
  /** The safetensors index. */
  index: SafetensorsIndex;
  /** Parameter counts per module. */
  parameters: ParameterCounts;
  /**
   * The stored entry of a tensor by its model name. The tied pair resolves to whichever of
   * `decoder.head.weight` / `decoder.token_embedding.weight` the file holds (the returned entry
   * keeps its stored `name`). Throws a {@link CheckpointError} for an unknown name.
   */
  tensor(name: string): TensorEntry;
  /** Whether `tensor(name)` would succeed. */
  has(name: string): boolean;
  /** Reads a tensor (tied names resolved) as float32. */
  readF32(name: string): Promise<Float32Array>;
}

/** File names inside a checkpoint folder. */
export const CONFIG_FILE = "config.json";
/** The weights file inside a checkpoint folder. */
export const WEIGHTS_FILE = "model.safetensors";

/**
 * Opens a checkpoint folder (`config.json` + `model.safetensors`), checking every tensor's name
 * and shape against the config. All problems are reported together in one
 * {@link CheckpointError}.
 *
 * @example
 * ```ts
 * const ckpt = await openCheckpoint("checkpoints/nanoVLM-222M");
 * ckpt.config.generation;                    // "v0.1"
 * ckpt.parameters.total;                     // 222081600
 * ckpt.tensor("decoder.token_embedding.weight").name; // "decoder.head.weight"
 * ```
 */
export async function openCheckpoint(dir: string): Promise<Checkpoint> {
  dir = dir.replace(/(.)\/+$/, "$1");
  await checkFolder(dir);
  const configPath = `${dir}/${CONFIG_FILE}`;
  const weightsPath = `${dir}/${WEIGHTS_FILE}`;
  const index = await readSafetensorsIndex(weightsPath);
  const shapes = new Map([...index.tensors].map(([name, e]) => [name, e.shape]));
  const text = await readBoundedText(configPath, {
    maxBytes: FILE_SIZE_LIMITS.config,
    what: "config.json",
    errorClass: ConfigError,
  });
  const { config, warnings } = parseConfig(text, { where: configPath, tensorShapes: shapes });
  checkTensorSet(config, index, dir);
  checkDtypes(index);
  const aliases = resolveTied(config, index, warnings);
  const tensor = (name: string): TensorEntry => {
    const entry = index.tensors.get(aliases.get(name) ?? name);
    if (!entry) {
      throw new CheckpointError(
        `${weightsPath}: no tensor named "${name}"`,
        "list the tensors with `nanovlm info --json`",
      );
    }
    return entry;
  };
  return {
    dir,
    configPath,
    weightsPath,
    config,
    warnings,
    index,
    parameters: countParameters(index),
    tensor,
    has: (name) => index.tensors.has(aliases.get(name) ?? name),
    readF32: (name) => readTensorF32(index, tensor(name).name),
  };
}

async function checkFolder(dir: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch {
    throw new CheckpointError(
      `${dir}: no such checkpoint folder`,
      "pass the folder that holds config.json and model.safetensors",
    );
  }
  if (!info.isDirectory) {
    throw new CheckpointError(
      `${dir}: not a folder`,
      "pass the checkpoint folder (holding config.json and model.safetensors), not a file",
    );
  }
  const names = new Set<string>();
  for await (const entry of Deno.readDir(dir)) names.add(entry.name);
  if (names.size === 0) {
    throw new CheckpointError(
      `${dir}: empty folder, not a checkpoint`,
      "synthesize one with `nanovlm synth --preset tiny-v0.1 --out <dir>` or point at a downloaded checkpoint",
    );
  }
  for (const file of [CONFIG_FILE, WEIGHTS_FILE]) {
    if (!names.has(file)) {
      throw new CheckpointError(
        `${dir}: no ${file} in the checkpoint folder (found: ${[...names].sort().join(", ")})`,
        "a nanoVLM checkpoint folder holds config.json and model.safetensors, as save_pretrained writes them",
      );
    }
  }
}

function checkTensorSet(config: NanoVLMConfig, index: SafetensorsIndex, dir: string): void {
  const shapes = new Map([...index.tensors].map(([name, e]) => [name, e.shape]));
  const diff = diffTensorSet(config, shapes);
  const problems = [
    ...diff.missing.map((s) => `missing tensor ${s.name} [${s.shape.join(", ")}]`),
    ...diff.unexpected.map((name) => `unexpected tensor ${name} [${shapes.get(name)!.join(", ")}]`),
    ...diff.misshapen.map(({ spec, actual }) =>
      `tensor ${spec.name} has shape [${actual.join(", ")}], config expects [${
        spec.shape.join(", ")
      }]`
    ),
  ];
  if (problems.length === 0) return;
  const mismatch = describeGenerationMismatch(config, shapes);
  const head = mismatch
    ? `${dir}: ${mismatch}`
    : `${dir}: model.safetensors does not match the ${config.generation} config.json`;
  throw new CheckpointError(
    `${head} (${problems.length} problem(s)):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    mismatch
      ? "use the config.json that was saved with these weights"
      : "the weights and config.json come from different models, or the file is damaged: re-download or re-export the checkpoint",
  );
}

function checkDtypes(index: SafetensorsIndex): void {
  for (const entry of index.tensors.values()) {
    if (entry.dtype !== "F32" && entry.dtype !== "F16" && entry.dtype !== "BF16") {
      throw new CheckpointError(
        `${index.path}: tensor ${entry.name} has dtype ${entry.dtype}; nanoVLM tensors are floating point`,
        "re-export the checkpoint with float32 weights",
      );
    }
  }
}

function resolveTied(
  config: NanoVLMConfig,
  index: SafetensorsIndex,
  warnings: string[],
): Map<string, string> {
  const aliases = new Map<string, string>();
  if (!config.lm_tie_weights) return aliases;
  const hasHead = index.tensors.has(HEAD_WEIGHT);
  const hasEmbedding = index.tensors.has(TOKEN_EMBEDDING_WEIGHT);
  if (hasHead && hasEmbedding) {
    warnings.push(
      `${index.path}: holds both ${HEAD_WEIGHT} and ${TOKEN_EMBEDDING_WEIGHT} although the weights are tied; using ${HEAD_WEIGHT} for both, as PyTorch's load does`,
    );
    aliases.set(TOKEN_EMBEDDING_WEIGHT, HEAD_WEIGHT);
  } else if (hasHead) aliases.set(TOKEN_EMBEDDING_WEIGHT, HEAD_WEIGHT);
  else aliases.set(HEAD_WEIGHT, TOKEN_EMBEDDING_WEIGHT);
  return aliases;
}

/** Counts parameters per module from an index (the RoPE `inv_freq` buffer is not a parameter). */
export function countParameters(index: SafetensorsIndex): ParameterCounts {
  const counts: ParameterCounts = { vision: 0, projector: 0, decoder: 0, total: 0 };
  for (const entry of index.tensors.values()) {
    const module = moduleOf(entry.name);
    if (!module || entry.name === INV_FREQ) continue;
    const n = elementCount(entry.shape);
    counts[module] += n;
    counts.total += n;
  }
  return counts;
}
