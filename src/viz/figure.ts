/**
 * A Plot figure that can be restyled, composed, rendered and displayed: the value every figure
 * function in viz returns.
 *
 * @module
 */
import type * as Plot from "@observablehq/plot";
import { writeAtomically } from "../checkpoint/mod.ts";
import { type Displayable, type DisplayBundle, JUPYTER_DISPLAY, PngImage } from "./display.ts";
import { type PlotElement, type PngOptions, renderPlot, toHtml, toPng, toSvg } from "./render.ts";

/**
 * How a {@link Figure} shows itself in a notebook: `html` (Plot's `<svg>` or `<figure>` markup as
 * `text/html`), `svg` (`image/svg+xml`, the flattened SVG) or `png` (`image/png`). HTML is the
 * default because nbconvert's HTML export sanitises `image/svg+xml` outputs down to their
 * `<style>` (nbconvert 6.5, Debian bookworm), while every front end renders `text/html`.
 */
export type DisplayFormat = "html" | "svg" | "png";

/** Options for {@link Figure}. */
export interface FigureOptions {
  /** What `text/plain` says (and the alt text of the PNG). */
  description?: string;
  /** `"html"` (default), `"svg"` or `"png"`: see {@link DisplayFormat}. */
  format?: DisplayFormat;
  /** Rasterisation options used for `"png"` display and {@link Figure.png}. */
  png?: PngOptions;
}

/**
 * Plot options plus how to show them. The options stay open: restyle with {@link Figure.with},
 * add marks with {@link Figure.add}, or take `figure.options.marks` into a plot of your own.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * const fig = new Figure({ marks: [Plot.dot([[1, 2], [2, 3]])] }).with({ width: 320 });
 * await Deno.writeFile("dots.png", (await fig.png()).bytes);
 * ```
 */
export class Figure implements Displayable {
  /** The complete `Plot.plot` options (without `document`). */
  readonly options: Plot.PlotOptions;
  /** Description and display format. */
  readonly figureOptions: FigureOptions;
  #element: PlotElement | undefined;

  /** A figure of `Plot.plot(options)`. */
  constructor(options: Plot.PlotOptions, figureOptions: FigureOptions = {}) {
    this.options = options;
    this.figureOptions = figureOptions;
  }

  /** A copy with some Plot options replaced (shallow: `{ color: {...} }` replaces the colour scale). */
  with(options: Plot.PlotOptions, figureOptions: FigureOptions = {}): Figure {
    return new Figure({ ...this.options, ...options }, {
      ...this.figureOptions,
      ...figureOptions,
    });
  }

  /** A copy with more marks drawn on top. */
  add(...marks: Plot.Markish[]): Figure {
    return this.with({ marks: [...(this.options.marks ?? []), ...marks] });
  }

  /** The rendered Plot element (rendered once, on first use). */
  plot(): PlotElement {
    return this.#element ??= renderPlot(this.options);
  }

  /** A standalone SVG document (titles and legends laid out inside it). */
  svg(): string {
    return toSvg(this.plot());
  }

  /** HTML for a page: Plot's own `<svg>` or `<figure>` markup. */
  html(): string {
    return toHtml(this.plot());
  }

  /** The figure rasterised by sharp (default scale 2). */
  async png(options: PngOptions = {}): Promise<PngImage> {
    const bytes = await toPng(this.plot(), { ...this.figureOptions.png, ...options });
    return new PngImage(bytes, this.#description());
  }

  /** Writes the figure to `path` as `.svg`, `.png` or `.html` (by extension), atomically. */
  async save(path: string, options: PngOptions = {}): Promise<void> {
    const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
    if (ext !== "svg" && ext !== "png" && ext !== "html") {
      throw new TypeError(`Figure.save: "${path}" must end in .svg, .png or .html`);
    }
    const data = ext === "png"
      ? (await this.png(options)).bytes
      : new TextEncoder().encode(ext === "svg" ? this.svg() : this.html());
    await writeAtomically(path, (tmp: string) => Deno.writeFile(tmp, data));
  }

  #description(): string {
    return this.figureOptions.description ?? "[figure]";
  }

  /** The MIME bundle in the figure's {@link DisplayFormat}, with a `text/plain` description. */
  async [JUPYTER_DISPLAY](): Promise<DisplayBundle> {
    const format = this.figureOptions.format ?? "html";
    if (format === "png") return (await this.png())[JUPYTER_DISPLAY]();
    const bundle: DisplayBundle = format === "svg"
      ? { "image/svg+xml": this.svg() }
      : { "text/html": this.html() };
    bundle["text/plain"] = this.#description();
    return bundle;
  }
}
