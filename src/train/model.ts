/**
 * The nanoVLM forward pass written for jax-js (autodiff, `jit`), module by module as in
 * nanoVLM's `models/vision_transformer.py`, `modality_projector.py` and `language_model.py`
 * (spec nanovlm.md §3-5): SigLIP-style ViT (conv patch embedding as a linear map over
 * flattened patches, LayerNorm, fused qkv, GELU-tanh MLP), pixel-shuffle projector, Llama
 * decoder (RMSNorm, RoPE with half rotation, GQA, SiLU-gated MLP, tied head).
 *
 * Parameters are a flat record keyed by the original tensor names. Every function here
 * *borrows* its parameters (it takes `.ref`s) and consumes its array arguments, following
 * jax-js's ownership rules; callers dispose the parameter tree themselves.
 *
 * @module
 */
import { nn, numpy as np } from "@jax-js/jax";
import type { NanoVLMConfig } from "../checkpoint/mod.ts";

/** Model parameters by original tensor name (the tied head stored once, as `decoder.head.weight`). */
export type Params = { [name: string]: np.Array };

/** The config fields the forward pass reads. */
export type ModelConfig = Pick<
  NanoVLMConfig,
  | "vit_hidden_dim"
  | "vit_inter_dim"
  | "vit_patch_size"
  | "vit_img_size"
  | "vit_n_heads"
  | "vit_n_blocks"
  | "vit_ln_eps"
  | "lm_hidden_dim"
  | "lm_inter_dim"
  | "lm_n_heads"
  | "lm_n_kv_heads"
  | "lm_n_blocks"
  | "lm_rms_eps"
  | "lm_vocab_size"
  | "mp_pixel_shuffle_factor"
>;

const at = (p: Params, name: string): np.Array => {
  const found = p[name];
  if (found === undefined) throw new Error(`missing parameter ${name}`);
  return found.ref;
};

/** `y = x Wᵀ (+ b)` for `[out, in]` weights, as `nn.Linear`. */
export function linear(x: np.Array, p: Params, prefix: string, bias: boolean): np.Array {
  const y = np.matmul(x, np.matrixTranspose(at(p, `${prefix}.weight`)));
  return bias ? y.add(at(p, `${prefix}.bias`)) : y;
}

/** `nn.LayerNorm` over the last axis (biased variance, eps inside the square root). */
export function layerNorm(x: np.Array, p: Params, prefix: string, eps: number): np.Array {
  const centred = x.ref.sub(x.mean(-1, { keepdims: true }));
  const variance = np.square(centred.ref).mean(-1, { keepdims: true });
  return centred.div(np.sqrt(variance.add(eps)))
    .mul(at(p, `${prefix}.weight`)).add(at(p, `${prefix}.bias`));
}

/** nanoVLM's RMSNorm: `(x * rsqrt(mean(x²) + eps)) * weight`. */
export function rmsNorm(x: np.Array, p: Params, name: string, eps: number): np.Array {
  const meanSquare = np.square(x.ref).mean(-1, { keepdims: true });
  return x.div(np.sqrt(meanSquare.add(eps))).mul(at(p, name));
}

/** GELU with the tanh approximation (`nn.GELU(approximate="tanh")`). */
export function geluTanh(x: np.Array): np.Array {
  const inner = x.ref.add(np.power(x.ref, 3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(np.tanh(inner).add(1)).mul(0.5);
}

/**
 * Flattens NCHW pixels `[n, 3, S, S]` into patches `[n, P, 3·p·p]` in the conv weight's
 * (channel, ky, kx) order, row-major over patches: the conv patch embedding becomes a matmul.
 */
export function patchify(
  pixels: Float32Array,
  n: number,
  size: number,
  patch: number,
): Float32Array<ArrayBuffer> {
  const grid = size / patch, per = 3 * patch * patch;
  const out = new Float32Array(n * grid * grid * per);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < grid; r++) {
      for (let c = 0; c < grid; c++) {
        for (let ch = 0; ch < 3; ch++) {
          const plane = (b * 3 + ch) * size * size;
          for (let ky = 0; ky < patch; ky++) {
            const row = plane + (r * patch + ky) * size + c * patch;
            for (let kx = 0; kx < patch; kx++) out[o++] = pixels[row + kx];
          }
        }
      }
    }
  }
  return out;
}

/** `ViT.forward` on patches `[n, P, 3·p·p]`: returns `[n, P, vit_hidden_dim]`. */
export function visionEncoder(patches: np.Array, p: Params, c: ModelConfig): np.Array {
  const d = c.vit_hidden_dim, heads = c.vit_n_heads, v = "vision_encoder";
  const [n, tokens] = patches.shape;
  const conv = at(p, `${v}.patch_embedding.conv.weight`).reshape([d, -1]);
  let x = np.matmul(patches, np.matrixTranspose(conv))
    .add(at(p, `${v}.patch_embedding.conv.bias`))
    .add(at(p, `${v}.patch_embedding.position_embedding`));
  for (let i = 0; i < c.vit_n_blocks; i++) {
    const b = `${v}.blocks.${i}`;
    const qkv = linear(
      layerNorm(x.ref, p, `${b}.ln1`, c.vit_ln_eps),
      p,
      `${b}.attn.qkv_proj`,
      true,
    );
    const split = (k: number) =>
      qkv.ref.slice([], [], [k * d, (k + 1) * d]).reshape([n, tokens, heads, d / heads]);
    const attended = nn.dotProductAttention(split(0), split(1), split(2)).reshape([n, tokens, d]);
    qkv.dispose();
    x = x.add(linear(attended, p, `${b}.attn.out_proj`, true));
    const hidden = geluTanh(
      linear(layerNorm(x.ref, p, `${b}.ln2`, c.vit_ln_eps), p, `${b}.mlp.fc1`, true),
    );
    x = x.add(linear(hidden, p, `${b}.mlp.fc2`, true));
  }
  return layerNorm(x, p, `${v}.layer_norm`, c.vit_ln_eps);
}

/** The projector's pixel shuffle `[n, H·W, D]` -> `[n, H·W/f², f²·D]` (spec §4 index map). */
export function pixelShuffle(x: np.Array, factor: number): np.Array {
  const [n, tokens, d] = x.shape;
  const side = Math.round(Math.sqrt(tokens)), out = side / factor;
  return x.reshape([n, out, factor, out, factor, d])
    .transpose([0, 1, 3, 2, 4, 5])
    .reshape([n, out * out, factor * factor * d]);
}

/** `ModalityProjector.forward`: pixel shuffle, then `MP.proj` (no bias). */
export function modalityProjector(x: np.Array, p: Params, c: ModelConfig): np.Array {
  return linear(pixelShuffle(x, c.mp_pixel_shuffle_factor), p, "MP.proj", false);
}

/** RoPE tables `cos`, `sin` of shape `[T, head_dim]` for positions `0..T-1` (float32 as torch). */
export function ropeTables(
  invFreq: Float32Array,
  length: number,
): { cos: Float32Array<ArrayBuffer>; sin: Float32Array<ArrayBuffer> } {
  const half = invFreq.length, dim = 2 * half;
  const cos = new Float32Array(length * dim), sin = new Float32Array(length * dim);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(t * invFreq[i]);
      for (const j of [i, i + half]) {
        cos[t * dim + j] = Math.cos(angle);
        sin[t * dim + j] = Math.sin(angle);
      }
    }
  }
  return { cos, sin };
}

/** Applies RoPE to `[B, T, heads, hd]` with `cos`, `sin` of shape `[T, hd]` (rotate_half). */
function rotary(x: np.Array, cos: np.Array, sin: np.Array): np.Array {
  const [b, t, heads, hd] = x.shape, half = hd / 2;
  const c = cos.reshape([1, t, 1, hd]), s = sin.reshape([1, t, 1, hd]);
  const rotated = np.concatenate([
    x.ref.slice([], [], [], [half, hd]).neg(),
    x.ref.slice([], [], [], [0, half]),
  ], 3);
  void b, heads;
  return x.mul(c).add(rotated.mul(s));
}

/**
 * Asks a decoder forward for its residual stream `[B, T, D]` after block `block` (0-based), which
 * the forward sets as `hidden` (a reference the caller owns), e.g. for an auxiliary loss. Several
 * taps may read the same block.
 */
export type BlockTap = { block: number; hidden?: np.Array };

/**
 * `LanguageModel.forward` on input embeddings `[B, T, D]` with positions `0..T-1` (causal):
 * returns the final-normed hidden states `[B, T, D]`. `cos`/`sin` are {@link ropeTables} arrays.
 */
export function languageModel(
  x: np.Array,
  cos: np.Array,
  sin: np.Array,
  p: Params,
  c: ModelConfig,
  taps: readonly BlockTap[] = [],
): np.Array {
  const [b, t] = x.shape;
  const hd = c.lm_hidden_dim / c.lm_n_heads;
  for (let i = 0; i < c.lm_n_blocks; i++) {
    const k = `decoder.blocks.${i}`;
    const h = rmsNorm(x.ref, p, `${k}.norm1.weight`, c.lm_rms_eps);
    const q = rotary(
      linear(h.ref, p, `${k}.attn.q_proj`, false).reshape([b, t, c.lm_n_heads, hd]),
      cos.ref,
      sin.ref,
    );
    const key = rotary(
      linear(h.ref, p, `${k}.attn.k_proj`, false).reshape([b, t, c.lm_n_kv_heads, hd]),
      cos.ref,
      sin.ref,
    );
    const value = linear(h, p, `${k}.attn.v_proj`, false).reshape([b, t, c.lm_n_kv_heads, hd]);
    const attended = nn.dotProductAttention(q, key, value, { isCausal: true })
      .reshape([b, t, c.lm_hidden_dim]);
    x = x.add(linear(attended, p, `${k}.attn.out_proj`, false));
    const m = rmsNorm(x.ref, p, `${k}.norm2.weight`, c.lm_rms_eps);
    const gated = nn.silu(linear(m.ref, p, `${k}.mlp.gate_proj`, false))
      .mul(linear(m, p, `${k}.mlp.up_proj`, false));
    x = x.add(linear(gated, p, `${k}.mlp.down_proj`, false));
    for (const tap of taps) if (tap.block === i) tap.hidden = x.ref;
  }
  cos.dispose();
  sin.dispose();
  return rmsNorm(x, p, "decoder.norm.weight", c.lm_rms_eps);
}

/** Token embeddings `[B, T, D]`: rows of the tied table `decoder.head.weight`. */
export function embedTokens(ids: np.Array, p: Params, c: ModelConfig): np.Array {
  return np.matmul(nn.oneHot(ids, c.lm_vocab_size), at(p, "decoder.head.weight"));
}

/** Logits `[B, T, V]` of hidden states through the tied head. */
export function head(hidden: np.Array, p: Params): np.Array {
  return np.matmul(hidden, np.matrixTranspose(at(p, "decoder.head.weight")));
}

/** Inputs of one VLM forward. */
export type VlmInputs = {
  /** `[N, P, 3·p·p]` float32 patches of every image/tile ({@link patchify}). */
  patches: np.Array;
  /** `[B, T_text]` int32 token ids (right-padded for training). */
  ids: np.Array;
  /** `[T, head_dim]` RoPE cosines for the decoder's full sequence. */
  cos: np.Array;
  /** `[T, head_dim]` RoPE sines. */
  sin: np.Array;
  /**
   * v0.2/current only: `[B, T_text, N·T_img]` float32 placement of image embeddings, 1 where
   * text position t takes image token k (flattened over images in order), as
   * {@link imagePlacement} builds it. Absent: the v0.1 layout (image embeddings prepended).
   */
  placement?: np.Array;
};

/**
 * The placement matrix of the v0.2/current layouts: every `<|image|>` position of each row, in
 * order, takes the next image embedding of that row (row-major over the flattened batch, as
 * `_replace_img_tokens_with_embd` fills them). Returns `[B · T · N_img]` values.
 */
export function imagePlacement(
  ids: readonly (readonly number[])[],
  imageTokenId: number,
  imageTokens: number,
): Float32Array<ArrayBuffer> {
  const rows = ids.length, length = ids[0]?.length ?? 0;
  const out = new Float32Array(rows * length * imageTokens);
  let next = 0;
  for (let b = 0; b < rows; b++) {
    for (let t = 0; t < length; t++) {
      if (ids[b][t] !== imageTokenId) continue;
      if (next >= imageTokens) throw new Error("more <|image|> positions than image embeddings");
      out[(b * length + t) * imageTokens + next++] = 1;
    }
  }
  if (next !== imageTokens) {
    throw new Error(`${next} <|image|> positions for ${imageTokens} image embeddings`);
  }
  return out;
}

/**
 * The VLM forward: logits `[B, T, V]`. v0.1 prepends the image embeddings to the text (no
 * placeholders); v0.2/current overwrite the `<|image|>` embeddings with them ({@link VlmInputs}).
 */
export function vlmLogits(inputs: VlmInputs, p: Params, c: ModelConfig): np.Array {
  const image = modalityProjector(visionEncoder(inputs.patches, p, c), p, c);
  return vlmLogitsOfImage(image, inputs, p, c);
}

/**
 * The VLM forward from already projected image embeddings `[N, T_img, lm_hidden_dim]` (consumed;
 * `inputs.patches` is not read): for losses that also use the image embeddings (and, through
 * `taps`, blocks' residual streams).
 */
export function vlmLogitsOfImage(
  image: np.Array,
  inputs: Omit<VlmInputs, "patches">,
  p: Params,
  c: ModelConfig,
  taps: readonly BlockTap[] = [],
): np.Array {
  const text = embedTokens(inputs.ids, p, c);
  let embeds: np.Array;
  if (inputs.placement === undefined) embeds = np.concatenate([image, text], 1);
  else {
    const [n, tokens, d] = image.shape;
    const flat = image.reshape([n * tokens, d]);
    const keep = inputs.placement.ref.sum(-1, { keepdims: true }).neg().add(1);
    embeds = text.mul(keep).add(np.matmul(inputs.placement, flat));
  }
  const hidden = languageModel(embeds, inputs.cos, inputs.sin, p, c, taps);
  return head(hidden, p);
}

/**
 * Mean cross-entropy of `logits [B, T, V]` against `targets [B, T]` (int32) over positions where
 * `mask [B, T]` (float32) is 1.
 */
export function maskedCrossEntropy(logits: np.Array, targets: np.Array, mask: np.Array): np.Array {
  const vocab = logits.shape[2];
  const logp = nn.logSoftmax(logits, -1);
  const picked = logp.mul(nn.oneHot(targets, vocab)).sum(-1);
  const total = mask.ref.sum();
  return picked.mul(mask).sum().neg().div(np.maximum(total, 1));
}

/** A teacher-forced batch: the forward's inputs, next-token targets and the loss mask. */
export type VlmBatch = VlmInputs & {
  /** `[B, T]` int32 next-token ids over the decoder's sequence. */
  targets: np.Array;
  /** `[B, T]` float32: 1 where the target is scored (answer tokens and eos). */
  mask: np.Array;
};

/** The answer-token cross-entropy of a {@link VlmBatch}. */
export function vlmLoss(config: ModelConfig): (p: Params, batch: VlmBatch) => np.Array {
  return (p, batch) => maskedCrossEntropy(vlmLogits(batch, p, config), batch.targets, batch.mask);
}
