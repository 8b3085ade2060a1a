/**
 * The logit lens as a figure and a table: layers down, positions across, each cell the layer's
 * top token and its probability.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { InputError } from "../errors.ts";
import { Figure } from "./figure.ts";
import { scaleWithLegend } from "./render.ts";
import { Table } from "./table.ts";
import { showToken } from "./token_text.ts";

/** A top token and its probability. */
export interface LensGuess {
  /** The token's text piece. */
  token: string;
  /** Its probability after the final norm and the head. */
  prob: number;
}

/** A logit-lens table: for each layer, the top guess at each position. */
export interface LensTableInput {
  /** The input token at each position shown (column labels). */
  positions: readonly { position: number; token: string }[];
  /** One row per layer: `top[i]` is the guess at `positions[i]`. */
  layers: readonly { layer: number | string; top: readonly LensGuess[] }[];
}

/** Options for {@link logitLensFigure}. */
export interface LogitLensOptions {
  /** Width of a column in px (default 64). */
  cellWidth?: number;
  /** Height of a row in px (default 20). */
  cellHeight?: number;
  /** Colour scheme of the probability (default `"blues"`). */
  scheme?: Plot.ColorScheme;
  /** Title above the figure. */
  title?: string;
  /** Caption below the figure. */
  caption?: string;
}

/** One cell of the lens: a layer's top guess at a column (position index into `positions`). */
export interface LensTableCell {
  /** Index into the input's `positions`. */
  column: number;
  /** The layer's label. */
  layer: string;
  /** Top token's text piece. */
  token: string;
  /** Its probability. */
  prob: number;
}

function lensCells(input: LensTableInput): LensTableCell[] {
  if (input.positions.length === 0 || input.layers.length === 0) {
    throw new InputError("logit lens: empty table", "give at least one position and one layer");
  }
  return input.layers.flatMap((row) => {
    if (row.top.length !== input.positions.length) {
      throw new InputError(
        `logit lens: layer ${row.layer} has ${row.top.length} guesses for ${input.positions.length} positions`,
        "give one guess per position in every layer",
      );
    }
    return row.top.map((guess, column) => ({
      column,
      layer: String(row.layer),
      token: guess.token,
      prob: guess.prob,
    }));
  });
}

/**
 * Layers x positions, each cell the top token (text) coloured by its probability.
 *
 * @example
 * ```ts
 * const fig = logitLensFigure({
 *   positions: [{ position: 0, token: "a" }, { position: 1, token: " cat" }],
 *   layers: [
 *     { layer: 0, top: [{ token: "the", prob: 0.1 }, { token: " is", prob: 0.2 }] },
 *     { layer: 1, top: [{ token: " cat", prob: 0.6 }, { token: " sat", prob: 0.9 }] },
 *   ],
 * });
 * ```
 */
export function logitLensFigure(input: LensTableInput, options: LogitLensOptions = {}): Figure {
  const { cellWidth = 64, cellHeight = 20, scheme = "blues", title, caption } = options;
  const cells = lensCells(input);
  const layers = input.layers.map((l) => String(l.layer));
  const marginLeft = 40, marginTop = 36, marginBottom = 4;
  const labels = input.positions.map((p) => `${p.position}:${showToken(p.token, 8)}`);
  return new Figure(
    {
      width: marginLeft + cellWidth * input.positions.length,
      height: marginTop + marginBottom + cellHeight * layers.length,
      marginLeft,
      marginTop,
      marginBottom,
      marginRight: 0,
      title,
      caption,
      x: {
        type: "band",
        domain: input.positions.map((_, i) => i),
        axis: "top",
        label: null,
        tickFormat: (i: number) => labels[i],
        tickRotate: input.positions.length > 10 ? -30 : 0,
      },
      y: { type: "band", domain: layers, label: "layer", tickFormat: (l: string) => `L${l}` },
      color: scaleWithLegend(
        { type: "linear", domain: [0, 1], scheme, legend: true, label: "top-1 probability" },
        { marginLeft: 16, marginRight: 16 },
      ),
      marks: [
        Plot.cell(cells, { x: "column", y: "layer", fill: "prob", inset: 0.5 }),
        Plot.text(cells, {
          x: "column",
          y: "layer",
          text: (c: LensTableCell) => showToken(c.token, 9),
          fill: (c: LensTableCell) => (c.prob > 0.55 ? "white" : "black"),
          title: (c: LensTableCell) => `${JSON.stringify(c.token)} p=${c.prob.toFixed(3)}`,
        }),
      ],
    },
    { description: `[logit lens, ${layers.length} layers x ${input.positions.length} positions]` },
  );
}

/** The same table as rows (layer, position, input token, top token, probability) for HTML display. */
export function logitLensTable(input: LensTableInput): Table<LensTableCell & { input: string }> {
  const rows = lensCells(input).map((c) => ({
    ...c,
    input: input.positions[c.column].token,
  }));
  return new Table(rows, [
    { label: "layer", value: (r) => r.layer },
    { label: "position", value: (r) => input.positions[r.column].position },
    { label: "input", value: (r) => showToken(r.input) },
    { label: "top token", value: (r) => showToken(r.token) },
    { label: "p", value: (r) => r.prob, format: (p) => p.toFixed(3) },
  ]);
}
