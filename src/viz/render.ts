/**
 * Plot output to files without a browser: a standalone SVG string (a figure's title, subtitle,
 * legends and caption stacked into one SVG), a PNG rasterised by sharp (librsvg + fontconfig), and
 * the HTML a notebook or report embeds.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import sharp from "sharp";
import { dedupeImages } from "./dedupe_images.ts";
import { type DomElement, plotDocument } from "./document.ts";

/** What `Plot.plot` returns: an `<svg>`, or a `<figure>` when there is a title or legend. */
export type PlotElement = DomElement & Pick<Plot.Plot, "scale" | "legend">;

const SVG_NS = "http://www.w3.org/2000/svg";
const XLINK_NS = "http://www.w3.org/1999/xlink";

/** Fonts a fresh Debian machine has (`fonts-dejavu-core`), first in the PNG font list. */
export const RASTER_FONT_FAMILY = "DejaVu Sans, system-ui, sans-serif";

/**
 * `Plot.plot(options)` rendered into a fresh {@link plotDocument} (unless `options.document` is set).
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * const chart = renderPlot({ marks: [Plot.barY([3, 1, 2])] });
 * const png = await toPng(chart);
 * ```
 */
export function renderPlot(options: Plot.PlotOptions = {}): PlotElement {
  const document = plotDocument() as Plot.PlotOptions["document"];
  return Plot.plot({ document, ...options }) as unknown as PlotElement;
}

function isTag(element: DomElement, tag: string): boolean {
  return element.tagName.toLowerCase() === tag;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** Rough advance width of `text` in DejaVu Sans at `size` px (no font metrics without a browser). */
function textWidth(text: string, size: number): number {
  return text.length * size * 0.6;
}

function svgSize(svg: DomElement): { width: number; height: number } {
  const width = Number(svg.getAttribute("width"));
  const height = Number(svg.getAttribute("height"));
  if (Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0) {
    return { width, height };
  }
  const box = (svg.getAttribute("viewBox") ?? "").split(/[\s,]+/).map(Number);
  return { width: box[2] || 300, height: box[3] || 150 };
}

function withNamespaces(svg: DomElement): string {
  svg.setAttribute("xmlns", SVG_NS);
  svg.setAttribute("xmlns:xlink", XLINK_NS);
  return svg.outerHTML;
}

interface Block {
  height: number;
  width: number;
  body: (y: number) => string;
}

function textBlock(text: string, size: number, weight = "normal", color = "currentColor"): Block {
  const lineHeight = Math.round(size * 1.4);
  return {
    height: lineHeight + 4,
    width: textWidth(text, size),
    body: (y) =>
      `<text x="0" y="${y + size}" font-size="${size}" font-weight="${weight}" fill="${color}">${
        escapeXml(text)
      }</text>`,
  };
}

function swatchesBlock(div: DomElement, maxWidth: number): Block {
  const size = 10;
  const items: { color: string; label: string; w: number; h: number }[] = [];
  for (const span of Array.from(div.children)) {
    if (!isTag(span, "span")) continue;
    const swatch = span.querySelector("svg");
    items.push({
      color: swatch?.getAttribute("fill") ?? "currentColor",
      label: span.textContent ?? "",
      w: Number(swatch?.getAttribute("width") ?? 15),
      h: Number(swatch?.getAttribute("height") ?? 15),
    });
  }
  const rows: string[] = [];
  let x = 0, y = 0, width = 0;
  const rowHeight = 20;
  const cells: string[] = [];
  for (const item of items) {
    const advance = item.w + size * 0.5 + textWidth(item.label, size) + size;
    if (x > 0 && x + advance > maxWidth) {
      x = 0;
      y += rowHeight;
    }
    cells.push(
      `<rect x="${x}" y="${
        y + (rowHeight - item.h) / 2
      }" width="${item.w}" height="${item.h}" fill="${item.color}"/>` +
        `<text x="${x + item.w + size * 0.5}" y="${
          y + rowHeight / 2
        }" dy="0.32em" font-size="${size}">${escapeXml(item.label)}</text>`,
    );
    x += advance;
    width = Math.max(width, x);
  }
  rows.push(...cells);
  const height = items.length ? y + rowHeight + 6 : 0;
  return {
    height,
    width,
    body: (top) => `<g transform="translate(0,${top})">${rows.join("")}</g>`,
  };
}

function svgBlock(svg: DomElement): Block {
  const { width, height } = svgSize(svg);
  return {
    width,
    height,
    body: (y) => {
      svg.setAttribute("x", "0");
      svg.setAttribute("y", String(y));
      const out = svg.outerHTML;
      svg.removeAttribute("x");
      svg.removeAttribute("y");
      return out;
    },
  };
}

/**
 * A standalone SVG document for a Plot output. An `<svg>` gets its namespace attributes; a
 * `<figure>` (title, subtitle, legends, caption) is laid out top to bottom as one SVG, each part
 * drawn with SVG shapes and text, so a rasteriser with no HTML engine shows all of it.
 */
export function toSvg(element: DomElement): string {
  if (isTag(element, "svg")) return dedupeImages(withNamespaces(element));
  if (!isTag(element, "figure")) {
    throw new TypeError(`toSvg: expected a Plot <svg> or <figure>, got <${element.tagName}>`);
  }
  const main = Array.from(element.children).filter((child) => isTag(child, "svg")).at(-1);
  const figureWidth = main ? svgSize(main).width : 640;
  const blocks: Block[] = [];
  for (const child of Array.from(element.children)) {
    const text = child.textContent?.trim() ?? "";
    if (isTag(child, "h2")) blocks.push(textBlock(text, 16, "bold"));
    else if (isTag(child, "h3")) blocks.push(textBlock(text, 12, "normal", "#666"));
    else if (isTag(child, "figcaption")) blocks.push(textBlock(text, 11, "normal", "#666"));
    else if (isTag(child, "svg")) blocks.push(svgBlock(child));
    else if (isTag(child, "div")) blocks.push(swatchesBlock(child, figureWidth));
    else if (text) blocks.push(textBlock(text, 10));
  }
  let y = 0;
  const parts: string[] = [];
  for (const block of blocks) {
    parts.push(block.body(y));
    y += block.height;
  }
  const width = Math.ceil(Math.max(figureWidth, ...blocks.map((b) => b.width)));
  const height = Math.ceil(y);
  return dedupeImages(
    `<svg xmlns="${SVG_NS}" xmlns:xlink="${XLINK_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="10" fill="currentColor">${
      parts.join("")
    }</svg>`,
  );
}

/** The HTML to embed a Plot output in a page or notebook (a figure keeps its HTML legends). */
export function toHtml(element: DomElement): string {
  for (
    const svg of isTag(element, "svg") ? [element] : Array.from(element.querySelectorAll("svg"))
  ) {
    svg.setAttribute("xmlns", SVG_NS);
    svg.setAttribute("xmlns:xlink", XLINK_NS);
  }
  return isTag(element, "svg") ? dedupeImages(element.outerHTML) : element.outerHTML.replace(
    /<svg\b[\s\S]*?<\/svg>/g,
    (svg) => dedupeImages(svg),
  );
}

/** Options for {@link svgToPng} and {@link toPng}. */
export interface PngOptions {
  /** Device pixels per SVG pixel (default 2: crisp on high-density screens). */
  scale?: number;
  /** Background the transparent parts are flattened onto (default `"white"`; `null` keeps alpha). */
  background?: string | null;
  /** Font list put first for the rasteriser (default {@link RASTER_FONT_FAMILY}). */
  fontFamily?: string;
}

/**
 * Rasterises an SVG string with sharp (librsvg, fonts through fontconfig). Plot's default
 * `system-ui, sans-serif` is replaced by `fontFamily`, so text renders the same on any machine
 * with DejaVu fonts.
 */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const { scale = 2, background = "white", fontFamily = RASTER_FONT_FAMILY } = options;
  if (!(scale > 0)) throw new RangeError(`svgToPng: scale must be positive, got ${scale}`);
  const source = svg.replaceAll(
    'font-family="system-ui, sans-serif"',
    `font-family="${escapeXml(fontFamily)}"`,
  );
  let image = sharp(new TextEncoder().encode(source), { density: 72 * scale });
  if (background !== null) image = image.flatten({ background });
  return new Uint8Array(await image.png().toBuffer());
}

/** A Plot output as PNG bytes: {@link toSvg} then {@link svgToPng}. */
export function toPng(element: DomElement, options: PngOptions = {}): Promise<Uint8Array> {
  return svgToPng(toSvg(element), options);
}

/**
 * A colour scale with legend options (`width`, `marginLeft`, `ticks`…) given beside it, as Plot
 * reads them at run time (its type declarations list only the scale's own options).
 */
export function scaleWithLegend(
  scale: Plot.ScaleOptions,
  legend: Omit<Plot.LegendOptions, "legend">,
): Plot.ScaleOptions {
  return { ...legend, ...scale } as Plot.ScaleOptions;
}
