/**
 * Synthetic (random-init) checkpoints of any config, in exactly the original on-disk layout:
 * `config.json` as `json.dumps(asdict(cfg), indent=4)` writes it and `model.safetensors` as
 * `safetensors.torch.save_model` writes it (tied head stored once as `decoder.head.weight`, with
 * `__metadata__` naming the dropped alias; the RoPE `inv_freq` buffer included).
 *
 * Weights follow the perturbation scale of the reference fixtures so activations are
 * non-degenerate and greedy generation is diverse: linear/conv weights N(0, (2/sqrt(fan_in))^2),
 * norm weights 1 + N(0, 0.2^2), biases N(0, 0.1^2), position embeddings N(0, 0.1^2), token
 * embeddings N(0, 0.5^2). Each tensor has its own stream of the seeded generator, so its values
 * depend only on the seed and its name.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { writeAtomically } from "./atomic.ts";
import { CONFIG_FILE, WEIGHTS_FILE } from "./checkpoint.ts";
import { configToJson } from "./config.ts";
import type { NanoVLMConfig } from "./config_types.ts";
import { validateConfig } from "./config_validate.ts";
import { Random } from "./random.ts";
import { elementCount } from "./safetensors.ts";
import { type TensorSource, writeSafetensorsTo } from "./safetensors_writer.ts";
import { checkSynthSize, type SynthSizeOptions } from "./synth_size.ts";
import {
  expectedTensors,
  HEAD_WEIGHT,
  INV_FREQ,
  type TensorSpec,
  TOKEN_EMBEDDING_WEIGHT,
} from "./tensor_layout.ts";

/** Options of {@link synthesizeCheckpoint} (the size bound and free-space reader included). */
export interface SynthOptions extends SynthSizeOptions {
  /** Seed of the weights (default 0). */
  seed?: number;
  /** Replace a non-empty output folder (default false: refuse). */
  force?: boolean;
  /** Called after each tensor with the bytes written so far and the total. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/** What {@link synthesizeCheckpoint} wrote. */
export interface SynthResult {
  /** The checkpoint folder written. */
  dir: string;
  /** Number of tensors in `model.safetensors` (the RoPE buffer included). */
  tensors: number;
  /** Number of parameters (the RoPE buffer excluded, the tied head counted once). */
  parameters: number;
  /** Size of `model.safetensors` in bytes. */
  weightsBytes: number;
}

/**
 * RoPE inverse frequencies as torch computes them in float32:
 * `1.0 / (base ** (torch.arange(0, d, 2).float() / d))`, each step rounded to float32.
 */
export function ropeInvFreq(headDim: number, base: number): Float32Array {
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < out.length; i++) {
    const exponent = Math.fround(Math.fround(2 * i) / headDim);
    out[i] = Math.fround(1 / Math.fround(Math.pow(Math.fround(base), exponent)));
  }
  return out;
}

const CHUNK = 1 << 20;

function initOf(spec: TensorSpec): { mean: number; std: number } {
  switch (spec.kind) {
    case "linear":
    case "conv":
      return { mean: 0, std: 2 / Math.sqrt(spec.fanIn!) };
    case "norm":
      return { mean: 1, std: 0.2 };
    case "bias":
    case "position":
      return { mean: 0, std: 0.1 };
    case "embedding":
      return { mean: 0, std: 0.5 };
    case "buffer":
      throw new Error(`no random init for buffer ${spec.name}`);
  }
}

/** The tensors of a synthetic checkpoint as streaming sources (deterministic in `seed`). */
export function syntheticTensors(config: NanoVLMConfig, seed = 0): TensorSource[] {
  return expectedTensors(config).map((spec) => ({
    name: spec.name,
    dtype: "F32",
    shape: spec.shape,
    *chunks() {
      if (spec.name === INV_FREQ) {
        const headDim = config.lm_hidden_dim / config.lm_n_heads;
        yield new Uint8Array(ropeInvFreq(headDim, config.lm_re_base).buffer);
        return;
      }
      const { mean, std } = initOf(spec);
      const random = new Random(seed, spec.name);
      const total = elementCount(spec.shape);
      const buffer = new Float32Array(Math.min(CHUNK, total));
      for (let done = 0; done < total; done += buffer.length) {
        const part = buffer.subarray(0, Math.min(buffer.length, total - done));
        random.fillNormal(part, mean, std);
        yield new Uint8Array(part.buffer, 0, part.byteLength);
      }
    },
  }));
}

async function checkOutput(dir: string, force: boolean): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch {
    return;
  }
  if (!info.isDirectory) {
    throw new InputError(`${dir} exists and is not a folder`, "choose another --out path");
  }
  for await (const _ of Deno.readDir(dir)) {
    if (force) return;
    throw new InputError(
      `${dir} is not empty; refusing to overwrite it`,
      "choose an empty or new folder, or pass --force to replace it",
    );
  }
}

/**
 * Writes a random-init checkpoint folder for `config` atomically: the folder appears complete or
 * not at all (also on Ctrl-C). A checkpoint over `maxBytes` or the free space of the target
 * filesystem is refused before anything is written.
 *
 * @example
 * ```ts
 * await synthesizeCheckpoint(presetConfig("tiny-v0.1"), "/tmp/tiny", { seed: 1 });
 * const ckpt = await openCheckpoint("/tmp/tiny");
 * ```
 */
export async function synthesizeCheckpoint(
  config: NanoVLMConfig,
  outDir: string,
  options: SynthOptions = {},
): Promise<SynthResult> {
  validateConfig(config, "config");
  await checkOutput(outDir, options.force ?? false);
  const tensors = syntheticTensors(config, options.seed ?? 0);
  const total = checkSynthSize(tensors, outDir, options);
  const metadata = config.lm_tie_weights ? { [TOKEN_EMBEDDING_WEIGHT]: HEAD_WEIGHT } : undefined;
  let done = 0;
  const tracked = tensors.map((t) => ({
    ...t,
    async *chunks() {
      for await (const chunk of t.chunks()) yield chunk;
      done += 4 * elementCount(t.shape);
      options.onProgress?.(done, total);
    },
  }));
  const weightsBytes = await writeAtomically(outDir, async (temp) => {
    await Deno.mkdir(temp);
    await Deno.writeTextFile(`${temp}/${CONFIG_FILE}`, configToJson(config));
    return await writeSafetensorsTo(`${temp}/${WEIGHTS_FILE}`, tracked, metadata);
  });
  const parameters = tensors
    .filter((t) => t.name !== INV_FREQ)
    .reduce((sum, t) => sum + elementCount(t.shape), 0);
  return { dir: outDir, tensors: tensors.length, parameters, weightsBytes };
}
