/**
 * The regression gate. A baseline (`evals/baselines/<suite>.json`) stores, per cell, every item's
 * output hash (token ids), prediction and per-item scores, and the corpus metrics. A later run is
 * compared cell by cell:
 *
 * - `exact` cells (CPU, fp32 everywhere, no sampling: deterministic): every item's output must be
 *   the same and every metric equal;
 * - `statistical` cells (fp16, GPU, mixes): a per-item metric regresses when its mean drops by
 *   more than the baseline's tolerance and the 95% paired-bootstrap interval of the difference
 *   lies below zero.
 *
 * A baseline from another suite, model architecture (config), tokenizer or harness version, or
 * over other items, is an {@link InputError}; changed weights are what the gate is for.
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import { bootstrapMean, type BootstrapOptions } from "../metrics/mod.ts";
import { itemMetrics } from "./metric_names.ts";
import type { SummaryWithDetails } from "./summary.ts";
import type { Baseline, BaselineCell, CellSummary, GateTolerance } from "./types.ts";
import { HARNESS_VERSION } from "./types.ts";

/** Default tolerances: the largest allowed drop of a per-item mean (`default` for the rest). */
export const DEFAULT_TOLERANCE: GateTolerance = { default: 0.02, ciderD: 0.1 };

/** A metric that regressed. */
export interface Regression {
  /** Cell. */
  cell: string;
  /** Task. */
  task: string;
  /** Metric (corpus metric in exact cells, per-item mean in statistical ones). */
  metric: string;
  /** Baseline value. */
  baseline: number;
  /** Current value. */
  current: number;
  /** Why it counts as a regression. */
  reason: string;
}

/** An item whose output changed. */
export interface ItemDiff {
  /** Cell. */
  cell: string;
  /** Task. */
  task: string;
  /** Item id. */
  id: string;
  /** Baseline prediction. */
  baseline: string | number[];
  /** Current prediction. */
  current: string | number[];
}

/** The outcome of {@link compareBaseline}. */
export interface GateReport {
  /** `pass`, or `regressed` (the CLI exits 1). */
  status: "pass" | "regressed";
  /** Regressed metrics. */
  regressions: Regression[];
  /** Changed items (in exact cells each one is a regression). */
  itemDiffs: ItemDiff[];
  /** Remarks (e.g. the weights differ from the baseline's). */
  notes: string[];
}

/** Whether a cell is compared exactly: CPU, fp32 in every module, deterministic generation. */
export function isExactCell(
  cell: Pick<CellSummary, "modules" | "device">,
  deterministic: boolean,
): boolean {
  return deterministic && cell.device === "cpu" &&
    Object.values(cell.modules).every((p) => p === "fp32");
}

/** A baseline from a finished run. */
export function makeBaseline(
  details: SummaryWithDetails,
  { deterministic, tolerance = DEFAULT_TOLERANCE }: {
    deterministic: boolean;
    tolerance?: GateTolerance;
  },
): Baseline {
  const { summary } = details;
  if (summary.shard) {
    throw new InputError(
      "a baseline needs the whole suite, not one shard",
      "merge the shards first (`nanovlm eval merge`), or run without --shard",
    );
  }
  return {
    suite: summary.suite,
    harnessVersion: HARNESS_VERSION,
    model: summary.model,
    tolerance,
    cells: summary.cells.map((cell): BaselineCell => ({
      name: cell.name,
      mode: isExactCell(cell, deterministic) ? "exact" : "statistical",
      metrics: Object.fromEntries(Object.entries(cell.tasks).map(([task, t]) => [task, t.metrics])),
      items: Object.fromEntries((details.records[cell.name] ?? []).map((r) => [
        `${r.task}/${r.id}`,
        {
          hash: r.outputHash,
          prediction: r.prediction,
          scores: details.results[cell.name][r.task].perItem[r.id],
        },
      ])),
    })),
  };
}

/** Checks that a baseline can be compared with a run; a mismatch is an {@link InputError}. */
function checkComparable(baseline: Baseline, details: SummaryWithDetails, file: string): void {
  const { summary } = details;
  const fix =
    `compare with the baseline of this suite and model, or write a new one with --write-baseline ${file}`;
  if (baseline.suite !== summary.suite) {
    throw new InputError(
      `${file} is a baseline of suite "${baseline.suite}", this run is suite "${summary.suite}"`,
      fix,
    );
  }
  if (baseline.harnessVersion !== HARNESS_VERSION) {
    throw new InputError(
      `${file} was written by harness version ${baseline.harnessVersion}, this is ${HARNESS_VERSION}`,
      fix,
    );
  }
  if (baseline.model.configSha256 !== summary.model.configSha256) {
    throw new InputError(
      `${file} is a baseline of another model (config.json ${
        baseline.model.configSha256.slice(0, 12)
      }, this run ${summary.model.configSha256.slice(0, 12)})`,
      fix,
    );
  }
  if (baseline.model.tokenizer.sha256 !== summary.model.tokenizer.sha256) {
    throw new InputError(
      `${file} is a baseline made with another tokenizer (${baseline.model.tokenizer.path})`,
      fix,
    );
  }
  for (const cell of summary.cells) {
    const base = baseline.cells.find((c) => c.name === cell.name);
    if (!base) {
      throw new InputError(
        `${file} has no cell ${cell.name} (it has ${baseline.cells.map((c) => c.name).join(", ")})`,
        `run the baseline's cells, or write a baseline for ${cell.name}`,
      );
    }
    const current = new Set((details.records[cell.name] ?? []).map((r) => `${r.task}/${r.id}`));
    const expected = Object.keys(base.items);
    const missing = expected.filter((k) => !current.has(k));
    if (missing.length > 0 || current.size !== expected.length) {
      throw new InputError(
        `cell ${cell.name} ran ${current.size} items, ${file} has ${expected.length} (${missing.length} of them not run, e.g. ${
          missing.slice(0, 3).join(", ")
        })`,
        `run the same items as the baseline (same --limit, no --shard), or ${fix}`,
      );
    }
  }
}

/**
 * Compares a run with a baseline.
 *
 * @example
 * ```ts
 * const report = compareBaseline(JSON.parse(await Deno.readTextFile("evals/baselines/smoke.json")), details);
 * if (report.status === "regressed") console.log(formatGateReport(report));
 * ```
 */
export function compareBaseline(
  baseline: Baseline,
  details: SummaryWithDetails,
  { file = "baseline", bootstrap = { resamples: 1000, seed: 0 } }: {
    file?: string;
    bootstrap?: BootstrapOptions;
  } = {},
): GateReport {
  checkComparable(baseline, details, file);
  const { summary } = details;
  const regressions: Regression[] = [];
  const itemDiffs: ItemDiff[] = [];
  const notes: string[] = [];
  if (baseline.model.sha256 !== summary.model.sha256) {
    notes.push(
      `the weights differ from the baseline's (model.safetensors ${
        summary.model.sha256.slice(0, 12)
      }, baseline ${baseline.model.sha256.slice(0, 12)})`,
    );
  }
  for (const cell of summary.cells) {
    const base = baseline.cells.find((c) => c.name === cell.name)!;
    for (const r of details.records[cell.name] ?? []) {
      const old = base.items[`${r.task}/${r.id}`];
      if (old.hash !== r.outputHash) {
        itemDiffs.push({
          cell: cell.name,
          task: r.task,
          id: r.id,
          baseline: old.prediction,
          current: r.prediction,
        });
      }
    }
    for (const [task, result] of Object.entries(cell.tasks)) {
      if (base.mode === "exact") {
        for (const [metric, value] of Object.entries(result.metrics)) {
          const old = base.metrics[task]?.[metric];
          if (old === undefined || Math.abs(value - old) > 1e-9 * Math.max(1, Math.abs(old))) {
            regressions.push({
              cell: cell.name,
              task,
              metric,
              baseline: old ?? NaN,
              current: value,
              reason: "changed in an exact (CPU fp32) cell",
            });
          }
        }
        continue;
      }
      const perItem = details.results[cell.name][task].perItem;
      for (const { name } of itemMetrics(result.kind)) {
        const ids = Object.keys(perItem);
        const diffs = ids.map((id) => perItem[id][name] - base.items[`${task}/${id}`].scores[name]);
        const ci = bootstrapMean(diffs, bootstrap);
        const tolerance = baseline.tolerance[name] ?? baseline.tolerance.default ??
          DEFAULT_TOLERANCE.default;
        if (ci.estimate < -tolerance && ci.high < 0) {
          const mean = (f: (id: string) => number) =>
            ids.reduce((s, id) => s + f(id), 0) / ids.length;
          regressions.push({
            cell: cell.name,
            task,
            metric: name,
            baseline: mean((id) => base.items[`${task}/${id}`].scores[name]),
            current: mean((id) => perItem[id][name]),
            reason: `per-item mean dropped by ${
              (-ci.estimate).toFixed(4)
            } > tolerance ${tolerance} (95% CI of the change ${ci.low.toFixed(4)} .. ${
              ci.high.toFixed(4)
            })`,
          });
        }
      }
    }
    if (
      base.mode === "exact" && itemDiffs.some((d) => d.cell === cell.name) &&
      !regressions.some((r) => r.cell === cell.name)
    ) {
      regressions.push({
        cell: cell.name,
        task: "*",
        metric: "outputs",
        baseline: 0,
        current: itemDiffs.filter((d) => d.cell === cell.name).length,
        reason: "items changed in an exact (CPU fp32) cell",
      });
    }
  }
  return { status: regressions.length ? "regressed" : "pass", regressions, itemDiffs, notes };
}

function shown(prediction: string | number[]): string {
  return typeof prediction === "string"
    ? JSON.stringify(prediction)
    : `[${prediction.slice(0, 5).join(", ")}${prediction.length > 5 ? ", …" : ""}]`;
}

/** The gate's report as text: the verdict, regressed metrics, changed items (old vs new). */
export function formatGateReport(report: GateReport, { maxItems = 20 } = {}): string {
  const lines = [`gate: ${report.status === "pass" ? "PASS" : "REGRESSED"}`];
  for (const note of report.notes) lines.push(`  note: ${note}`);
  for (const r of report.regressions) {
    lines.push(
      `  regressed ${r.cell} ${r.task} ${r.metric}: ${r.baseline} -> ${r.current} (${r.reason})`,
    );
  }
  if (report.itemDiffs.length) lines.push(`  ${report.itemDiffs.length} changed items:`);
  for (const d of report.itemDiffs.slice(0, maxItems)) {
    lines.push(`    ${d.cell} ${d.task}/${d.id}: ${shown(d.baseline)} -> ${shown(d.current)}`);
  }
  if (report.itemDiffs.length > maxItems) {
    lines.push(`    … and ${report.itemDiffs.length - maxItems} more`);
  }
  return lines.join("\n");
}
