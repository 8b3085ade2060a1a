/**
 * The tensors a nanoVLM checkpoint holds for a given config: names exactly as the original
 * PyTorch modules register them, shapes, the module each belongs to, and the kind of parameter
 * (which decides how synthetic checkpoints initialise it). The names are the same in all three
 * generations; only the shapes follow the config (spec nanovlm.md §2).
 *
 * @module
 */
import type { NanoVLMConfig } from "./config_types.ts";

/** The three modules of a nanoVLM model. */
export type ModuleName = "vision" | "projector" | "decoder";

/** What a tensor is, for initialisation and accounting. */
export type TensorKind =
  | "linear"
  | "conv"
  | "norm"
  | "bias"
  | "position"
  | "embedding"
  | "buffer";

/** One expected tensor. */
export interface TensorSpec {
  /** Tensor name as the PyTorch module registers it, e.g. `decoder.blocks.0.attn.q_proj.weight`. */
  name: string;
  /** Expected shape. */
  shape: number[];
  /** The module the tensor belongs to. */
  module: ModuleName;
  /** What kind of parameter (or buffer) it is. */
  kind: TensorKind;
  /** Input features of a linear or conv weight. */
  fanIn?: number;
}

/** The stored head/embedding name (`save_model` keeps the lexicographically first of the pair). */
export const HEAD_WEIGHT = "decoder.head.weight";
/** The tied alias of {@link HEAD_WEIGHT}. */
export const TOKEN_EMBEDDING_WEIGHT = "decoder.token_embedding.weight";
/** The stored RoPE buffer (not a parameter). */
export const INV_FREQ = "decoder.rotary_embd.inv_freq";

/** The module a tensor name belongs to, or `undefined` for a foreign name. */
export function moduleOf(name: string): ModuleName | undefined {
  if (name.startsWith("vision_encoder.")) return "vision";
  if (name.startsWith("MP.")) return "projector";
  if (name.startsWith("decoder.")) return "decoder";
  return undefined;
}

/**
 * Every tensor the original `save_model` writes for `config`, in module order. With tied weights
 * (every published checkpoint) only `decoder.head.weight` is listed.
 *
 * @example
 * ```ts
 * const specs = expectedTensors(presetConfig("222m"));
 * specs.length;  // 423
 * specs[0].name; // "vision_encoder.patch_embedding.position_embedding", shape [1, 196, 768]
 * ```
 */
export function expectedTensors(config: NanoVLMConfig): TensorSpec[] {
  const out: TensorSpec[] = [];
  const add = (
    name: string,
    shape: number[],
    module: ModuleName,
    kind: TensorKind,
    fanIn?: number,
  ) => out.push({ name, shape, module, kind, ...(fanIn === undefined ? {} : { fanIn }) });
  const linear = (prefix: string, module: ModuleName, outF: number, inF: number, bias: boolean) => {
    add(`${prefix}.weight`, [outF, inF], module, "linear", inF);
    if (bias) add(`${prefix}.bias`, [outF], module, "bias");
  };

  const d = config.vit_hidden_dim, p = config.vit_patch_size;
  const patches = (config.vit_img_size / p) ** 2;
  const v = "vision_encoder";
  add(`${v}.patch_embedding.position_embedding`, [1, patches, d], "vision", "position");
  add(`${v}.patch_embedding.conv.weight`, [d, 3, p, p], "vision", "conv", 3 * p * p);
  add(`${v}.patch_embedding.conv.bias`, [d], "vision", "bias");
  for (let i = 0; i < config.vit_n_blocks; i++) {
    const b = `${v}.blocks.${i}`;
    add(`${b}.ln1.weight`, [d], "vision", "norm");
    add(`${b}.ln1.bias`, [d], "vision", "bias");
    linear(`${b}.attn.qkv_proj`, "vision", 3 * d, d, true);
    linear(`${b}.attn.out_proj`, "vision", d, d, true);
    add(`${b}.ln2.weight`, [d], "vision", "norm");
    add(`${b}.ln2.bias`, [d], "vision", "bias");
    linear(`${b}.mlp.fc1`, "vision", config.vit_inter_dim, d, true);
    linear(`${b}.mlp.fc2`, "vision", d, config.vit_inter_dim, true);
  }
  add(`${v}.layer_norm.weight`, [d], "vision", "norm");
  add(`${v}.layer_norm.bias`, [d], "vision", "bias");

  const h = config.lm_hidden_dim, vocab = config.lm_vocab_size;
  const headDim = h / config.lm_n_heads, kv = config.lm_n_kv_heads * headDim;
  if (!config.lm_tie_weights) add(TOKEN_EMBEDDING_WEIGHT, [vocab, h], "decoder", "embedding");
  add(INV_FREQ, [headDim / 2], "decoder", "buffer");
  for (let i = 0; i < config.lm_n_blocks; i++) {
    const b = `decoder.blocks.${i}`;
    linear(`${b}.attn.q_proj`, "decoder", h, h, false);
    linear(`${b}.attn.k_proj`, "decoder", kv, h, false);
    linear(`${b}.attn.v_proj`, "decoder", kv, h, false);
    linear(`${b}.attn.out_proj`, "decoder", h, h, false);
    linear(`${b}.mlp.gate_proj`, "decoder", config.lm_inter_dim, h, false);
    linear(`${b}.mlp.up_proj`, "decoder", config.lm_inter_dim, h, false);
    linear(`${b}.mlp.down_proj`, "decoder", h, config.lm_inter_dim, false);
    add(`${b}.norm1.weight`, [h], "decoder", "norm");
    add(`${b}.norm2.weight`, [h], "decoder", "norm");
  }
  add("decoder.norm.weight", [h], "decoder", "norm");
  add(HEAD_WEIGHT, [vocab, h], "decoder", config.lm_tie_weights ? "embedding" : "linear", h);

  const factor = config.mp_pixel_shuffle_factor;
  linear("MP.proj", "projector", h, d * factor * factor, false);
  return out;
}

/** Differences between a file's tensor set and the expected one. */
export interface TensorSetDiff {
  /** Expected tensors the file lacks. */
  missing: TensorSpec[];
  /** Names in the file that the config does not expect. */
  unexpected: string[];
  /** Tensors present under the expected name but with another shape (`actual`). */
  misshapen: { spec: TensorSpec; actual: readonly number[] }[];
}

/**
 * Compares the tensor shapes of a file with those `config` expects. With tied weights a file may
 * hold `decoder.token_embedding.weight` instead of `decoder.head.weight`.
 *
 * @example
 * ```ts
 * const index = await readSafetensorsIndex("checkpoints/nanoVLM-222M/model.safetensors");
 * const shapes = new Map([...index.tensors].map(([name, t]) => [name, t.shape]));
 * const diff = diffTensorSet(presetConfig("222m"), shapes);
 * diff.missing.length + diff.unexpected.length + diff.misshapen.length; // 0: the layout matches
 * ```
 */
export function diffTensorSet(
  config: NanoVLMConfig,
  shapes: ReadonlyMap<string, readonly number[]>,
): TensorSetDiff {
  const diff: TensorSetDiff = { missing: [], unexpected: [], misshapen: [] };
  const expected = expectedTensors(config);
  const names = new Set(expected.map((s) => s.name));
  const tiedAlias = config.lm_tie_weights && !shapes.has(HEAD_WEIGHT) &&
    shapes.has(TOKEN_EMBEDDING_WEIGHT);
  const tiedBoth = config.lm_tie_weights && shapes.has(HEAD_WEIGHT) &&
    shapes.has(TOKEN_EMBEDDING_WEIGHT);
  for (const spec of expected) {
    const stored = spec.name === HEAD_WEIGHT && tiedAlias ? TOKEN_EMBEDDING_WEIGHT : spec.name;
    const actual = shapes.get(stored);
    if (!actual) diff.missing.push(spec);
    else if (!sameShape(actual, spec.shape)) diff.misshapen.push({ spec, actual });
  }
  for (const name of shapes.keys()) {
    if (names.has(name)) continue;
    if (name === TOKEN_EMBEDDING_WEIGHT && (tiedAlias || tiedBoth)) {
      if (tiedBoth && !sameShape(shapes.get(name)!, shapes.get(HEAD_WEIGHT)!)) {
        diff.misshapen.push({
          spec: { ...expected.find((s) => s.name === HEAD_WEIGHT)!, name },
          actual: shapes.get(name)!,
        });
      }
      continue;
    }
    diff.unexpected.push(name);
  }
  return diff;
}

/** Whether a file's tensor shapes are exactly what `config` expects. */
export function tensorSetMatches(
  config: NanoVLMConfig,
  shapes: ReadonlyMap<string, readonly number[]>,
): boolean {
  const diff = diffTensorSet(config, shapes);
  return diff.missing.length + diff.unexpected.length + diff.misshapen.length === 0;
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
