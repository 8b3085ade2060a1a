/**
 * The style options every attention figure shares: which tiles, how weights are drawn over the
 * picture (coloured cells or a spotlight), colours, tile borders and the patch grid.
 *
 * @module
 */
import type * as Plot from "@observablehq/plot";

/** How weights are drawn over the picture. */
export type Blend =
  /** Coloured cells over the picture (`opacity` sets how much of the picture shows through). */
  | "color"
  /** The picture darkened where the weight is low: the looked-at region stays bright. */
  | "spotlight";

/** Which tiles a figure draws. */
export type TileChoice = "auto" | "global" | "grid" | readonly string[];

/** Options shared by the attention figures. */
export interface AttentionStyle {
  /** Which tiles: `"auto"` (grid tiles when there are any, else the single tile), `"global"`, `"grid"`, or names. */
  tiles?: TileChoice;
  /** `"color"` (default) or `"spotlight"`. */
  blend?: Blend;
  /** Cell opacity for `"color"` (default 0.6); darkness of unattended cells for `"spotlight"` (default 0.85). */
  opacity?: number;
  /** Colour scheme for `"color"` (default `"inferno"`). */
  scheme?: Plot.ColorScheme;
  /** Colour domain (default `[0, max]` of the weights drawn). */
  domain?: readonly [number, number];
  /** Draw tile borders and names (default: when more than one tile is drawn). */
  tileBorders?: boolean;
  /**
   * Draw the ViT patch grid: `true` for tiles that give `patches`, or the number of patches per
   * image token side (the pixel-shuffle factor) for every tile (default false).
   */
  patchGrid?: boolean | number;
}
