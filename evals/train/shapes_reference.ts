/**
 * The joint stage's optional decoder-side reference targets (`--reference-weight`): at the shape
 * word of each object a question names ("the red circle"), that object's row and column, read by
 * a throwaway head from the residual stream after decoder block {@link REFERENCE_BLOCK}.
 *
 * @module
 */
import { numpy as np } from "@jax-js/jax";
import type { NanoTokenizer } from "../../src/mod.ts";
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
 * {@link ReferenceLabels} of encoded items: each mention is found as its colour word followed by
 * its shape word (one token each in the ShapesBench tokenizer), after the previous mention.
 */
export function referenceLabelArrays(
  samples: readonly { item: QaItem; text: readonly number[] }[],
  imageTokens: number,
  textLength: number,
  tokenizer: NanoTokenizer,
): ReferenceLabels {
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
  samples.forEach(({ item, text }, j) => {
    let from = 0;
    for (const mention of item.mentions) {
      const color = wordId(mention.color), shape = wordId(mention.shape);
      let k = from;
      while (k + 1 < text.length && !(text[k] === color && text[k + 1] === shape)) k++;
      if (k + 1 >= text.length) break;
      const at = j * total + imageTokens + k + 1;
      [row[at], col[at], mask[at]] = [mention.row, mention.col, 1];
      from = k + 2;
    }
  });
  const shape = [batch, total];
  return {
    refRow: np.array(row).reshape(shape),
    refCol: np.array(col).reshape(shape),
    refMask: np.array(mask).reshape(shape),
  };
}
