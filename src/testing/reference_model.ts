/**
 * An independent, deliberately plain float64 reference of the nanoVLM forward pass, written op by
 * op from the spec (nanovlm.md §3 ViT, §4 projector, §5 decoder, §6 image/text merge) and sharing
 * no code with `src/model/`. It is a test truth for the ONNX graphs on tiny checkpoints: plain
 * loops, no KV cache (greedy decoding recomputes the whole sequence each step), no speed.
 *
 * Numerics: every op runs in float64 on the checkpoint's float32 weights, with one deliberate
 * exception: the RoPE angle `position * inv_freq` is rounded to float32, as torch computes it
 * (`float32(pos) * inv_freq` in float32); its cos/sin are then taken in float64. Positions are
 * `0..T-1` over the padded sequence, as in nanoVLM (padding does not shift them).
 *
 * RoPE's dynamic scaling (a call whose positions end past `lm_max_position_embeddings` divides
 * `inv_freq` by `end / lm_max_position_embeddings`) is modelled per call of the original: a full
 * forward is one call; in greedy decoding v0.1 recomputes the whole sequence each step (every
 * position takes that step's scaling), while v0.2 and later cache keys, so the prompt keeps its
 * prefill's scaling and the token at position p the scaling of its own one-token call (end p + 1).
 *
 * @example
 * ```ts
 * const ckpt = await openCheckpoint("fixtures/reference/v0.2-tiny/checkpoint");
 * const { projected } = await referenceVision(ckpt, pixels, 1);
 * const { embeds, length } = await referenceInputsEmbeds(ckpt, [ids], projected);
 * const logits = await referenceLogits(ckpt, embeds, length); // [1, length, vocab]
 * const { ids: next } = await referenceGreedy(ckpt, embeds, length, 12);
 * ```
 *
 * @module
 */
import type { Checkpoint, NanoVLMConfig } from "../checkpoint/mod.ts";
import { CheckpointError, InputError } from "../errors.ts";
import {
  addInPlace,
  attention,
  columns,
  concat,
  dynamicInvFreq,
  geluTanh,
  layerNorm,
  linear,
  pixelShuffle,
  rmsNorm,
  rope,
  silu,
} from "./reference_ops.ts";

/** The reference is for tiny test checkpoints; larger ones are refused (plain loops are slow). */
export const REFERENCE_MAX_PARAMETERS = 20_000_000;

/** `torch.finfo(torch.float32).min`: the additive key-padding mask value of nanoVLM. */
const FLOAT32_LOWEST = -3.4028234663852886e38;

type Weights = (name: string) => Float32Array;
const loaded = new WeakMap<Checkpoint, Promise<Weights>>();

/** All tensors of a (tiny) checkpoint, read once per opened checkpoint. */
function weightsOf(ckpt: Checkpoint): Promise<Weights> {
  let weights = loaded.get(ckpt);
  if (!weights) {
    weights = readAll(ckpt);
    loaded.set(ckpt, weights);
  }
  return weights;
}

async function readAll(ckpt: Checkpoint): Promise<Weights> {
  if (ckpt.parameters.total > REFERENCE_MAX_PARAMETERS) {
    throw new InputError(
      `${ckpt.dir}: ${ckpt.parameters.total} parameters; the float64 reference model is for tiny test checkpoints (at most ${REFERENCE_MAX_PARAMETERS})`,
      "synthesize a tiny checkpoint (presetConfig('tiny-v0.2') etc.) for reference checks",
    );
  }
  const names = new Set([...ckpt.index.tensors.keys()]);
  for (const tied of ["decoder.head.weight", "decoder.token_embedding.weight"]) {
    if (ckpt.has(tied)) names.add(tied);
  }
  const tensors = new Map<string, Float32Array>();
  for (const name of names) tensors.set(name, await ckpt.readF32(name));
  return (name) => {
    const tensor = tensors.get(name);
    if (!tensor) {
      throw new CheckpointError(
        `${ckpt.weightsPath}: no tensor "${name}"`,
        "use a complete checkpoint",
      );
    }
    return tensor;
  };
}

// ---------------------------------------------------------------------------------------------
// Vision encoder and projector.

/** Conv patch embedding (kernel = stride = patch, row-major patches) plus position embedding. */
function patchEmbedding(cfg: NanoVLMConfig, w: Weights, image: ArrayLike<number>): Float64Array {
  const [D, p, S] = [cfg.vit_hidden_dim, cfg.vit_patch_size, cfg.vit_img_size];
  const side = S / p;
  const conv = w("vision_encoder.patch_embedding.conv.weight"); // [D, 3, p, p]
  const bias = w("vision_encoder.patch_embedding.conv.bias");
  const position = w("vision_encoder.patch_embedding.position_embedding"); // [1, P, D]
  const x = new Float64Array(side * side * D);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const token = r * side + c;
      for (let o = 0; o < D; o++) {
        let sum = bias[o];
        for (let ch = 0; ch < 3; ch++) {
          for (let ky = 0; ky < p; ky++) {
            for (let kx = 0; kx < p; kx++) {
              sum += conv[((o * 3 + ch) * p + ky) * p + kx] *
                image[(ch * S + r * p + ky) * S + c * p + kx];
            }
          }
        }
        x[token * D + o] = sum + position[token * D + o];
      }
    }
  }
  return x;
}

/** The ViT on one image `[3, S, S]`: `[P, D]` after the final LayerNorm. */
function visionEncoder(cfg: NanoVLMConfig, w: Weights, image: ArrayLike<number>): Float64Array {
  const D = cfg.vit_hidden_dim;
  const eps = cfg.vit_ln_eps;
  const x = patchEmbedding(cfg, w, image);
  const P = x.length / D;
  for (let l = 0; l < cfg.vit_n_blocks; l++) {
    const at = (name: string) => w(`vision_encoder.blocks.${l}.${name}`);
    let h = layerNorm(x, D, at("ln1.weight"), at("ln1.bias"), eps);
    const qkv = linear(h, P, at("attn.qkv_proj.weight"), 3 * D, at("attn.qkv_proj.bias"));
    const [q, k, v] = [0, 1, 2].map((part) => columns(qkv, 3 * D, part * D, D));
    const a = attention(q, k, v, P, cfg.vit_n_heads, cfg.vit_n_heads, () => 0);
    addInPlace(x, linear(a, P, at("attn.out_proj.weight"), D, at("attn.out_proj.bias")));
    h = layerNorm(x, D, at("ln2.weight"), at("ln2.bias"), eps);
    const m = linear(h, P, at("mlp.fc1.weight"), cfg.vit_inter_dim, at("mlp.fc1.bias"));
    for (let i = 0; i < m.length; i++) m[i] = geluTanh(m[i]);
    addInPlace(x, linear(m, P, at("mlp.fc2.weight"), D, at("mlp.fc2.bias")));
  }
  const norm = (name: string) => w(`vision_encoder.layer_norm.${name}`);
  return layerNorm(x, D, norm("weight"), norm("bias"), eps);
}

/** Reference vision outputs of `count` images. */
export interface ReferenceVision {
  /** `[count, patches, vit_hidden_dim]` ViT output (after the final LayerNorm). */
  vit: Float64Array;
  /** `[count, imageTokens, lm_hidden_dim]` projector output (pixel shuffle + linear, no bias). */
  projected: Float64Array;
}

/** Runs the ViT and the modality projector on `count` images `[count, 3, S, S]` (values in [0, 1]). */
export async function referenceVision(
  ckpt: Checkpoint,
  pixels: ArrayLike<number>,
  count: number,
): Promise<ReferenceVision> {
  const cfg = ckpt.config;
  const w = await weightsOf(ckpt);
  const imageSize = 3 * cfg.vit_img_size ** 2;
  if (pixels.length !== count * imageSize) {
    throw new InputError(
      `reference vision: ${pixels.length} pixel values for ${count} images of 3x${cfg.vit_img_size}x${cfg.vit_img_size}`,
      "pass [count, 3, vit_img_size, vit_img_size] float values",
    );
  }
  const f = cfg.mp_pixel_shuffle_factor;
  const vit: Float64Array[] = [];
  const projected: Float64Array[] = [];
  for (let n = 0; n < count; n++) {
    const image = Array.prototype.slice.call(pixels, n * imageSize, (n + 1) * imageSize);
    const x = visionEncoder(cfg, w, image);
    const shuffled = pixelShuffle(x, cfg.vit_hidden_dim, f);
    const tokens = shuffled.length / (cfg.vit_hidden_dim * f * f);
    vit.push(x);
    projected.push(linear(shuffled, tokens, w("MP.proj.weight"), cfg.lm_hidden_dim));
  }
  return { vit: concat(vit), projected: concat(projected) };
}

// ---------------------------------------------------------------------------------------------
// Embedding and image/text merge.

/** Token embeddings `[rows, tokens, lm_hidden_dim]` (rows of equal length). */
export async function referenceEmbedTokens(
  ckpt: Checkpoint,
  ids: readonly (readonly number[])[],
): Promise<Float64Array> {
  const D = ckpt.config.lm_hidden_dim;
  const table = (await weightsOf(ckpt))("decoder.token_embedding.weight");
  const flat = ids.flat();
  const out = new Float64Array(flat.length * D);
  flat.forEach((id, t) => {
    if (!(Number.isInteger(id) && id >= 0 && id < ckpt.config.lm_vocab_size)) {
      throw new InputError(`reference: token id ${id} outside the vocabulary`, "pass valid ids");
    }
    out.set(table.subarray(id * D, (id + 1) * D), t * D);
  });
  return out;
}

/**
 * The decoder input of the checkpoint's generation (§6): v0.1 prepends each row's image; v0.2
 * overwrites the image-token run starting at each row's first `<|image|>`; current overwrites every
 * `<|image|>` in row-major order with the flattened images. `<|image|>` is `lm_base_vocab_size`.
 */
export async function referenceInputsEmbeds(
  ckpt: Checkpoint,
  ids: readonly (readonly number[])[],
  imageEmbeds: Float64Array,
): Promise<{ embeds: Float64Array; length: number }> {
  const cfg = ckpt.config;
  const D = cfg.lm_hidden_dim;
  const text = await referenceEmbedTokens(ckpt, ids);
  const tokens = ids[0].length;
  const imageRows = imageEmbeds.length / D;
  if (cfg.generation === "v0.1") {
    const perImage = imageRows / ids.length;
    const length = perImage + tokens;
    const embeds = new Float64Array(ids.length * length * D);
    ids.forEach((_, r) => {
      embeds.set(imageEmbeds.subarray(r * perImage * D, (r + 1) * perImage * D), r * length * D);
      embeds.set(text.subarray(r * tokens * D, (r + 1) * tokens * D), (r * length + perImage) * D);
    });
    return { embeds, length };
  }
  const imageToken = cfg.lm_base_vocab_size!;
  const perImage = cfg.mp_image_token_length!;
  let next = 0;
  ids.forEach((row, r) => {
    const start = row.indexOf(imageToken);
    if (cfg.generation === "v0.2" && start < 0) {
      throw new InputError(`reference merge: prompt ${r} has no <|image|>`, "add the placeholders");
    }
    const slots = cfg.generation === "v0.2"
      ? Array.from({ length: perImage }, (_, i) => start + i)
      : row.flatMap((id, t) => id === imageToken ? [t] : []);
    for (const t of slots) {
      text.set(imageEmbeds.subarray(next * D, ++next * D), (r * tokens + t) * D);
    }
  });
  if (next !== imageRows) {
    throw new InputError(
      `reference merge: ${next} image slots for ${imageRows} image embeddings`,
      "build prompts with one placeholder per image embedding",
    );
  }
  return { embeds: text, length: tokens };
}

// ---------------------------------------------------------------------------------------------
// Decoder.

/**
 * Final-normed hidden states `[batch, T, D]` for a full (uncached) causal forward. `callEnd(p)`:
 * where the positions of the original's call that computed position p end (its max position + 1),
 * which sets that position's RoPE scaling; default one call over all T positions.
 */
function decoderHidden(
  cfg: NanoVLMConfig,
  w: Weights,
  embeds: ArrayLike<number>,
  tokens: number,
  mask?: readonly (readonly number[])[],
  callEnd: (position: number) => number = () => tokens,
): Float64Array {
  const D = cfg.lm_hidden_dim;
  const [heads, kvHeads] = [cfg.lm_n_heads, cfg.lm_n_kv_heads];
  const kvDim = (D / heads) * kvHeads;
  const eps = cfg.lm_rms_eps;
  const stored = w("decoder.rotary_embd.inv_freq");
  const invFreq = (position: number) =>
    dynamicInvFreq(stored, callEnd(position), cfg.lm_max_position_embeddings);
  const batch = embeds.length / (tokens * D);
  const out = new Float64Array(embeds.length);
  for (let b = 0; b < batch; b++) {
    const x = Float64Array.from(
      Array.prototype.slice.call(embeds, b * tokens * D, (b + 1) * tokens * D),
    );
    const keep = mask?.[b];
    const bias = (i: number, j: number) =>
      j > i ? -Infinity : keep && keep[j] === 0 ? FLOAT32_LOWEST : 0;
    for (let l = 0; l < cfg.lm_n_blocks; l++) {
      const at = (name: string) => w(`decoder.blocks.${l}.${name}.weight`);
      let h = rmsNorm(x, D, at("norm1"), eps);
      const q = linear(h, tokens, at("attn.q_proj"), D);
      const k = linear(h, tokens, at("attn.k_proj"), kvDim);
      const v = linear(h, tokens, at("attn.v_proj"), kvDim);
      rope(q, tokens, heads, invFreq, cfg.lm_attn_scaling);
      rope(k, tokens, kvHeads, invFreq, cfg.lm_attn_scaling);
      const a = attention(q, k, v, tokens, heads, kvHeads, bias);
      addInPlace(x, linear(a, tokens, at("attn.out_proj"), D));
      h = rmsNorm(x, D, at("norm2"), eps);
      const gate = linear(h, tokens, at("mlp.gate_proj"), cfg.lm_inter_dim);
      const up = linear(h, tokens, at("mlp.up_proj"), cfg.lm_inter_dim);
      for (let i = 0; i < gate.length; i++) gate[i] = silu(gate[i]) * up[i];
      addInPlace(x, linear(gate, tokens, at("mlp.down_proj"), D));
    }
    out.set(rmsNorm(x, D, w("decoder.norm.weight"), eps), b * tokens * D);
  }
  return out;
}

/**
 * Logits `[batch, T, vocab]` of every position of a full causal forward over `inputsEmbeds`
 * `[batch, T, D]`; `attentionMask` (`[batch][T]`, 1 keep / 0 pad) adds nanoVLM's key-padding mask
 * (rows of padding queries are meaningless, compare valid positions only).
 */
export async function referenceLogits(
  ckpt: Checkpoint,
  inputsEmbeds: ArrayLike<number>,
  tokens: number,
  attentionMask?: readonly (readonly number[])[],
): Promise<Float64Array> {
  const w = await weightsOf(ckpt);
  const hidden = decoderHidden(ckpt.config, w, inputsEmbeds, tokens, attentionMask);
  return linear(
    hidden,
    hidden.length / ckpt.config.lm_hidden_dim,
    w("decoder.head.weight"),
    ckpt.config.lm_vocab_size,
  );
}

/** Greedy ids per row and, per step, the top-1 minus top-2 logit margin the choice had. */
export interface ReferenceGreedy {
  ids: number[][];
  margins: number[][];
  /** `[steps, batch, vocab]` logits each step's tokens were picked from. */
  stepLogits: Float64Array;
}

/**
 * Greedy decoding by full recompute (no cache): each step runs the whole sequence, takes the
 * argmax (first on ties) of each row's last logits, appends its token embedding and a mask 1.
 */
export async function referenceGreedy(
  ckpt: Checkpoint,
  inputsEmbeds: ArrayLike<number>,
  tokens: number,
  steps: number,
  attentionMask?: readonly (readonly number[])[],
): Promise<ReferenceGreedy> {
  const cfg = ckpt.config;
  const D = cfg.lm_hidden_dim;
  const w = await weightsOf(ckpt);
  const batch = inputsEmbeds.length / (tokens * D);
  const rows = Array.from(
    { length: batch },
    (_, r) =>
      Array.from(
        Array.prototype.slice.call(inputsEmbeds, r * tokens * D, (r + 1) * tokens * D),
      ) as number[],
  );
  const masks = attentionMask?.map((m) => [...m]);
  const result: ReferenceGreedy = {
    ids: rows.map(() => []),
    margins: rows.map(() => []),
    stepLogits: new Float64Array(steps * batch * cfg.lm_vocab_size),
  };
  for (let step = 0; step < steps; step++) {
    const length = tokens + step;
    const callEnd = cfg.generation === "v0.1"
      ? () => length
      : (position: number) => Math.max(tokens, position + 1);
    const hidden = decoderHidden(cfg, w, rows.flat(), length, masks, callEnd);
    const last = Array.from(
      { length: batch },
      (_, r) => hidden.subarray(((r + 1) * length - 1) * D, (r + 1) * length * D),
    );
    const logits = linear(concat(last), batch, w("decoder.head.weight"), cfg.lm_vocab_size);
    result.stepLogits.set(logits, step * batch * cfg.lm_vocab_size);
    const next = last.map((_, r) => {
      const row = logits.subarray(r * cfg.lm_vocab_size, (r + 1) * cfg.lm_vocab_size);
      let [best, second] = [0, -1];
      for (let i = 1; i < row.length; i++) {
        if (row[i] > row[best]) [best, second] = [i, best];
        else if (second < 0 || row[i] > row[second]) second = i;
      }
      result.ids[r].push(best);
      result.margins[r].push(row[best] - row[second]);
      return best;
    });
    const embeds = await referenceEmbedTokens(ckpt, next.map((id) => [id]));
    rows.forEach((row, r) => row.push(...embeds.subarray(r * D, (r + 1) * D)));
    masks?.forEach((m) => m.push(1));
  }
  return result;
}
