/**
 * The report's figures as Observable Plot options (no document: the viz room renders them to SVG
 * and PNG): quality vs latency with 95% intervals, per-category bars, per-token latency
 * distributions, and drift against the reference cell.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { CategoryRow, DriftRow, QualityRow, TokenLatencyRow } from "./analysis.ts";

/** A figure of the report: a file-name-safe name, a heading, and the Plot options to render. */
export interface ReportFigure {
  /** File name without extension (`figures/<name>.png`). */
  name: string;
  /** Heading shown above the figure. */
  title: string;
  /** One sentence on how to read it. */
  caption: string;
  /** Plot options (marks, scales) without `document`. */
  plot: Plot.PlotOptions;
  /** A small multiple: laid out several to a row in the HTML. */
  small?: boolean;
}

const WIDTH = 640;
const SMALL_WIDTH = 360;

/** The colour scale shared by every figure: one colour per cell, in summary order. */
export function cellColors(cells: readonly string[]): Plot.ScaleOptions {
  return { type: "categorical", scheme: "tableau10", domain: [...cells] };
}

/** Metrics on a 0-1 scale (as `score --json` prints them). */
const UNIT_METRICS = /^(accuracy|macroAccuracy|correct|bleu\d|rougeL|same .*)$/;

/**
 * The axis domain of a metric: [0, 1] for 0-1 metrics, [0, 100] for recalls (percent), otherwise
 * from 0 to the largest value shown (at least 1), so a run of zeros still gets a readable axis.
 */
export function metricDomain(metric: string, values: readonly number[]): [number, number] {
  if (UNIT_METRICS.test(metric)) return [0, 1];
  if (/R@\d+$/.test(metric)) return [0, 100];
  return [0, Math.max(1, ...values.filter(Number.isFinite))];
}

/** A file-name-safe slug of `text`. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** One quality-vs-latency figure per task: a dot per cell, its 95% interval as a vertical bar. */
export function qualityLatencyFigures(
  rows: readonly QualityRow[],
  cells: readonly string[],
): ReportFigure[] {
  const tasks = [...new Set(rows.map((r) => r.task))];
  return tasks.flatMap((task) => {
    const data = rows.filter((r) => r.task === task && r.latencyMs !== undefined);
    if (data.length === 0) return [];
    const metric = data[0].metric;
    const withCi = data.filter((r) => r.low !== undefined && r.high !== undefined);
    const shown = data.flatMap((r) => [r.value, r.high ?? r.value]);
    return [{
      name: `quality-latency-${slug(task)}`,
      small: true,
      title: `${task}: ${metric} vs latency`,
      caption: `Each dot is a cell; the bar is the 95% bootstrap interval of ${metric}; ` +
        "latency is the mean wall-clock time per item.",
      plot: {
        width: SMALL_WIDTH,
        height: 240,
        marginRight: 70,
        inset: 14,
        grid: true,
        x: { label: "ms per item →", nice: true, ticks: 4 },
        y: { label: `↑ ${metric}`, domain: metricDomain(metric, shown) },
        color: cellColors(cells),
        marks: [
          Plot.ruleX(withCi, {
            x: "latencyMs",
            y1: "low",
            y2: "high",
            stroke: "cell",
            strokeWidth: 2,
          }),
          Plot.dot(data, { x: "latencyMs", y: "value", fill: "cell", r: 5 }),
          Plot.text(data, {
            x: "latencyMs",
            y: "value",
            text: "cell",
            dx: 9,
            textAnchor: "start",
            fontSize: 11,
          }),
        ],
      },
    }];
  });
}

/** One per-category bar figure per task that has categories: a bar per (category, cell). */
export function categoryFigures(
  rows: readonly CategoryRow[],
  cells: readonly string[],
): ReportFigure[] {
  const tasks = [...new Set(rows.map((r) => r.task))];
  return tasks.map((task) => {
    const data = rows.filter((r) => r.task === task);
    const categories = new Set(data.map((r) => r.category)).size;
    const metric = data[0].metric;
    return {
      name: `categories-${slug(task)}`,
      title: `${task}: ${metric} per category`,
      caption: "Mean per-item score in each category (question type); n = items in it.",
      plot: {
        width: WIDTH,
        height: 40 + categories * (cells.length * 14 + 10),
        marginLeft: 130,
        marginRight: 150,
        x: {
          label: `${metric} →`,
          grid: true,
          domain: metricDomain(metric, data.map((r) => r.value)),
        },
        y: { label: null, axis: null, domain: cells },
        fy: { label: null },
        color: cellColors(cells),
        marks: [
          Plot.barX(data, { x: "value", y: "cell", fy: "category", fill: "cell" }),
          Plot.text(data, {
            x: "value",
            y: "cell",
            fy: "category",
            text: (d: CategoryRow) => `${d.cell} ${formatValue(d.value)} (n=${d.n})`,
            dx: 4,
            textAnchor: "start",
            fontSize: 9,
          }),
          Plot.ruleX([0]),
        ],
      },
    };
  });
}

/** Per-token latency distribution of each cell: a box plot (median, quartiles, outliers). */
export function latencyFigure(
  rows: readonly TokenLatencyRow[],
  cells: readonly string[],
): ReportFigure[] {
  if (rows.length === 0) return [];
  return [{
    name: "token-latency",
    title: "Per-token latency",
    caption: "Time of each generated token after the first, per cell: box = quartiles, " +
      "line = median, dots = outliers.",
    plot: {
      width: WIDTH,
      height: 60 + cells.length * 50,
      marginLeft: 80,
      x: { label: "ms per token →", nice: true, grid: true },
      y: { label: null, domain: cells },
      color: cellColors(cells),
      marks: [Plot.boxX(rows, { x: "ms", y: "cell", fill: "cell", fillOpacity: 0.4 })],
    },
  }];
}

/** Drift against the reference cell, one figure per statistic: a bar per (stage, cell). */
export function driftFigures(
  rows: readonly DriftRow[],
  cells: readonly string[],
): ReportFigure[] {
  const reference = cells[0];
  const statistics = [...new Set(rows.map((r) => r.statistic))];
  return statistics.map((statistic) => {
    const data = rows.filter((r) => r.statistic === statistic);
    const bars = new Set(data.map((r) => `${r.stage}/${r.cell}`)).size;
    const share = data.every((r) => r.value >= 0 && r.value <= 1) && /same|agree/i.test(statistic);
    return {
      name: `drift-${slug(statistic)}`,
      title: `Drift against ${reference}: ${statistic}`,
      caption: `${statistic} of each cell against ${reference}, per pipeline stage.`,
      plot: {
        width: WIDTH,
        height: 50 + bars * 24,
        marginLeft: 210,
        marginRight: 60,
        x: {
          label: `${statistic} →`,
          nice: true,
          grid: true,
          ...(share ? { domain: [0, 1] } : {}),
        },
        y: { label: null },
        color: cellColors(cells),
        marks: [
          Plot.barX(data, {
            x: "value",
            y: (d: DriftRow) => `${d.stage} · ${d.cell}`,
            fill: "cell",
          }),
          Plot.text(data, {
            x: "value",
            y: (d: DriftRow) => `${d.stage} · ${d.cell}`,
            text: (d: DriftRow) => formatValue(d.value),
            dx: 4,
            textAnchor: "start",
            fontSize: 10,
          }),
          Plot.ruleX([0]),
        ],
      },
    };
  });
}

/** A compact number: 3 significant digits, exponent form for tiny values. */
export function formatValue(value: number): string {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  return abs < 1e-3 || abs >= 1e5 ? value.toExponential(2) : value.toPrecision(3);
}
