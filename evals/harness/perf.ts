/**
 * Latency of each item from the runtime's session runs (vision, embed, decoder), and the
 * per-cell performance summary from the records: vision ms per tile, time to first token, decode
 * tokens/s, per-token latency quantiles.
 *
 * @module
 */
import type { SessionRun } from "../../src/mod.ts";
import type { EvalRecord, Percentiles, PerfSummary, RecordLatency } from "./types.ts";

/** The session runs of one model call, and the call's start. */
export class CallTimer {
  /** Runs seen since {@link start}. */
  readonly runs: SessionRun[] = [];
  private begin = 0;

  /** Starts timing a call. */
  start(): void {
    this.runs.length = 0;
    this.begin = performance.now();
  }

  /** Records one session run (pass this to the runtime's `onRun`). */
  readonly onRun = (run: SessionRun): void => {
    this.runs.push(run);
  };

  /**
   * The latency of each of `rows` items of the call. For generation, the first decoder run is the
   * prefill (time to first token ends there) and every later one a decode step.
   */
  latency(rows: number, generated: boolean): RecordLatency {
    const end = performance.now();
    const visionRuns = this.runs.filter((r) => r.graph === "vision");
    const latency: RecordLatency = {
      totalMs: (end - this.begin) / rows,
      visionMs: visionRuns.reduce((s, r) => s + r.end - r.start, 0) / rows,
      visionTiles: visionRuns.reduce((s, r) => s + r.rows, 0) / rows,
      batch: rows,
    };
    if (!generated) return latency;
    const decoder = this.runs.filter((r) => r.graph === "decoder");
    if (decoder.length === 0) return latency;
    latency.ttftMs = decoder[0].end - this.begin;
    latency.stepMs = decoder.slice(1).map((r, i) => r.end - decoder[i].end);
    return latency;
  }
}

/** Quantile of sorted values, linear between order statistics. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** p50/p90/p99 of values (null when there are none). */
export function percentiles(values: readonly number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99) };
}

/** The performance summary of a cell's records (cache hits carry no latency). */
export function perfSummary(
  records: readonly EvalRecord[],
  cell: { loadMs: number | null; peakRssMb: number | null },
): PerfSummary {
  const measured = records.filter((r) => r.latency);
  const lat = measured.map((r) => r.latency!);
  const generated = lat.filter((l) => l.ttftMs !== undefined);
  const steps = generated.flatMap((l) => l.stepMs ?? []);
  const stepTotal = steps.reduce((s, v) => s + v, 0);
  const visionMs = lat.reduce((s, l) => s + l.visionMs, 0);
  const visionTiles = lat.reduce((s, l) => s + l.visionTiles, 0);
  return {
    loadMs: cell.loadMs,
    visionMs: visionTiles > 0 ? visionMs / visionTiles : null,
    ttftMs: percentiles(generated.map((l) => l.ttftMs!)),
    decodeTokPerS: stepTotal > 0 ? steps.length / (stepTotal / 1000) : null,
    perTokenMs: percentiles(steps),
    itemMs: percentiles(lat.map((l) => l.totalMs)),
    peakRssMb: cell.peakRssMb,
    measuredItems: measured.length,
  };
}
