/**
 * The text form of an eval summary: per cell, a table of task metrics with 95% intervals, a
 * performance line and the cache use; then the paired comparisons.
 *
 * @module
 */
import type { EvalSummary, Percentiles } from "../../evals/harness/mod.ts";
import { formatTable } from "./score_output.ts";

function num(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined ? "-" : value.toFixed(digits);
}

function pct(p: Percentiles | null): string {
  return p ? `${num(p.p50, 1)}/${num(p.p90, 1)}/${num(p.p99, 1)}` : "-";
}

/** Formats a summary for a terminal. */
export function formatEvalSummary(summary: EvalSummary): string {
  const lines = [
    `suite ${summary.suite}${
      summary.shard ? ` (shard ${summary.shard.index}/${summary.shard.count})` : ""
    }, model ${summary.model.path}`,
  ];
  for (const cell of summary.cells) {
    const rows: string[][] = [["task", "metric", "value", "95% low", "95% high", "n"]];
    for (const [task, t] of Object.entries(cell.tasks)) {
      for (const [metric, value] of Object.entries(t.metrics)) {
        rows.push([
          task,
          metric,
          num(value),
          num(t.ci95[metric]?.low),
          num(t.ci95[metric]?.high),
          String(t.n),
        ]);
      }
    }
    const p = cell.perf;
    const machine = cell.machine
      ? `${cell.machine.provider}, ${cell.machine.cores} cores, ${
        cell.machine.threads ?? "default"
      } threads, onnxruntime ${cell.machine.onnxruntime}`
      : "model not run (all cached)";
    lines.push(
      "",
      `${cell.name}  (${machine})`,
      formatTable(rows),
      `perf: load ${num(p.loadMs, 0)} ms, vision ${num(p.visionMs, 2)} ms/tile, TTFT p50/p90/p99 ${
        pct(p.ttftMs)
      } ms, decode ${num(p.decodeTokPerS, 1)} tok/s, per token ${pct(p.perTokenMs)} ms, peak RSS ${
        num(p.peakRssMb, 0)
      } MiB (${p.measuredItems} items timed)`,
      `cache: ${cell.cache.hits} hits, ${cell.cache.misses} misses`,
    );
  }
  if (summary.comparisons.length) {
    const rows = [["task", "metric", "b - a", "mean diff", "95% low", "95% high", "McNemar p"]];
    for (const c of summary.comparisons) {
      rows.push([
        c.task,
        c.metric,
        `${c.b} - ${c.a}`,
        num(c.meanDiff),
        num(c.ci95.low),
        num(c.ci95.high),
        c.mcnemar ? num(c.mcnemar.pValue) : "-",
      ]);
    }
    lines.push("", "paired comparisons (per item)", formatTable(rows));
  }
  return lines.join("\n");
}
