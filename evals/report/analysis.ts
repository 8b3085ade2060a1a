/**
 * The numbers behind the report's figures and tables, computed from an eval output: quality with
 * its interval and latency per cell and task, per-category scores, per-token latencies, items that
 * changed between cells, the worst items, and drift between each cell and the reference (first)
 * cell measured on what the records hold.
 *
 * @module
 */
import type { EvalRecord, TaskSummary } from "../harness/mod.ts";
import type { EvalOutput } from "./load.ts";

/** The metric each task is ranked by: the first of these it has. */
const PRIMARY_METRICS = ["accuracy", "ciderD", "i2t.R@1", "R@1", "bleu4", "rougeL"] as const;

/** The headline metric of a task result: the first of accuracy, ciderD, i2t.R@1, bleu4, rougeL. */
export function primaryMetric(task: Pick<TaskSummary, "metrics">): string | undefined {
  return PRIMARY_METRICS.find((m) => typeof task.metrics[m] === "number") ??
    Object.keys(task.metrics).find((m) => typeof task.metrics[m] === "number");
}

/**
 * The per-item score that averages to `metric`: the same name, or `correct` for a multiple-choice
 * `accuracy`; undefined when the item has neither.
 */
export function perItemScore(
  scores: Record<string, number> | undefined,
  metric: string,
): number | undefined {
  const value = scores?.[metric] ?? (metric === "accuracy" ? scores?.correct : undefined);
  return typeof value === "number" ? value : undefined;
}

function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((s, v) => s + v, 0) / values.length;
}

/** One point of the quality-vs-latency figure. */
export interface QualityRow {
  /** Cell name. */
  cell: string;
  /** Task name. */
  task: string;
  /** Task kind. */
  kind: string;
  /** Metric shown. */
  metric: string;
  /** Items scored. */
  n: number;
  /** Metric value. */
  value: number;
  /** 95% interval low, when the summary has it. */
  low?: number;
  /** 95% interval high. */
  high?: number;
  /** Mean wall-clock ms per item over the records that were measured (not cache hits). */
  latencyMs?: number;
}

/** Quality and latency of every (cell, task). */
export function qualityRows(output: EvalOutput): QualityRow[] {
  const rows: QualityRow[] = [];
  for (const cell of output.summary.cells) {
    const records = output.records.get(cell.name) ?? [];
    for (const [task, result] of Object.entries(cell.tasks)) {
      const metric = primaryMetric(result);
      if (!metric) continue;
      const interval = result.ci95?.[metric];
      const latency = mean(
        records.filter((r) => r.task === task && typeof r.latency?.totalMs === "number")
          .map((r) => r.latency!.totalMs),
      );
      rows.push({
        cell: cell.name,
        task,
        kind: result.kind,
        metric,
        n: result.n,
        value: result.metrics[metric],
        ...(interval ? { low: interval.low, high: interval.high } : {}),
        ...(latency === undefined ? {} : { latencyMs: latency }),
      });
    }
  }
  return rows;
}

/** One bar of the per-category figure. */
export interface CategoryRow {
  /** Cell name. */
  cell: string;
  /** Task name. */
  task: string;
  /** Category (question type). */
  category: string;
  /** Metric averaged. */
  metric: string;
  /** Mean per-item score. */
  value: number;
  /** Items in the category. */
  n: number;
}

/** The per-category breakdowns of the summary, on each task's headline metric. */
export function categoryRows(output: EvalOutput): CategoryRow[] {
  const rows: CategoryRow[] = [];
  for (const cell of output.summary.cells) {
    for (const [task, result] of Object.entries(cell.tasks)) {
      const metric = primaryMetric(result);
      if (!metric || !result.categories) continue;
      for (const [category, share] of Object.entries(result.categories)) {
        const value = perItemScore(share.metrics, metric);
        if (value === undefined) continue;
        rows.push({ cell: cell.name, task, category, metric, value, n: share.n });
      }
    }
  }
  return rows;
}

/** One decode step's latency. */
export interface TokenLatencyRow {
  /** Cell name. */
  cell: string;
  /** Milliseconds for the token. */
  ms: number;
}

/** Every per-token (decode step after the first) latency the records hold, by cell. */
export function tokenLatencyRows(output: EvalOutput): TokenLatencyRow[] {
  const rows: TokenLatencyRow[] = [];
  for (const cell of output.summary.cells) {
    for (const record of output.records.get(cell.name) ?? []) {
      for (const ms of record.latency?.stepMs ?? []) rows.push({ cell: cell.name, ms });
    }
  }
  return rows;
}

/** One item seen across cells. */
export interface PairedItem {
  /** Item id. */
  id: string;
  /** Task name. */
  task: string;
  /** The record of each cell that has the item, by cell name. */
  byCell: Map<string, EvalRecord>;
  /** Headline per-item score of each cell, by cell name. */
  scores: Map<string, number>;
  /** Whether some cell's prediction differs from the reference cell's. */
  changed: boolean;
}

function predictionKey(record: EvalRecord): string {
  return JSON.stringify(record.prediction);
}

/** Joins the cells' records by (task, id); the reference is the first cell. */
export function pairItems(output: EvalOutput): PairedItem[] {
  const cells = output.summary.cells;
  const reference = cells[0].name;
  const items = new Map<string, PairedItem>();
  for (const cell of cells) {
    const results = output.perItem.get(cell.name);
    for (const record of output.records.get(cell.name) ?? []) {
      const key = `${record.task}\u0000${record.id}`;
      const item = items.get(key) ??
        { id: record.id, task: record.task, byCell: new Map(), scores: new Map(), changed: false };
      item.byCell.set(cell.name, record);
      const task = cell.tasks[record.task];
      const metric = task ? primaryMetric(task) : undefined;
      const score = metric === undefined ? undefined : perItemScore(
        { ...record.scores, ...results?.get(record.task)?.[record.id] },
        metric,
      );
      if (score !== undefined) item.scores.set(cell.name, score);
      items.set(key, item);
    }
  }
  for (const item of items.values()) {
    const ref = item.byCell.get(reference);
    item.changed = ref !== undefined &&
      [...item.byCell.values()].some((r) => predictionKey(r) !== predictionKey(ref));
  }
  return [...items.values()];
}

/** Items whose prediction changed against the reference cell, in record order. */
export function changedItems(items: readonly PairedItem[]): PairedItem[] {
  return items.filter((item) => item.changed);
}

/**
 * The `count` items with the lowest reference-cell score, lowest first (ties by task, then id).
 * Only items that scored below the best item of their own task count: where every item of a task
 * scored alike (all right), none of them is worse than another. Items without a score are left out.
 */
export function worstItems(
  items: readonly PairedItem[],
  reference: string,
  count: number,
): PairedItem[] {
  const scored = items.filter((item) => item.scores.has(reference));
  const best = new Map<string, number>();
  for (const item of scored) {
    best.set(item.task, Math.max(best.get(item.task) ?? -Infinity, item.scores.get(reference)!));
  }
  return scored
    .filter((item) => item.scores.get(reference)! < best.get(item.task)!)
    .sort((a, b) =>
      a.scores.get(reference)! - b.scores.get(reference)! || a.task.localeCompare(b.task) ||
      a.id.localeCompare(b.id)
    )
    .slice(0, count);
}

/** One drift figure of one cell against the reference, at one stage. */
export interface DriftRow {
  /** The compared cell. */
  cell: string;
  /** Pipeline stage (vision, projector, decoder, logits, generated tokens…). */
  stage: string;
  /** Statistic name (e.g. `same output`, `mean |Δ|`). */
  statistic: string;
  /** Value. */
  value: number;
}

/** Log-likelihood sums of a multiple-choice record's options, in letter order. */
function optionScores(record: EvalRecord): number[] | undefined {
  const sums = record.options?.map((o) => o.sum);
  return sums && sums.length > 0 && sums.every((s) => typeof s === "number")
    ? sums as number[]
    : undefined;
}

/**
 * Drift of each cell against the reference, from what the records hold (the logits' traces):
 * per stage, the share of items with the same output (generated tokens; multiple-choice pick;
 * retrieval's best caption), and the mean absolute change of the scores behind it (the options'
 * log-likelihood sums; the image's caption scores).
 */
export function recordDrift(items: readonly PairedItem[], cells: readonly string[]): DriftRow[] {
  const [reference, ...others] = cells;
  const rows: DriftRow[] = [];
  for (const cell of others) {
    const stages = new Map<string, { same: number; n: number; deltas: number[] }>();
    const add = (stage: string, same: boolean, deltas: number[] = []) => {
      const s = stages.get(stage) ?? { same: 0, n: 0, deltas: [] };
      s.n++;
      if (same) s.same++;
      s.deltas.push(...deltas);
      stages.set(stage, s);
    };
    for (const item of items) {
      const ref = item.byCell.get(reference);
      const got = item.byCell.get(cell);
      if (!ref || !got) continue;
      const sameOutput = predictionKey(ref) === predictionKey(got);
      const a = optionScores(ref);
      const b = optionScores(got);
      if (ref.tokens?.length && got.tokens?.length) {
        add("generated tokens", JSON.stringify(ref.tokens) === JSON.stringify(got.tokens));
      } else if (a && b && a.length === b.length) {
        add("option log-likelihood", sameOutput, a.map((v, i) => Math.abs(v - b[i])));
      } else if (ref.row && got.row && ref.row.length === got.row.length) {
        add("retrieval scores", sameOutput, ref.row.map((v, i) => Math.abs(v - got.row![i])));
      }
    }
    for (const [stage, s] of stages) {
      rows.push({ cell, stage, statistic: "same output", value: s.same / s.n });
      const delta = mean(s.deltas);
      if (delta !== undefined) {
        rows.push({ cell, stage, statistic: "mean |Δ score|", value: delta });
      }
    }
  }
  return rows;
}
