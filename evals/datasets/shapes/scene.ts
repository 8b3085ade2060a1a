/**
 * ShapesBench scenes: 1-6 objects on a 3×3 grid, at most one per cell, each object's box fully
 * inside its cell with a margin; plus the "minimal pair" edits used as hard retrieval negatives.
 *
 * @module
 */
import {
  type BackgroundName,
  BACKGROUNDS,
  CELL_MARGIN,
  COLOR_NAMES,
  type ColorName,
  type Shape,
  SHAPES,
  type SizeName,
  SIZES,
} from "./palette.ts";
import type { Rng } from "./prng.ts";

/** One object of a scene; `cx, cy, d` are the centre and box side in pixels. */
export interface SceneObject {
  /** Shape name. */
  shape: Shape;
  /** Colour name. */
  color: ColorName;
  /** Size class. */
  size: SizeName;
  /** Grid row 0-2 (top to bottom). */
  row: number;
  /** Grid column 0-2 (left to right). */
  col: number;
  /** Centre x in pixels. */
  cx: number;
  /** Centre y in pixels. */
  cy: number;
  /** Side of the object's square bounding box in pixels. */
  d: number;
}

/** A scene graph: square canvas, background, objects in row-major cell order. */
export interface Scene {
  /** Canvas side in pixels (the canvas is square). */
  width: number;
  /** Background name. */
  background: BackgroundName;
  /** The objects, in row-major cell order. */
  objects: SceneObject[];
}

/** Pixel bounds [start, end) of grid cell `index` (0-2) on a canvas of `width`. */
export function cellBounds(index: number, width: number): [number, number] {
  return [Math.floor(index * width / 3), Math.floor((index + 1) * width / 3)];
}

/** The box side in pixels (even, so centres are whole pixels) of a size on a canvas. */
export function boxSide(size: SizeName, width: number): number {
  return 2 * Math.round(SIZES[size] * width / 2);
}

/** The range of centre coordinates that keeps a box of side `d` inside cell `index`. */
export function centreRange(index: number, d: number, width: number): [number, number] {
  const [start, end] = cellBounds(index, width);
  const margin = Math.round(CELL_MARGIN * width);
  return [start + margin + d / 2, end - margin - d / 2];
}

/** Places an object of the given attributes at a random spot inside its cell. */
export function placeObject(
  rng: Rng,
  attrs: Pick<SceneObject, "shape" | "color" | "size" | "row" | "col">,
  width: number,
): SceneObject {
  const d = boxSide(attrs.size, width);
  const [x0, x1] = centreRange(attrs.col, d, width);
  const [y0, y1] = centreRange(attrs.row, d, width);
  return { ...attrs, cx: rng.range(x0, x1), cy: rng.range(y0, y1), d };
}

function sortCells(objects: SceneObject[]): SceneObject[] {
  return objects.sort((a, b) => a.row * 3 + a.col - (b.row * 3 + b.col));
}

/**
 * A random scene: 1-6 objects in distinct cells. Later objects often repeat an earlier object's
 * colour and/or shape so that counting questions have answers above one.
 */
export function randomScene(rng: Rng, width: number): Scene {
  const count = rng.range(1, 6);
  const cells = rng.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8]).slice(0, count);
  const objects: SceneObject[] = [];
  for (const cell of cells) {
    const earlier = objects.length > 0 ? rng.pick(objects) : undefined;
    const roll = rng.float();
    const color = earlier && roll < 0.5 ? earlier.color : rng.pick(COLOR_NAMES);
    const shape = earlier && (roll < 0.3 || (roll >= 0.5 && roll < 0.65))
      ? earlier.shape
      : rng.pick(SHAPES);
    const size: SizeName = rng.float() < 0.5 ? "small" : "large";
    objects.push(
      placeObject(rng, { shape, color, size, row: Math.floor(cell / 3), col: cell % 3 }, width),
    );
  }
  const background = rng.float() < 0.7 ? "white" : "light gray";
  return { width, background, objects: sortCells(objects) };
}

/** The kinds of minimal edit that turn a scene into a hard negative of itself. */
export type EditKind = "recolor" | "add" | "remove" | "mirror";

/**
 * A minimal edit of `scene`: one object recoloured, one object added or removed (count ±1), or
 * the scene mirrored left-right. Returns the new scene and the kind of edit.
 */
export function minimalEdit(scene: Scene, rng: Rng): { scene: Scene; edit: EditKind } {
  const n = scene.objects.length;
  const kinds: EditKind[] = [
    "recolor",
    "mirror",
    ...(n < 6 ? ["add" as const] : []),
    ...(n > 1 ? ["remove" as const] : []),
  ];
  const edit = rng.pick(kinds);
  const objects = scene.objects.map((o) => ({ ...o }));
  const width = scene.width;
  if (edit === "recolor") {
    const target = rng.pick(objects);
    target.color = rng.pick(COLOR_NAMES.filter((c) => c !== target.color));
  } else if (edit === "mirror") {
    for (const o of objects) {
      o.col = 2 - o.col;
      o.cx = width - o.cx;
    }
  } else if (edit === "remove") {
    objects.splice(rng.int(n), 1);
  } else {
    const used = new Set(objects.map((o) => o.row * 3 + o.col));
    const cell = rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8].filter((c) => !used.has(c)));
    const model = rng.pick(objects);
    objects.push(placeObject(rng, {
      shape: model.shape,
      color: model.color,
      size: model.size,
      row: Math.floor(cell / 3),
      col: cell % 3,
    }, width));
  }
  return { scene: { width, background: scene.background, objects: sortCells(objects) }, edit };
}

/** The RGB of a scene's background. */
export function backgroundRgb(scene: Scene): readonly [number, number, number] {
  return BACKGROUNDS[scene.background];
}
