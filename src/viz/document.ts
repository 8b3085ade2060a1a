/**
 * The DOM Plot renders into outside a browser: a linkedom document whose `<canvas>` elements are
 * {@link PixelCanvas}es, so `Plot.raster` and continuous colour legends work too.
 *
 * @module
 */
import { parseHTML } from "linkedom";
import { PixelCanvas } from "./pixel_canvas.ts";

/** The part of a DOM element viz reads and writes (linkedom's elements and browsers' both fit). */
export interface DomElement {
  /** Tag name (linkedom upper-cases HTML and SVG names alike: compare lower-cased). */
  readonly tagName: string;
  /** Child elements. */
  readonly children: ArrayLike<DomElement>;
  /** Text of the element and its descendants. */
  readonly textContent: string | null;
  /** The element serialised, itself included. */
  readonly outerHTML: string;
  /** An attribute's value, or null. */
  getAttribute(name: string): string | null;
  /** Sets an attribute. */
  setAttribute(name: string, value: string): void;
  /** Removes an attribute. */
  removeAttribute(name: string): void;
  /** The first descendant matching a CSS selector. */
  querySelector(selector: string): DomElement | null;
  /** All descendants matching a CSS selector. */
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

/** The part of a DOM document Plot needs (what its `document` option takes). */
export interface PlotDocument {
  /** Creates an HTML element. */
  createElement(name: string): unknown;
  /** Creates a namespaced (SVG) element. */
  createElementNS(namespace: string, name: string): unknown;
}

/**
 * A fresh server-side document to pass as Plot's `document` option.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * const svg = Plot.dot([1, 2, 3]).plot({ document: plotDocument() });
 * ```
 */
export function plotDocument(): PlotDocument {
  const { document } = parseHTML(
    "<!DOCTYPE html><html><head></head><body></body></html>",
  ) as unknown as {
    document: PlotDocument;
  };
  const createElement = document.createElement.bind(document);
  // Plot creates its canvases with document.createElement("canvas") and only draws on them and
  // reads them back through toDataURL(); it never inserts them into the tree.
  document.createElement =
    ((name: string) =>
      name.toLowerCase() === "canvas"
        ? new PixelCanvas()
        : createElement(name)) as typeof document.createElement;
  return document;
}
