/**
 * The report's tables as header + rows of formatted text, shared by the HTML and the Markdown:
 * quality per (task, cell) with its interval and the change against the reference cell, and
 * performance per cell (llama-bench style, the settings in every row).
 *
 * @module
 */
import { format } from "d3";
import type { QualityRow } from "./analysis.ts";
import type { EvalSummary, GateReport, Percentiles } from "../harness/mod.ts";

/** A table: the header row, then data rows, all formatted text. */
export interface TextTable {
  /** Column names. */
  header: string[];
  /** Data rows, one string per column. */
  rows: string[][];
}

const threeDigits = format(".3~f");
const signed = format("+.3~f");
const ms = format(",.1f");

/** A metric value with 3 decimals; R@k are percentages and CIDEr-D is on 0-10, as `score`. */
export function formatMetric(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "–" : threeDigits(value);
}

/** Quality per task and cell: value, 95% interval, and the difference to the reference cell. */
export function qualityTable(rows: readonly QualityRow[], reference: string): TextTable {
  const referenceValue = new Map(
    rows.filter((r) => r.cell === reference).map((r) => [r.task, r.value]),
  );
  const sorted = [...rows].sort((a, b) => a.task.localeCompare(b.task));
  return {
    header: ["task", "kind", "metric", "cell", "n", "value", "95% interval", `Δ vs ${reference}`],
    rows: sorted.map((r) => {
      const base = referenceValue.get(r.task);
      return [
        r.task,
        r.kind,
        r.metric,
        r.cell,
        String(r.n),
        formatMetric(r.value),
        r.low === undefined || r.high === undefined
          ? "–"
          : `[${formatMetric(r.low)}, ${formatMetric(r.high)}]`,
        r.cell === reference || base === undefined ? "" : signed(r.value - base),
      ];
    }),
  };
}

function optionalMs(value: number | null | undefined): string {
  return value === undefined || value === null ? "–" : ms(value);
}

function quantiles(q: Percentiles | null | undefined): string {
  return q ? [q.p50, q.p90, q.p99].map(ms).join(" / ") : "–";
}

/** Performance per cell (llama-bench style: the machine in every row). */
export function perfTable(summary: EvalSummary): TextTable {
  return {
    header: [
      "cell",
      "load ms",
      "vision ms",
      "TTFT p50/p90/p99 ms",
      "token p50/p90/p99 ms",
      "item p50/p90/p99 ms",
      "decode tok/s",
      "peak RSS MB",
      "cache hits/misses",
      "machine",
    ],
    rows: summary.cells.map((cell) => {
      const p = cell.perf;
      const m = cell.machine;
      return [
        cell.name,
        optionalMs(p?.loadMs),
        optionalMs(p?.visionMs),
        quantiles(p?.ttftMs),
        quantiles(p?.perTokenMs),
        quantiles(p?.itemMs),
        optionalMs(p?.decodeTokPerS),
        p?.peakRssMb === undefined || p.peakRssMb === null ? "–" : format(",.0f")(p.peakRssMb),
        cell.cache ? `${cell.cache.hits} / ${cell.cache.misses}` : "–",
        m
          ? `${m.cores} cores, ${
            m.threads ?? "default"
          } threads, ort ${m.onnxruntime} ${m.provider}`
          : "–",
      ];
    }),
  };
}

/** Paired comparisons of each cell with the reference: mean per-item difference, CI, McNemar. */
export function comparisonTable(summary: EvalSummary): TextTable {
  return {
    header: ["task", "metric", "cells", "n", "mean Δ (b − a)", "95% interval", "McNemar p"],
    rows: (summary.comparisons ?? []).map((c) => [
      c.task,
      c.metric,
      `${c.b} vs ${c.a}`,
      String(c.n),
      signed(c.meanDiff),
      `[${signed(c.ci95.low)}, ${signed(c.ci95.high)}]`,
      c.mcnemar ? format(".3~g")(c.mcnemar.pValue) : "–",
    ]),
  };
}

function shortPrediction(prediction: string | number[]): string {
  const text = typeof prediction === "string" ? prediction : prediction.join(", ");
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** The gate's regressed metrics and changed items (old vs new prediction). */
export function gateTables(gate: GateReport): { regressions: TextTable; diffs: TextTable } {
  return {
    regressions: {
      header: ["cell", "task", "metric", "baseline", "now", "why"],
      rows: gate.regressions.map((r) => [
        r.cell,
        r.task,
        r.metric,
        formatMetric(r.baseline),
        formatMetric(r.current),
        r.reason,
      ]),
    },
    diffs: {
      header: ["cell", "task", "id", "baseline prediction", "new prediction"],
      rows: gate.itemDiffs.map((d) => [
        d.cell,
        d.task,
        d.id,
        shortPrediction(d.baseline),
        shortPrediction(d.current),
      ]),
    },
  };
}
