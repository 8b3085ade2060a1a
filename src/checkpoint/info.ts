/**
 * The facts about a checkpoint that `nanovlm info` reports (and a notebook wants): generation,
 * parameters per module, tensors, image geometry, vocabulary.
 *
 * @module
 */
import type { Checkpoint } from "./checkpoint.ts";
import { geometryOf } from "./config_types.ts";

/** What a checkpoint is, as `nanovlm info --json` prints it. */
export interface CheckpointInfo {
  /** The checkpoint folder. */
  dir: string;
  /** The code generation the config belongs to (`v0.1`, `v0.2`, `current`). */
  generation: string;
  /** Parameters per module and in total. */
  parameters: Checkpoint["parameters"];
  /** How many tensors `model.safetensors` holds. */
  tensors: number;
  /** How many tensors of each dtype. */
  dtypes: Record<string, number>;
  /** Image geometry: input size, patches, pixel shuffle, and tiling (current generation). */
  image: {
    size: number;
    patchSize: number;
    patchesPerImage: number;
    pixelShuffleFactor: number;
    maxImageSize: number | null;
    maxTilesPerImage: number;
  };
  /** Decoder positions one image (or tile) takes. */
  imageTokensPerImage: number;
  /** The decoder's vocabulary size (`lm_vocab_size`). */
  vocabSize: number;
  /** The tokenizer's base vocabulary before the extra tokens (`lm_base_vocab_size`). */
  baseVocabSize: number;
  /** The config's extra special tokens (`vlm_extra_tokens`), in order. */
  extraTokens: string[];
  /** Decoder shape. */
  lm: { hidden: number; blocks: number; heads: number; kvHeads: number; headDim: number };
  /** Vision encoder shape. */
  vit: { hidden: number; blocks: number; heads: number };
  /** Size of `model.safetensors` in bytes. */
  fileBytes: number;
  /** Warnings raised while opening the checkpoint. */
  warnings: string[];
}

/**
 * Collects the facts about an opened checkpoint: generation, parameters per module, tensors and
 * dtypes, image geometry, vocabulary, file size, and the warnings opening it raised.
 *
 * @example
 * ```ts
 * import { checkpointInfo, openCheckpoint } from "./src/mod.ts";
 *
 * const info = checkpointInfo(await openCheckpoint("checkpoints/nanoVLM-222M"));
 * console.log(info.generation, info.parameters.total, info.imageTokensPerImage);
 * ```
 */
export function checkpointInfo(ckpt: Checkpoint): CheckpointInfo {
  const c = ckpt.config;
  const g = geometryOf(c);
  const dtypes: Record<string, number> = {};
  for (const entry of ckpt.index.tensors.values()) {
    dtypes[entry.dtype] = (dtypes[entry.dtype] ?? 0) + 1;
  }
  const extras = Object.values(c.vlm_extra_tokens ?? {});
  const tilesPerSide = c.max_img_size ? c.max_img_size / c.vit_img_size : 1;
  return {
    dir: ckpt.dir,
    generation: c.generation,
    parameters: ckpt.parameters,
    tensors: ckpt.index.tensors.size,
    dtypes,
    image: {
      size: c.vit_img_size,
      patchSize: c.vit_patch_size,
      patchesPerImage: g.patchesPerImage,
      pixelShuffleFactor: c.mp_pixel_shuffle_factor,
      maxImageSize: c.max_img_size ?? null,
      // current: a grid of tiles plus one global image (spec §7.2), except a 1x1 grid or a
      // vocabulary without <|global_image|>, which take no global image; older: one image.
      maxTilesPerImage: c.max_img_size
        ? tilesPerSide * tilesPerSide +
          (tilesPerSide > 1 && Object.keys(c.vlm_extra_tokens ?? {}).includes("global_image_token")
            ? 1
            : 0)
        : 1,
    },
    imageTokensPerImage: c.mp_image_token_length ?? g.imageTokensPerImage,
    vocabSize: c.lm_vocab_size,
    baseVocabSize: c.lm_base_vocab_size ?? c.lm_vocab_size,
    extraTokens: extras,
    lm: {
      hidden: c.lm_hidden_dim,
      blocks: c.lm_n_blocks,
      heads: c.lm_n_heads,
      kvHeads: c.lm_n_kv_heads,
      headDim: g.lmHeadDim,
    },
    vit: { hidden: c.vit_hidden_dim, blocks: c.vit_n_blocks, heads: c.vit_n_heads },
    fileBytes: ckpt.index.fileSize,
    warnings: ckpt.warnings,
  };
}
