/**
 * The joint stage of the ShapesBench default model (see shapes_model.ts): its batches (a stage-2
 * batch with the pictures' cell labels and, when asked, the decoder heads' targets) and its loss
 * (the answer tokens, the image tokens' auxiliary cell and position heads, and the optional
 * decoder-side reference, relation and count heads).
 *
 * @module
 */
import { numpy as np } from "@jax-js/jax";
import type { NanoTokenizer, NanoVLMConfig } from "../../src/mod.ts";
import {
  type BlockTap,
  linear,
  maskedCrossEntropy,
  modalityProjector,
  type Params,
  visionEncoder,
  vlmLogitsOfImage,
} from "../../src/train/mod.ts";
import type { ShapesStream, TaskType } from "./shapes_data.ts";
import {
  cellLabelArrays,
  type CellLabels,
  cellTerms,
  imageTokensOf,
  positionTerms,
  type QaBatch,
  qaSamples,
  rowColumnTerms,
} from "./shapes_model.ts";
import {
  mentionLabelArrays,
  REFERENCE_BLOCK,
  type ReferenceLabels,
  relationBlock,
  type RelationLabels,
} from "./shapes_reference.ts";
import { COUNT_CELLS, countBlock, countLabelArrays, type CountLabels } from "./shapes_count.ts";

/**
 * A joint-stage batch: a stage-2 batch with its pictures' cell labels (and the decoder heads'
 * targets: reference, relation, count).
 */
export type JointBatch =
  & QaBatch
  & CellLabels
  & Partial<ReferenceLabels & RelationLabels & CountLabels>;

/**
 * Joint-stage batch: {@link qaBatch} plus the cell labels of the same pictures (never mirrored),
 * and with `decoderTargets` the reference, relation and count heads' targets.
 */
export function jointBatch(
  stream: ShapesStream,
  first: number,
  batch: number,
  types: readonly TaskType[],
  textLength: number,
  tokenizer: NanoTokenizer,
  config: NanoVLMConfig,
  rope: { cos: Float32Array; sin: Float32Array },
  decoderTargets = false,
): JointBatch {
  const qa = qaSamples(stream, first, batch, types, textLength, tokenizer, config, rope);
  const cells = cellLabelArrays(qa.samples.map((x) => x.scene), new Array(batch).fill(false));
  if (!decoderTargets) return { ...qa.batch, ...cells };
  const imageTokens = imageTokensOf(config);
  const labels = mentionLabelArrays(qa.samples, imageTokens, textLength, tokenizer);
  const counts = countLabelArrays(qa.samples, imageTokens, textLength, tokenizer);
  return { ...qa.batch, ...cells, ...labels, ...counts };
}

/** Weights of the joint stage's decoder-side heads (each 0, off, unless given). */
export type DecoderHeadWeights = { reference?: number; relation?: number; count?: number };

/**
 * Joint-stage loss: the answer-token cross-entropy plus `auxWeight` × (the cell-label and the
 * position cross-entropies of the image tokens through the throwaway heads), plus, for each
 * decoder head given a weight > 0, that weight × its loss: the reference head's row and column
 * cross-entropies, the relation head's, and the count head's per-cell cross-entropy (the batch
 * then carries {@link ReferenceLabels}, {@link RelationLabels} and {@link CountLabels}). The
 * heads read the tapped residual stream RMS-normalized.
 */
export function jointLoss(
  config: NanoVLMConfig,
  auxWeight: number,
  weights: DecoderHeadWeights = {},
) {
  return (p: Params, batch: JointBatch): np.Array => {
    const image = modalityProjector(visionEncoder(batch.patches, p, config), p, config);
    const aux = cellTerms(linear(image.ref, p, "stage1.cells", true), batch)
      .add(positionTerms(linear(image.ref, p, "stage1.position", true), batch));
    const heads = [
      {
        prefix: "stage1.reference",
        weight: weights.reference ?? 0,
        tap: { block: REFERENCE_BLOCK } as BlockTap,
        labels: [batch.refRow, batch.refCol, batch.refMask],
        terms: (logits: np.Array, [row, col, mask]: np.Array[]) =>
          rowColumnTerms(logits, row, col, mask),
      },
      {
        prefix: "stage1.relation",
        weight: weights.relation ?? 0,
        tap: { block: relationBlock(config) } as BlockTap,
        labels: [batch.relRow, batch.relCol, batch.relMask],
        terms: (logits: np.Array, [row, col, mask]: np.Array[]) =>
          rowColumnTerms(logits, row, col, mask),
      },
      {
        prefix: "stage1.count",
        weight: weights.count ?? 0,
        tap: { block: countBlock(config) } as BlockTap,
        labels: [batch.countCells, batch.countMask],
        terms: (logits: np.Array, [cells, mask]: np.Array[]) => {
          const [b, t] = logits.shape;
          return maskedCrossEntropy(logits.reshape([b, t * COUNT_CELLS, 2]), cells, mask);
        },
      },
    ];
    const on = heads.filter((head) => head.weight > 0);
    // Targets a batch carries for a head that is off are released unread.
    for (const head of heads) if (head.weight <= 0) head.labels.forEach((a) => a?.dispose());
    const logits = vlmLogitsOfImage(image, batch, p, config, on.map((head) => head.tap));
    let loss = maskedCrossEntropy(logits, batch.targets, batch.mask).add(aux.mul(auxWeight));
    for (const { prefix, weight, tap, labels, terms } of on) {
      const logits = linear(rmsNormalized(tap.hidden!), p, prefix, true);
      loss = loss.add(terms(logits, labels as np.Array[]).mul(weight));
    }
    return loss;
  };
}

/**
 * `x / rms(x)` over the last axis (no learned scale): what the decoder's heads see of a residual
 * stream whose scale grows with depth, so that a throwaway head's steps stay small.
 */
function rmsNormalized(x: np.Array): np.Array {
  const rms = np.sqrt(x.ref.mul(x.ref).mean(-1, { keepdims: true }).add(1e-5));
  return x.div(rms);
}
