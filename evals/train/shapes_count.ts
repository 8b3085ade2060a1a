/**
 * The joint stage's optional counting target (`--count-weight`): at the noun of a count question
 * ("How many green squares are there?" → "squares"), a throwaway head reading the decoder's
 * residual stream after block {@link countBlock} says, for each of the 9 grid cells, whether it
 * holds an object the question counts. Counting by colour and shape together failed mostly by
 * one, counting a distractor that shares only the colour or only the shape; this asks for the
 * conjunction, cell by cell, before the answer has to sum it.
 *
 * @module
 */
import { numpy as np } from "@jax-js/jax";
import type { NanoTokenizer, NanoVLMConfig } from "../../src/mod.ts";
import { plural, type Scene } from "../datasets/mod.ts";

/** Grid cells a count head answers for (row-major). */
export const COUNT_CELLS = 9;

/**
 * Targets of the count head, each `[B, T · 9]` over image + text positions × cells: at the noun of
 * each count question, 1 for a cell holding a counted object (int32), and where they count
 * (`countMask`, float32).
 */
export type CountLabels = { countCells: np.Array; countMask: np.Array };

/** The decoder block whose output the count head reads: the third from last (block 0 at most 3). */
export function countBlock(config: NanoVLMConfig): number {
  return Math.max(0, config.lm_n_blocks - 3);
}

const COUNT_QUESTION = /^How many (?:(\w+) )?(\w+) are there\?$/;

/**
 * For a count question, the row-major cells (0/1) holding an object it counts in `scene`;
 * `undefined` for any other question. "shapes" counts every shape.
 */
export function countedCells(question: string, scene: Scene): number[] | undefined {
  const match = COUNT_QUESTION.exec(question);
  if (!match) return undefined;
  const [, color, noun] = match;
  const cells = new Array(COUNT_CELLS).fill(0);
  for (const o of scene.objects) {
    const colorOk = color === undefined || o.color === color;
    if (colorOk && (noun === "shapes" || plural(o.shape) === noun)) cells[o.row * 3 + o.col] = 1;
  }
  return cells;
}

/**
 * {@link CountLabels} of encoded items: the noun is the token before the first ` are` of the
 * text (one token in the ShapesBench tokenizer).
 */
export function countLabelArrays(
  samples: readonly { scene: Scene; item: { question: string }; text: readonly number[] }[],
  imageTokens: number,
  textLength: number,
  tokenizer: NanoTokenizer,
): CountLabels {
  const areIds = tokenizer.encode(" are");
  if (areIds.length !== 1) throw new Error(`" are" is not one token of the ShapesBench tokenizer`);
  const total = imageTokens + textLength, batch = samples.length;
  const cells = new Int32Array(batch * total * COUNT_CELLS);
  const mask = new Float32Array(batch * total * COUNT_CELLS);
  samples.forEach(({ scene, item, text }, j) => {
    const counted = countedCells(item.question, scene);
    const are = text.indexOf(areIds[0]);
    if (counted === undefined || are < 1) return;
    const at = (j * total + imageTokens + are - 1) * COUNT_CELLS;
    cells.set(counted, at);
    mask.fill(1, at, at + COUNT_CELLS);
  });
  const shape = [batch, total * COUNT_CELLS];
  return {
    countCells: np.array(cells).reshape(shape),
    countMask: np.array(mask).reshape(shape),
  };
}
