/**
 * The ShapesBench default model's config and the batches and losses of its two training stages:
 *
 * - stage `vit`: the vision encoder and projector learn per-cell labels (colour, shape, size of
 *   the object in each of the 3×3 grid cells, or empty). At 96 px with 16-px patches the 6×6
 *   patch grid pixel-shuffles (factor 2) into exactly 9 image tokens, one per cell, so every
 *   token gets a dense direct target (a throwaway linear head `stage1.cells`).
 * - stage `vlm`: projector and decoder learn the benchmark's questions and a canonical caption
 *   with the v0.1 prompt layout (image embeddings first, `Question: {q} Answer:`, answer + eos),
 *   loss on the answer tokens only; the vision encoder is frozen.
 * - stage `joint`: everything trains on the stage-2 batches, and the image tokens keep two
 *   auxiliary targets through throwaway heads: stage 1's cell labels (`stage1.cells`) and the
 *   row and column of the token's own cell (`stage1.position`), so that where an object is stays
 *   readable in its token (stage 1 never asked for it, and the relative-position questions
 *   stayed at chance without it). Optionally (`weights.reference`), the decoder's residual
 *   stream after block {@link REFERENCE_BLOCK}, at the shape word of each object a question names
 *   ("the red circle"), predicts that object's row and column (`stage1.reference`): the lookup
 *   the relative-position questions compose, asked for directly; (`weights.relation`), at the
 *   second object a question names, where the first lies from it (`stage1.relation`): the
 *   comparison itself (shapes_reference.ts); and (`weights.count`), at a count question's noun,
 *   which cells hold what it counts (`stage1.count`, shapes_count.ts). The joint stage's batch
 *   and loss are in shapes_joint.ts.
 *
 * @module
 */
import { numpy as np } from "@jax-js/jax";
import { defaultConfig, type NanoTokenizer, type NanoVLMConfig } from "../../src/mod.ts";
import {
  linear,
  maskedCrossEntropy,
  modalityProjector,
  type Params,
  patchify,
  visionEncoder,
  type VlmBatch,
  vlmLoss,
} from "../../src/train/mod.ts";
import {
  cellLabels,
  promptText,
  type QaItem,
  type ShapesStream,
  type TaskType,
} from "./shapes_data.ts";
import type { Scene } from "../datasets/mod.ts";
import { BASE_WIDTH, type DecoderWidth, headsOf } from "./grow_width.ts";

/**
 * The default model: 96-px images, 9 image tokens (one per grid cell: 32-px patches, or 16-px
 * patches pixel-shuffled by 2), a 4-block ViT and a 4-block decoder of width 128/384
 * (`decoderBlocks` once grown: grow_decoder.ts; `decoderWidth` once widened: grow_width.ts).
 */
export function shapesConfig(
  vocabSize: number,
  patch = 32,
  decoderBlocks = 4,
  decoderWidth: DecoderWidth = BASE_WIDTH,
): NanoVLMConfig {
  const { heads, kvHeads } = headsOf(decoderWidth);
  return {
    ...defaultConfig("v0.1"),
    vit_hidden_dim: 128,
    vit_inter_dim: 512,
    vit_patch_size: patch,
    vit_img_size: 96,
    vit_n_heads: 4,
    vit_n_blocks: 4,
    vit_model_type: "none (trained from scratch on ShapesBench)",
    lm_hidden_dim: decoderWidth.hidden,
    lm_inter_dim: decoderWidth.inter,
    lm_n_heads: heads,
    lm_n_kv_heads: kvHeads,
    lm_rms_eps: decoderWidth.rmsEps,
    lm_n_blocks: decoderBlocks,
    lm_vocab_size: vocabSize,
    lm_max_length: 64,
    lm_model_type: "none (trained from scratch on ShapesBench)",
    lm_tokenizer: "nanovlm-lab/shapes-tokenizer (tokenizer.json beside the weights)",
    mp_pixel_shuffle_factor: 96 / patch / 3,
    vlm_load_backbone_weights: false,
    vlm_checkpoint_path: "data/models/shapes-nano",
  };
}

/** Cell-label classes of the stage-1 head: 9 colour (empty + 8), 6 shape (empty + 5), 2 size. */
export const CELL_CLASSES = { color: 9, shape: 6, size: 2 } as const;
const CELL_TOTAL = CELL_CLASSES.color + CELL_CLASSES.shape + CELL_CLASSES.size;

/** Seeded initial stage-1 head (`stage1.cells.weight` [17, lm_hidden_dim], bias). */
export function stage1Head(config: NanoVLMConfig, random: () => number) {
  const weight = new Float32Array(CELL_TOTAL * config.lm_hidden_dim);
  for (let i = 0; i < weight.length; i++) weight[i] = 0.02 * random();
  return new Map([
    ["stage1.cells.weight", { shape: [CELL_TOTAL, config.lm_hidden_dim], data: weight }],
    ["stage1.cells.bias", { shape: [CELL_TOTAL], data: new Float32Array(CELL_TOTAL) }],
  ]);
}

/** Classes of the position head: the token cell's row (3), then its column (3). */
export const POSITION_CLASSES = 6;

/**
 * Seeded initial row-and-column head (`<prefix>.weight` [6, lm_hidden_dim], bias): the image
 * tokens' `stage1.position`, or with another prefix the decoder's `stage1.reference`.
 */
export function positionHead(
  config: NanoVLMConfig,
  random: () => number,
  prefix = "stage1.position",
) {
  return linearHead(config, random, prefix, POSITION_CLASSES);
}

/** Seeded initial linear head `<prefix>.weight` [classes, lm_hidden_dim] (0.02 · random), zero bias. */
export function linearHead(
  config: NanoVLMConfig,
  random: () => number,
  prefix: string,
  classes: number,
) {
  const weight = new Float32Array(classes * config.lm_hidden_dim);
  for (let i = 0; i < weight.length; i++) weight[i] = 0.02 * random();
  return new Map([
    [`${prefix}.weight`, { shape: [classes, config.lm_hidden_dim], data: weight }],
    [`${prefix}.bias`, { shape: [classes], data: new Float32Array(classes) }],
  ]);
}

/** Per-token targets of the auxiliary heads, each `[B, 9]` (int32; `sizeMask` float32). */
export type CellLabels = {
  color: np.Array;
  shape: np.Array;
  size: np.Array;
  sizeMask: np.Array;
  /** Row of the token's cell (the same for every picture). */
  row: np.Array;
  /** Column of the token's cell. */
  col: np.Array;
};

/** A stage-1 batch. */
export type CellBatch = { patches: np.Array } & CellLabels;

/** A stage-2 batch (`targets`/`mask` span image + text positions). */
export type QaBatch = VlmBatch;

/** Pixels `[B, 3, S, S]` of the given CHW images as the patches `[B, patches, 3·p·p]` the ViT reads. */
export function patchesOf(images: Float32Array[], config: NanoVLMConfig): np.Array {
  const size = config.vit_img_size, p = config.vit_patch_size;
  const per = 3 * size * size, all = new Float32Array(images.length * per);
  images.forEach((img, i) => all.set(img, i * per));
  const grid = (size / p) ** 2;
  return np.array(patchify(all, images.length, size, p)).reshape([images.length, grid, 3 * p * p]);
}

/** Cell labels of `scenes`, mirrored left-right where `flips[j]`. */
export function cellLabelArrays(scenes: readonly Scene[], flips: readonly boolean[]): CellLabels {
  const color: number[] = [], shape: number[] = [], size: number[] = [], sizeMask: number[] = [];
  const row: number[] = [], col: number[] = [];
  scenes.forEach((scene, j) => {
    const labels = cellLabels(scene);
    for (let cell = 0; cell < 9; cell++) {
      const source = flips[j] ? Math.floor(cell / 3) * 3 + (2 - (cell % 3)) : cell;
      color.push(labels.color[source]);
      shape.push(labels.shape[source]);
      size.push(Math.max(0, labels.size[source]));
      sizeMask.push(labels.size[source] >= 0 ? 1 : 0);
      row.push(Math.floor(cell / 3));
      col.push(cell % 3);
    }
  });
  const batch = scenes.length;
  const int = (values: number[]) => np.array(new Int32Array(values)).reshape([batch, 9]);
  return {
    color: int(color),
    shape: int(shape),
    size: int(size),
    sizeMask: np.array(new Float32Array(sizeMask)).reshape([batch, 9]),
    row: int(row),
    col: int(col),
  };
}

/** Stage-1 batch of samples `first .. first + batch - 1` of the stream (horizontal flips on odd uses). */
export function cellBatch(
  stream: ShapesStream,
  first: number,
  batch: number,
  config: NanoVLMConfig,
): CellBatch {
  const images: Float32Array[] = [], scenes: Scene[] = [], flips: boolean[] = [];
  for (let j = 0; j < batch; j++) {
    const { image: n, use } = stream.locate(first + j);
    const { scene, pixels } = stream.image(n);
    const flip = use % 2 === 1;
    images.push(flip ? flipHorizontal(pixels, config.vit_img_size) : pixels);
    scenes.push(scene);
    flips.push(flip);
  }
  return { patches: patchesOf(images, config), ...cellLabelArrays(scenes, flips) };
}

/** Mirrors CHW pixels left-right. */
export function flipHorizontal(pixels: Float32Array, size: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let row = 0; row < 3 * size; row++) {
    for (let x = 0; x < size; x++) out[row * size + x] = pixels[row * size + size - 1 - x];
  }
  return out;
}

/** Stage-1 per-cell logits `[B, 9, 17]` (colour, shape, size) of patches. */
export function cellLogits(p: Params, patches: np.Array, config: NanoVLMConfig): np.Array {
  const tokens = modalityProjector(visionEncoder(patches, p, config), p, config);
  return linear(tokens, p, "stage1.cells", true);
}

/** Colour, shape and (where occupied) half-weighted size cross-entropies of `[B, 9, 17]` logits. */
export function cellTerms(logits: np.Array, labels: CellLabels): np.Array {
  const { color, shape } = CELL_CLASSES;
  const ones = np.onesLike(labels.color.ref).astype(np.float32);
  const colorLoss = maskedCrossEntropy(
    logits.ref.slice([], [], [0, color]),
    labels.color,
    ones.ref,
  );
  const shapeLoss = maskedCrossEntropy(
    logits.ref.slice([], [], [color, color + shape]),
    labels.shape,
    ones,
  );
  const sizeLoss = maskedCrossEntropy(
    logits.slice([], [], [color + shape, CELL_TOTAL]),
    labels.size,
    labels.sizeMask,
  );
  return colorLoss.add(shapeLoss).add(sizeLoss.mul(0.5));
}

/** Row and column cross-entropies of `[B, 9, 6]` position logits. */
export function positionTerms(logits: np.Array, labels: CellLabels): np.Array {
  const ones = np.onesLike(labels.row.ref).astype(np.float32);
  return rowColumnTerms(logits, labels.row, labels.col, ones);
}

/** Stage-1 loss: mean of the colour, shape and (where occupied) size cross-entropies per cell. */
export function cellLoss(config: NanoVLMConfig) {
  return (p: Params, batch: CellBatch): np.Array => {
    batch.row.dispose();
    batch.col.dispose();
    return cellTerms(cellLogits(p, batch.patches, config), batch);
  };
}

/** Text ids of one item: prompt ids, then ` answer` ids and eos; and where the answer starts. */
export function encodeItem(
  tokenizer: NanoTokenizer,
  question: string,
  answer: string,
): { ids: number[]; answerStart: number } {
  const prompt = tokenizer.encode(promptText(question));
  const reply = tokenizer.encode(` ${answer}`);
  return { ids: [...prompt, ...reply, tokenizer.eosTokenId], answerStart: prompt.length };
}

/** RoPE tables for a sequence length as arrays. */
export function ropeArrays(
  tables: { cos: Float32Array; sin: Float32Array },
  length: number,
  headDim: number,
) {
  return {
    cos: np.array(tables.cos.slice(0, length * headDim)).reshape([length, headDim]),
    sin: np.array(tables.sin.slice(0, length * headDim)).reshape([length, headDim]),
  };
}

/**
 * Stage-2 batch of `batch` samples from `first` with text length `textLength` (arguments:
 * stream, first, batch, types, textLength, tokenizer, config, rope).
 */
export function qaBatch(...args: Parameters<typeof qaSamples>): QaBatch {
  return qaSamples(...args).batch;
}

/** The number of image tokens the config gives one picture. */
export function imageTokensOf(config: NanoVLMConfig): number {
  return (config.vit_img_size / config.vit_patch_size / config.mp_pixel_shuffle_factor) ** 2;
}

/** {@link qaBatch} with each sample's scene, item and (truncated) text ids. */
export function qaSamples(
  stream: ShapesStream,
  first: number,
  batch: number,
  types: readonly TaskType[],
  textLength: number,
  tokenizer: NanoTokenizer,
  config: NanoVLMConfig,
  rope: { cos: Float32Array; sin: Float32Array },
): { batch: QaBatch; samples: { scene: Scene; item: QaItem; text: number[] }[] } {
  const imageTokens = imageTokensOf(config);
  const total = imageTokens + textLength;
  const images: Float32Array[] = [];
  const samples: { scene: Scene; item: QaItem; text: number[] }[] = [];
  const ids = new Int32Array(batch * textLength).fill(tokenizer.eosTokenId);
  const targets = new Int32Array(batch * total);
  const mask = new Float32Array(batch * total);
  for (let j = 0; j < batch; j++) {
    const { image, item } = stream.sample(first + j, types);
    images.push(image.pixels);
    const encoded = encodeItem(tokenizer, item.question, item.answer);
    const text = encoded.ids.slice(0, textLength);
    samples.push({ scene: image.scene, item, text });
    ids.set(text, j * textLength);
    for (let k = 0; k + 1 < text.length; k++) {
      targets[j * total + imageTokens + k] = text[k + 1];
      if (k + 1 >= encoded.answerStart) mask[j * total + imageTokens + k] = 1;
    }
  }
  const headDim = config.lm_hidden_dim / config.lm_n_heads;
  const { cos, sin } = ropeArrays(rope, total, headDim);
  return {
    batch: {
      patches: patchesOf(images, config),
      ids: np.array(ids).reshape([batch, textLength]),
      cos,
      sin,
      targets: np.array(targets).reshape([batch, total]),
      mask: np.array(mask).reshape([batch, total]),
    },
    samples,
  };
}

/** Stage-2 loss: answer-token cross-entropy of the v0.1 forward. */
export const qaLoss = vlmLoss;

/** Row plus column cross-entropy of a 6-class head's logits (row classes first) where `mask` is 1. */
export function rowColumnTerms(
  logits: np.Array,
  row: np.Array,
  col: np.Array,
  mask: np.Array,
): np.Array {
  const rowLoss = maskedCrossEntropy(logits.ref.slice([], [], [0, 3]), row, mask.ref);
  return rowLoss.add(maskedCrossEntropy(logits.slice([], [], [3, 6]), col, mask));
}
