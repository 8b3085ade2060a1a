/**
 * Training parameters in the original checkpoint layout: seeded initialisation, loading from a
 * checkpoint folder and writing one (config.json as `save_pretrained` writes it, safetensors with
 * the original names and the tied head stored once as `decoder.head.weight`).
 *
 * Host-side parameters are plain `Float32Array`s by name ({@link HostParams}); the trainer turns
 * them into jax-js arrays for a step and reads them back for a checkpoint.
 *
 * @module
 */
import { numpy as np } from "@jax-js/jax";
import {
  CONFIG_FILE,
  configToJson,
  elementCount,
  expectedTensors,
  HEAD_WEIGHT,
  INV_FREQ,
  type NanoVLMConfig,
  openCheckpoint,
  ropeInvFreq,
  type TensorSource,
  toHalfBits,
  TOKEN_EMBEDDING_WEIGHT,
  WEIGHTS_FILE,
  writeAtomically,
  writeSafetensorsTo,
} from "../checkpoint/mod.ts";
import type { Params } from "./model.ts";

/** Parameters as host arrays with their shapes, by original tensor name. */
export type HostParams = Map<string, { shape: number[]; data: Float32Array }>;

/** A seeded generator (xorshift-multiply, Box-Muller normals) for initialisation. */
export class InitRandom {
  #state: number;
  #spare: number | undefined;

  /** A stream determined by `seed` and `stream` (e.g. a tensor name). */
  constructor(seed: number, stream = "") {
    let h = (seed ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
    this.#state = (h >>> 0) || 1;
  }

  /** A float in (0, 1). */
  uniform(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return (this.#state + 0.5) / 4294967296;
  }

  /** A standard normal number. */
  normal(): number {
    if (this.#spare !== undefined) {
      const s = this.#spare;
      this.#spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform())), a = 2 * Math.PI * this.uniform();
    this.#spare = r * Math.sin(a);
    return r * Math.cos(a);
  }
}

/**
 * Trainable tensors of a config in the original names (the RoPE buffer excluded; the tied head
 * only as `decoder.head.weight`).
 */
export function trainableSpecs(config: NanoVLMConfig) {
  return expectedTensors(config).filter((s) => s.name !== INV_FREQ);
}

/**
 * Seeded initialisation for training from scratch: linear and conv weights N(0, 0.02²) with
 * the residual output projections scaled by 1/√(2·blocks) (GPT-2 style), norms 1, biases 0,
 * position embeddings N(0, 0.02²), token embeddings N(0, 0.02²).
 */
export function initParams(config: NanoVLMConfig, seed: number): HostParams {
  const out: HostParams = new Map();
  for (const spec of trainableSpecs(config)) {
    const data = new Float32Array(elementCount(spec.shape));
    const random = new InitRandom(seed, spec.name);
    if (spec.kind === "norm") data.fill(1);
    else if (spec.kind !== "bias") {
      const residual = /(out_proj|fc2|down_proj)\.weight$/.test(spec.name);
      const blocks = spec.name.startsWith("decoder") ? config.lm_n_blocks : config.vit_n_blocks;
      const std = residual ? 0.02 / Math.sqrt(2 * blocks) : 0.02;
      for (let i = 0; i < data.length; i++) data[i] = std * random.normal();
    }
    out.set(spec.name, { shape: [...spec.shape], data });
  }
  return out;
}

/** Reads every trainable tensor of a checkpoint folder as float32 (tied names resolved). */
export async function loadParams(
  dir: string,
): Promise<{ config: NanoVLMConfig; params: HostParams }> {
  const checkpoint = await openCheckpoint(dir);
  const params: HostParams = new Map();
  for (const spec of trainableSpecs(checkpoint.config)) {
    params.set(spec.name, { shape: [...spec.shape], data: await checkpoint.readF32(spec.name) });
  }
  return { config: checkpoint.config, params };
}

/** Options of {@link saveCheckpoint}. */
export interface SaveOptions {
  /** Store the weights as F16 instead of F32 (default false). */
  float16?: boolean;
  /** More text files to write into the folder (e.g. `tokenizer.json`), by file name. */
  extraFiles?: Record<string, string>;
}

/**
 * Writes a checkpoint folder atomically in the original layout: `config.json` and
 * `model.safetensors` (F32 or F16, the RoPE `inv_freq` buffer included, the tied head once).
 * Tensors outside the model (e.g. a training-only head) are left out.
 */
export async function saveCheckpoint(
  config: NanoVLMConfig,
  params: HostParams,
  dir: string,
  options: SaveOptions = {},
): Promise<void> {
  const headDim = config.lm_hidden_dim / config.lm_n_heads;
  const names = new Set(trainableSpecs(config).map((s) => s.name));
  const tensors: TensorSource[] = [...params].filter(([name]) => names.has(name)).map((
    [name, { shape, data }],
  ) => ({
    name,
    dtype: options.float16 ? "F16" : "F32",
    shape,
    chunks: () => [options.float16 ? halfBytes(data) : new Uint8Array(data.slice().buffer)],
  }));
  const invFreq = ropeInvFreq(headDim, config.lm_re_base);
  tensors.push({
    name: INV_FREQ,
    dtype: options.float16 ? "F16" : "F32",
    shape: [invFreq.length],
    chunks: () => [options.float16 ? halfBytes(invFreq) : new Uint8Array(invFreq.buffer)],
  });
  const metadata = config.lm_tie_weights ? { [TOKEN_EMBEDDING_WEIGHT]: HEAD_WEIGHT } : undefined;
  await writeAtomically(dir, async (temp) => {
    await Deno.mkdir(temp, { recursive: true });
    await Deno.writeTextFile(`${temp}/${CONFIG_FILE}`, configToJson(config));
    await writeSafetensorsTo(`${temp}/${WEIGHTS_FILE}`, tensors, metadata);
    for (const [file, text] of Object.entries(options.extraFiles ?? {})) {
      await Deno.writeTextFile(`${temp}/${file}`, text);
    }
  });
}

function halfBytes(data: Float32Array): Uint8Array {
  return new Uint8Array(toHalfBits(data).buffer);
}

/** Host parameters -> jax-js arrays (fresh, owned by the caller). */
export function toDevice(params: HostParams, names?: readonly string[]): Params {
  const out: Params = {};
  for (const name of names ?? [...params.keys()]) {
    const p = params.get(name);
    if (!p) throw new Error(`missing parameter ${name}`);
    out[name] = np.array(p.data.slice()).reshape(p.shape);
  }
  return out;
}

/** Reads jax-js arrays back into host parameters (the arrays are borrowed, not consumed). */
export async function toHost(params: Params): Promise<HostParams> {
  const out: HostParams = new Map();
  for (const [name, array] of Object.entries(params)) {
    const data = await array.ref.data();
    out.set(name, { shape: [...array.shape], data: new Float32Array(data as Float32Array) });
  }
  return out;
}
