/**
 * Attention on the picture: a heat map over the original image (blended, tile borders and the
 * patch grid optional), as a {@link Figure} (restyle with `.with`, add marks with `.add`) or, with
 * {@link attentionMarks}, as the marks to compose into a plot of your own. The layer x head grid
 * and the word strip are in `attention_multiples.ts`; the shared style in `attention_style.ts`.
 *
 * @module
 */
import type * as Plot from "@observablehq/plot";
import type { ImageAttention } from "./attention_types.ts";
import { checkPanels, colorScale, type Panel, panelMarks } from "./attention_panels.ts";
import type { AttentionStyle } from "./attention_style.ts";
import { Figure } from "./figure.ts";
import { asPicture } from "./picture.ts";

/** Options for {@link attentionHeatmap}. */
export interface AttentionHeatmapOptions extends AttentionStyle {
  /** Width of the picture in the figure, in px (default 480). */
  width?: number;
  /** Show the colour legend (default true for `"color"`). */
  legend?: boolean;
  /** Title above the figure. */
  title?: string;
  /** Caption below the figure. */
  caption?: string;
}

/**
 * The marks of an attention heat map in original-image pixel coordinates (x `[0, width]`, y
 * `[0, height]` reversed), for a plot of your own. `pixelSize` is the picture's size on screen.
 */
export function attentionMarks(
  attention: ImageAttention,
  pixelSize: { width: number; height: number },
  style: AttentionStyle = {},
): Plot.Markish[] {
  const panel = { picture: asPicture(attention.image), tiles: attention.tiles };
  checkPanels([panel]);
  return panelMarks([panel], style, pixelSize).marks;
}

/**
 * The query's attention over the picture, in the original picture's pixels.
 *
 * @example
 * ```ts
 * const image = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(128) };
 * const fig = attentionHeatmap({
 *   image,
 *   tiles: [{ name: "image", box: [0, 0, 64, 64], grid: [2, 2], values: [0, 1, 0, 0] }],
 * });
 * await fig.save("map.png");
 * ```
 */
export function attentionHeatmap(
  attention: ImageAttention,
  options: AttentionHeatmapOptions = {},
): Figure {
  const { width = 480, title, caption } = options;
  const picture = asPicture(attention.image);
  const panel: Panel = { picture, tiles: attention.tiles };
  checkPanels([panel]);
  const height = Math.round((width * picture.height) / picture.width);
  const { marks, max } = panelMarks([panel], options, { width, height });
  return new Figure(
    {
      width,
      height,
      margin: 0,
      title,
      caption,
      x: { domain: [0, picture.width], axis: null },
      y: { domain: [0, picture.height], reverse: true, axis: null },
      color: colorScale(options, max, options.legend ?? true),
      marks,
    },
    {
      description: `[attention heat map, ${attention.tiles.length} tile(s), max ${
        max.toPrecision(3)
      }]`,
    },
  );
}
