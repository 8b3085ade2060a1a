/**
 * Drift per stage: how far a run (fp16, another flavour or device, later int8/int4) is from a
 * reference, stage by stage, as a chart and a table.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { InputError } from "../errors.ts";
import { Figure } from "./figure.ts";
import { Table } from "./table.ts";

/** One stage's comparison (the shape of parity's `StageComparison`). */
export interface DriftStage {
  /** Stage name, e.g. `vision.out` or `lm.logits`. */
  name: string;
  /** Largest absolute difference. */
  maxAbs: number;
  /** `maxAbs` relative to the reference's largest absolute value. */
  rel: number;
  /** Cosine similarity with the reference. */
  cosine: number;
}

/** One compared run: a label (`"fp16"`) and its stages, in pipeline order. */
export interface DriftRun {
  /** What was compared with the reference. */
  label: string;
  /** Its stages. */
  stages: readonly DriftStage[];
}

/** The metric a drift chart plots. */
export type DriftMetric = "rel" | "maxAbs" | "cosineDistance";

/** Options for {@link driftChart}. */
export interface DriftChartOptions {
  /** `"rel"` (default), `"maxAbs"` or `"cosineDistance"` (1 − cosine); all on a log scale. */
  metric?: DriftMetric;
  /** Width in px (default 640). */
  width?: number;
  /** Title above the chart. */
  title?: string;
  /** Caption below the chart. */
  caption?: string;
}

const METRIC_LABEL: Record<DriftMetric, string> = {
  rel: "relative max-abs error",
  maxAbs: "max-abs error",
  cosineDistance: "1 − cosine",
};

function metricOf(stage: DriftStage, metric: DriftMetric): number {
  return metric === "cosineDistance" ? 1 - stage.cosine : stage[metric];
}

interface DriftPoint {
  run: string;
  stage: string;
  value: number;
}

function points(runs: readonly DriftRun[], metric: DriftMetric): DriftPoint[] {
  if (runs.length === 0 || runs.every((r) => r.stages.length === 0)) {
    throw new InputError("drift: nothing to show", "give at least one run with one stage");
  }
  return runs.flatMap((run) =>
    run.stages.map((s) => ({ run: run.label, stage: s.name, value: metricOf(s, metric) }))
  );
}

/** The smallest value a log axis shows: exact zeros (identical stages) are drawn there. */
const FLOOR = 1e-12;

/**
 * Stages down (pipeline order), error across on a log scale, one colour per run.
 *
 * @example
 * ```ts
 * driftChart([{ label: "fp16", stages: [{ name: "vision", maxAbs: 2e-3, rel: 4e-4, cosine: 0.99999 }] }]);
 * ```
 */
export function driftChart(runs: readonly DriftRun[], options: DriftChartOptions = {}): Figure {
  const { metric = "rel", width = 640, title, caption } = options;
  const data = points(runs, metric);
  const stages = [...new Set(data.map((d) => d.stage))];
  const positive = data.map((d) => d.value).filter((v) => v > 0);
  const lo = Math.max(FLOOR, Math.min(...positive, 1) / 2);
  const hi = Math.max(...positive, lo * 10) * 2;
  const labels = runs.map((r) => r.label);
  const band = Math.max(20, 11 * labels.length);
  return new Figure(
    {
      width,
      height: 40 + band * stages.length,
      marginLeft: 120,
      title,
      caption: caption ??
        (data.some((d) => d.value === 0)
          ? "identical stages (exactly 0) sit at the left edge"
          : undefined),
      x: { type: "log", domain: [lo, hi], label: `${METRIC_LABEL[metric]} →`, grid: true },
      y: { domain: labels, axis: null, padding: 0.1 },
      fy: { domain: stages, label: null, padding: 0.35 },
      color: { legend: runs.length > 1, domain: labels },
      marks: [
        Plot.ruleY(data, {
          fy: "stage",
          y: "run",
          x1: lo,
          x2: (d: DriftPoint) => Math.max(lo, d.value),
          stroke: "run",
          strokeOpacity: 0.4,
        }),
        Plot.dot(data, {
          fy: "stage",
          y: "run",
          x: (d: DriftPoint) => Math.max(lo, d.value),
          fill: "run",
          r: 3.5,
          title: (d: DriftPoint) => `${d.run} ${d.stage}: ${d.value.toExponential(2)}`,
        }),
      ],
    },
    { description: `[drift, ${runs.map((r) => r.label).join(", ")} over ${stages.length} stages]` },
  );
}

/** Drift as a table: run, stage, max-abs, relative error, cosine. */
export function driftTable(runs: readonly DriftRun[]): Table<DriftStage & { run: string }> {
  const rows = runs.flatMap((run) => run.stages.map((s) => ({ ...s, run: run.label })));
  return new Table(rows, [
    { label: "run", value: (r) => r.run },
    { label: "stage", value: (r) => r.name },
    { label: "max-abs", value: (r) => r.maxAbs, format: (v) => v.toExponential(2) },
    { label: "relative", value: (r) => r.rel, format: (v) => v.toExponential(2) },
    { label: "cosine", value: (r) => r.cosine, format: (v) => v.toFixed(7) },
  ]);
}
