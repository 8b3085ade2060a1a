/**
 * The joint stage's optional decoder-side targets at the shape words of the objects a question
 * names ("the red circle"), each read by a throwaway head from the decoder's residual stream:
 *
 * - reference (`--reference-weight`): at each named object, its row and column, after decoder
 *   block {@link REFERENCE_BLOCK};
 * - relation (`--relation-weight`): at the second named object, where the first one lies from it
 *   (the signs of their row and column differences), after block {@link relationBlock}, so that
 *   the comparison a relative-position question asks for is made in the text, not read off the
 *   image tokens' order.
 *
 * @module
 */
import { numpy as np } from "@jax-js/jax";
import type { NanoTokenizer, NanoVLMConfig } from "../../src/mod.ts";
import type { QaItem } from "./shapes_data.ts";

/** The decoder block whose output the reference head reads (the second of four). */
export const REFERENCE_BLOCK = 1;

/**
 * Targets of the reference head, each `[B, T]` over image + text positions: at the shape word of
 * each object the question names, the object's row and column (int32), and where they count
 * (`refMask`, float32).
 */
export type ReferenceLabels = { refRow: np.Array; refCol: np.Array; refMask: np.Array };

/**
 * Targets of the relation head, each `[B, T]` over image + text positions: at the shape word of
 * the second object a question names, the sign of the first object's row minus the second's, and
 * of their columns, as classes 0 (first above / left), 1 (same), 2 (below / right) (int32), and
 * where they count (`relMask`, float32).
 */
export type RelationLabels = { relRow: np.Array; relCol: np.Array; relMask: np.Array };

/** The decoder block whose output the relation head reads: the third from last (block 0 at most 3). */
export function relationBlock(config: NanoVLMConfig): number {
  return Math.max(0, config.lm_n_blocks - 3);
}

/**
 * {@link ReferenceLabels} and {@link RelationLabels} of encoded items: each mention is found as
 * its colour word followed by its shape word (one token each in the ShapesBench tokenizer), after
 * the previous mention.
 */
export function mentionLabelArrays(
  samples: readonly { item: QaItem; text: readonly number[] }[],
  imageTokens: number,
  textLength: number,
  tokenizer: NanoTokenizer,
): ReferenceLabels & RelationLabels {
  const wordId = (word: string) => {
    const ids = tokenizer.encode(` ${word}`);
    if (ids.length !== 1) {
      throw new Error(`"${word}" is not one token of the ShapesBench tokenizer`);
    }
    return ids[0];
  };
  const total = imageTokens + textLength, batch = samples.length;
  const row = new Int32Array(batch * total), col = new Int32Array(batch * total);
  const mask = new Float32Array(batch * total);
  const relRow = new Int32Array(batch * total), relCol = new Int32Array(batch * total);
  const relMask = new Float32Array(batch * total);
  samples.forEach(({ item, text }, j) => {
    let from = 0;
    item.mentions.forEach((mention, n) => {
      if (from < 0) return;
      const color = wordId(mention.color), shape = wordId(mention.shape);
      let k = from;
      while (k + 1 < text.length && !(text[k] === color && text[k + 1] === shape)) k++;
      if (k + 1 >= text.length) {
        from = -1;
        return;
      }
      const at = j * total + imageTokens + k + 1;
      [row[at], col[at], mask[at]] = [mention.row, mention.col, 1];
      if (n === 1) {
        const first = item.mentions[0];
        relRow[at] = Math.sign(first.row - mention.row) + 1;
        relCol[at] = Math.sign(first.col - mention.col) + 1;
        relMask[at] = 1;
      }
      from = k + 2;
    });
  });
  const shape = [batch, total];
  const array = (values: Int32Array<ArrayBuffer> | Float32Array<ArrayBuffer>) =>
    np.array(values).reshape(shape);
  return {
    refRow: array(row),
    refCol: array(col),
    refMask: array(mask),
    relRow: array(relRow),
    relCol: array(relCol),
    relMask: array(relMask),
  };
}
