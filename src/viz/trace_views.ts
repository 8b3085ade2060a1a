/**
 * inspect's results as viz inputs and figures: a trace's tokens as a table (and its notebook
 * display, installed into inspect with `setTraceDisplay` when viz is imported), a logit lens as a
 * figure, drift reports as runs, and a trace's patch embeddings or projector output for PCA.
 *
 * @module
 */
import {
  type DriftReport,
  type LogitLens,
  setTraceDisplay,
  type Trace,
  type TraceToken,
} from "../inspect/mod.ts";
import { type DisplayBundle, escapeHtml } from "./display.ts";
import type { DriftRun } from "./drift_chart.ts";
import type { Embeddings } from "./embedding_pca.ts";
import type { LensTableInput } from "./lens_table.ts";
import { formatNumber, Table } from "./table.ts";
import { showToken } from "./token_text.ts";

function place(token: TraceToken, trace: Trace): string {
  if (token.tile === undefined) return "";
  const name = trace.layout.tiles[token.tile]?.name ?? String(token.tile);
  return token.role === "image" ? `${name} (${token.row}, ${token.col})` : name;
}

/** Options for {@link traceTokensTable}. */
export interface TraceTokensOptions {
  /** Leave out image-placeholder positions (default true: there are many). */
  hideImageTokens?: boolean;
  /** At most this many rows (default 200). */
  maxRows?: number;
}

/**
 * A trace's positions as a table: role, tile and place in its grid, the text piece, and (when the
 * trace holds logits) the model's next-token guess there.
 */
export function traceTokensTable(
  trace: Trace,
  options: TraceTokensOptions = {},
): Table<TraceToken> {
  const { hideImageTokens = true, maxRows } = options;
  const hasLogits = trace.stages.includes("logits");
  const guess = (t: TraceToken) => {
    if (!hasLogits) return undefined;
    try {
      return trace.topK(t.position, 1)[0];
    } catch {
      return undefined; // no logits row kept for this position
    }
  };
  const rows = trace.layout.tokens.filter((t) => !(hideImageTokens && t.role === "image"));
  return new Table(rows, [
    { label: "pos", value: (t) => t.position },
    { label: "role", value: (t) => t.role },
    { label: "tile", value: (t) => place(t, trace) },
    { label: "id", value: (t) => t.id },
    { label: "piece", value: (t) => showToken(t.text, 16) },
    ...(hasLogits
      ? [
        { label: "next guess", value: (t: TraceToken) => showToken(guess(t)?.text ?? "", 16) },
        {
          label: "p",
          value: (t: TraceToken) => guess(t)?.probability,
          format: (p: number) => p.toFixed(3),
        },
      ]
      : []),
  ], {
    title: hideImageTokens
      ? `${trace.layout.tokens.filter((t) => t.role === "image").length} image positions not shown`
      : undefined,
    maxRows,
  });
}

/** A trace's notebook display: its summary, then its tokens table. */
export function traceDisplay(trace: Trace): DisplayBundle {
  const summary = trace.summary();
  const table = traceTokensTable(trace, { maxRows: 60 });
  return {
    "text/plain": summary,
    "text/html": `<pre>${escapeHtml(summary)}</pre>${table.toHtml()}`,
  };
}

setTraceDisplay(traceDisplay);

/**
 * A logit lens (from inspect's `logitLens`) as the input of `logitLensFigure` / `logitLensTable`:
 * each cell's top token, columns labelled with the trace's token at that position.
 */
export function lensInput(lens: LogitLens, trace: Trace): LensTableInput {
  return {
    positions: lens.positions.map((position) => ({
      position,
      token: trace.layout.tokens[position]?.text ?? "",
    })),
    layers: lens.layers.map((layer, l) => ({
      layer,
      top: lens.cells[l].map((cell) => ({
        token: cell.top[0]?.text ?? "",
        prob: cell.top[0]?.probability ?? 0,
      })),
    })),
  };
}

/** Drift reports (from inspect's `compareTraces`) as `driftChart` runs, labelled `b vs a`. */
export function driftRuns(reports: readonly DriftReport[]): DriftRun[] {
  return reports.map((r) => ({ label: `${r.b} vs ${r.a}`, stages: r.stages }));
}

/** The logits part of drift reports as a table: KL, Δp of the reference's top token, agreement. */
export function logitsDriftTable(reports: readonly DriftReport[]): Table<DriftReport> {
  return new Table(reports, [
    { label: "runs", value: (r) => `${r.b} vs ${r.a}` },
    { label: "KL mean", value: (r) => r.logits.kl.mean, format: formatNumber },
    { label: "KL p99", value: (r) => r.logits.kl.p99, format: formatNumber },
    { label: "KL max", value: (r) => r.logits.kl.max, format: formatNumber },
    { label: "Δp mean", value: (r) => r.logits.deltaP.mean, format: formatNumber },
    { label: "top-1 agree", value: (r) => r.logits.top1Agreement, format: (v) => v.toFixed(3) },
    {
      label: "greedy diverges at",
      value: (r) =>
        r.firstDivergence === null ? `never (${r.greedySteps} steps)` : `step ${r.firstDivergence}`,
    },
  ]);
}

/** Which embeddings of a trace {@link traceEmbeddings} returns. */
export type EmbeddingStage = "patches" | "vit.output" | "projector";

/**
 * One tile's embeddings from a trace, on their grid: ViT patch embeddings (`patches`), the ViT's
 * output (`vit.output`), or the projector's image tokens (`projector`).
 */
export function traceEmbeddings(trace: Trace, stage: EmbeddingStage, tile = 0): Embeddings {
  const tensor = stage === "patches"
    ? trace.patchEmbeddings
    : stage === "vit.output"
    ? trace.vitOutput
    : trace.projector;
  const one = tensor.at(tile);
  const [rows, cols] = one.shape;
  const g = trace.layout.geometry;
  const side = stage === "projector" ? g.tokensPerSide : g.patchesPerSide;
  return { data: one.data, rows, cols, grid: side * side === rows ? [side, side] : undefined };
}
