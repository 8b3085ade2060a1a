/**
 * The closed vocabulary of ShapesBench (metrics.md §4c): shapes, colours with unambiguous basic
 * names, two sizes, two backgrounds, and the 3×3 grid of positions.
 *
 * @module
 */

/** Shape names: no rotations and no aspect-ratio shapes, so each name is unambiguous. */
export const SHAPES = ["circle", "square", "triangle", "star", "hexagon"] as const;
/** A shape name. */
export type Shape = typeof SHAPES[number];

/**
 * Colour names and their sRGB values: every pair, and every colour against both backgrounds,
 * differs by CIEDE2000 > 25 (tested). Blue, purple and brown differ from metrics.md's first
 * suggestion, whose blue and purple were only 15 apart.
 */
export const COLORS = {
  red: [220, 30, 30],
  green: [30, 160, 50],
  blue: [0, 90, 230],
  yellow: [245, 205, 0],
  orange: [255, 135, 0],
  purple: [128, 0, 128],
  black: [20, 20, 20],
  brown: [120, 80, 30],
} as const satisfies Record<string, readonly [number, number, number]>;
/** A colour name. */
export type ColorName = keyof typeof COLORS;
/** Every colour name, in palette order. */
export const COLOR_NAMES = Object.keys(COLORS) as ColorName[];

/** Backgrounds: white or light grey, never a palette colour. */
export const BACKGROUNDS = {
  white: [255, 255, 255],
  "light gray": [230, 230, 230],
} as const satisfies Record<string, readonly [number, number, number]>;
/** A background name. */
export type BackgroundName = keyof typeof BACKGROUNDS;

/** Object sizes as a fraction of the canvas width (bounding-box side). */
export const SIZES = { small: 0.12, large: 0.24 } as const;
/** A size name. */
export type SizeName = keyof typeof SIZES;

/** Row words (top to bottom) and column words (left to right) of the 3×3 grid. */
export const ROWS = ["top", "middle", "bottom"] as const;
/** Column words. */
export const COLUMNS = ["left", "center", "right"] as const;

/** The margin between an object's box and its cell border, in pixels of a 384-pixel canvas. */
export const CELL_MARGIN = 8 / 384;
