/**
 * The summary of a run folder, computed from its records alone (so a resumed run, a merged set of
 * shards and an uninterrupted run give the same metrics): task results per cell, performance,
 * cache use and the paired comparisons of every cell with the first.
 *
 * @module
 */
import type { BootstrapOptions } from "../metrics/mod.ts";
import { cellFileStem } from "./cells.ts";
import { itemMetrics } from "./metric_names.ts";
import { pairedComparison } from "./paired.ts";
import { perfSummary } from "./perf.ts";
import { readRecords } from "./records.ts";
import { type CellState, readJsonIfExists, type RunManifest } from "./run_dir.ts";
import { type ScoredTask, scoreTask } from "./scoring.ts";
import type {
  CellSummary,
  EvalRecord,
  EvalSummary,
  PairedComparison,
  TaskResult,
} from "./types.ts";
import { HARNESS_VERSION } from "./types.ts";

/** A summary with the task results and records it came from. */
export interface SummaryWithDetails {
  /** `summary.json`. */
  summary: EvalSummary;
  /** Task results by cell name, then task name. */
  results: Record<string, Record<string, TaskResult>>;
  /** Records by cell name. */
  records: Record<string, EvalRecord[]>;
}

/** The records path of a cell, relative to the run folder. */
export function recordsPath(cell: string): string {
  return `records/${cellFileStem(cell)}.jsonl`;
}

/**
 * Builds the summary of the run in `out` from its records; `tasks` are the items each task
 * scores (all of them for a full run or a merge, the shard's for a shard).
 */
export async function buildSummary(
  out: string,
  manifest: RunManifest,
  tasks: readonly ScoredTask[],
  bootstrap: BootstrapOptions,
): Promise<SummaryWithDetails> {
  const results: SummaryWithDetails["results"] = {};
  const recordsByCell: SummaryWithDetails["records"] = {};
  const cells: CellSummary[] = [];
  for (const cell of manifest.cells) {
    const records = await readRecords(`${out}/${recordsPath(cell.name)}`);
    recordsByCell[cell.name] = records;
    const state = await readJsonIfExists<CellState>(
      `${out}/results/${cellFileStem(cell.name)}/cell.json`,
    );
    const byTask = new Map<string, EvalRecord[]>();
    for (const r of records) byTask.set(r.task, [...(byTask.get(r.task) ?? []), r]);
    results[cell.name] = {};
    for (const task of tasks) {
      results[cell.name][task.name] = scoreTask(
        task,
        cell.name,
        byTask.get(task.name) ?? [],
        bootstrap,
      );
    }
    const hits = records.filter((r) => r.cached).length;
    cells.push({
      name: cell.name,
      precision: cell.precision,
      modules: cell.modules,
      device: cell.device,
      records: recordsPath(cell.name),
      tasks: Object.fromEntries(
        Object.entries(results[cell.name]).map((
          [name, { task: _t, cell: _c, perItem: _p, ...rest }],
        ) => [name, rest]),
      ),
      perf: perfSummary(records, {
        loadMs: state?.loadMs ?? null,
        peakRssMb: state?.peakRssMb ?? null,
      }),
      cache: { hits, misses: records.length - hits },
      machine: state?.machine ?? null,
    });
  }
  const comparisons: PairedComparison[] = [];
  const [first, ...others] = manifest.cells;
  for (const other of others) {
    for (const task of tasks) {
      for (const metric of itemMetrics(task.kind)) {
        const values = (cell: string) =>
          Object.fromEntries(
            Object.entries(results[cell][task.name].perItem).map(([id, s]) => [id, s[metric.name]]),
          );
        comparisons.push(pairedComparison(
          { task: task.name, metric: metric.name, a: first.name, b: other.name },
          values(first.name),
          values(other.name),
          { binary: metric.binary, bootstrap },
        ));
      }
    }
  }
  return {
    summary: {
      suite: manifest.suite,
      harnessVersion: HARNESS_VERSION,
      model: manifest.model,
      shard: manifest.shard,
      cells,
      comparisons,
    },
    results,
    records: recordsByCell,
  };
}
