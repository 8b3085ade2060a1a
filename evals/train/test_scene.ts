/**
 * A hand-made two-object scene the training tests derive their expected values from: a small
 * green star in the top-left cell (row 0, column 0) and a large blue square in the middle-right
 * cell (row 1, column 2).
 *
 * @module
 */
import type { Scene } from "../datasets/mod.ts";

/** The star at (0, 0) and the square at (1, 2). */
export const TWO_OBJECT_SCENE: Scene = {
  width: 384,
  background: "white",
  objects: [
    { shape: "star", color: "green", size: "small", row: 0, col: 0, cx: 60, cy: 60, d: 46 },
    { shape: "square", color: "blue", size: "large", row: 1, col: 2, cx: 320, cy: 190, d: 92 },
  ],
};
