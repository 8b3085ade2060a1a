/**
 * The numbers behind the report's figures and tables, computed from an eval output: quality with
 * its interval and latency per cell and task, per-category scores, per-token latencies, items that
 * changed between cells, the worst items, and drift between a cell and the reference cell.
 *
 * @module
 */
import type { CellSummary, EvalOutput, EvalRecord, Interval, TaskSummary } from "./types.ts";

/** The metric each task kind is ranked by, first present wins. */
const PRIMARY_METRICS = ["accuracy", "ciderD", "R@1", "bleu4", "rougeL"] as const;

/** The headline metric of a task result: the first of accuracy, ciderD, R@1, bleu4, rougeL. */
export function primaryMetric(task: TaskSummary): string | undefined {
  return PRIMARY_METRICS.find((m) => typeof task.metrics[m] === "number") ??
    Object.keys(task.metrics).find((m) => typeof task.metrics[m] === "number");
}

function bounds(interval: Interval | undefined): { low?: number; high?: number } {
  if (!interval) return {};
  return Array.isArray(interval)
    ? { low: interval[0], high: interval[1] }
    : { low: (interval as { low: number }).low, high: (interval as { high: number }).high };
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
  /** Mean wall-clock ms per item (records), else the cell's median time to first token. */
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
      const latencies = records
        .filter((r) => r.task === task && typeof r.latency?.totalMs === "number")
        .map((r) => r.latency!.totalMs!);
      rows.push({
        cell: cell.name,
        task,
        kind: result.kind,
        metric,
        n: result.n,
        value: result.metrics[metric],
        ...bounds(result.ci95?.[metric]),
        latencyMs: mean(latencies) ?? cell.perf?.ttftMs?.p50,
      });
    }
  }
  return rows;
}

/** A per-item score on the task's headline metric, when the record has it. */
function itemScore(record: EvalRecord, metric: string | undefined): number | undefined {
  const value = metric ? record.scores?.[metric] : undefined;
  return typeof value === "number" ? value : undefined;
}

function taskMetrics(cell: CellSummary): Map<string, string | undefined> {
  return new Map(Object.entries(cell.tasks).map(([t, r]) => [t, primaryMetric(r)]));
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

/** Mean per-item headline score by (cell, task, category), from records that carry a category. */
export function categoryRows(output: EvalOutput): CategoryRow[] {
  const rows: CategoryRow[] = [];
  for (const cell of output.summary.cells) {
    const metrics = taskMetrics(cell);
    const groups = new Map<string, { task: string; category: string; scores: number[] }>();
    for (const record of output.records.get(cell.name) ?? []) {
      const score = itemScore(record, metrics.get(record.task));
      if (record.category === undefined || score === undefined) continue;
      const key = `${record.task}\u0000${record.category}`;
      const group = groups.get(key) ??
        { task: record.task, category: record.category, scores: [] };
      group.scores.push(score);
      groups.set(key, group);
    }
    for (
      const g of [...groups.values()].sort((a, b) =>
        a.task.localeCompare(b.task) || a.category.localeCompare(b.category)
      )
    ) {
      rows.push({
        cell: cell.name,
        task: g.task,
        category: g.category,
        metric: metrics.get(g.task)!,
        value: mean(g.scores)!,
        n: g.scores.length,
      });
    }
  }
  return rows;
}

/** One generated token's latency. */
export interface TokenLatencyRow {
  /** Cell name. */
  cell: string;
  /** Milliseconds for the token. */
  ms: number;
}

/** Every per-token latency the records hold, by cell. */
export function tokenLatencyRows(output: EvalOutput): TokenLatencyRow[] {
  const rows: TokenLatencyRow[] = [];
  for (const cell of output.summary.cells) {
    for (const record of output.records.get(cell.name) ?? []) {
      for (const ms of record.latency?.tokenMs ?? []) rows.push({ cell: cell.name, ms });
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
    const metrics = taskMetrics(cell);
    for (const record of output.records.get(cell.name) ?? []) {
      const key = `${record.task}\u0000${record.id}`;
      const item = items.get(key) ??
        { id: record.id, task: record.task, byCell: new Map(), scores: new Map(), changed: false };
      item.byCell.set(cell.name, record);
      const score = itemScore(record, metrics.get(record.task));
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
 * Items without a score are left out.
 */
export function worstItems(
  items: readonly PairedItem[],
  reference: string,
  count: number,
): PairedItem[] {
  return items
    .filter((item) => item.scores.has(reference))
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
  /** Pipeline stage (vision, projector, decoder, logits, output tokens…). */
  stage: string;
  /** Statistic name (e.g. `same tokens`, `mean |Δ logprob|`, `KL`). */
  statistic: string;
  /** Value. */
  value: number;
}

/**
 * Drift of each cell against the reference, from the records alone: the share of items whose
 * generated tokens are identical, and the mean absolute change of the generated tokens'
 * log-probabilities over the prefix both cells share (when records carry `logprobs`).
 */
export function recordDrift(items: readonly PairedItem[], cells: readonly string[]): DriftRow[] {
  const [reference, ...others] = cells;
  const rows: DriftRow[] = [];
  for (const cell of others) {
    let compared = 0;
    let same = 0;
    const deltas: number[] = [];
    for (const item of items) {
      const ref = item.byCell.get(reference);
      const got = item.byCell.get(cell);
      if (!ref?.tokens || !got?.tokens) continue;
      compared++;
      if (JSON.stringify(ref.tokens) === JSON.stringify(got.tokens)) same++;
      if (ref.logprobs && got.logprobs) {
        let k = 0;
        while (k < ref.tokens.length && k < got.tokens.length && ref.tokens[k] === got.tokens[k]) {
          if (k < ref.logprobs.length && k < got.logprobs.length) {
            deltas.push(Math.abs(ref.logprobs[k] - got.logprobs[k]));
          }
          k++;
        }
      }
    }
    if (compared === 0) continue;
    rows.push({ cell, stage: "output tokens", statistic: "same tokens", value: same / compared });
    const delta = mean(deltas);
    if (delta !== undefined) {
      rows.push({ cell, stage: "output tokens", statistic: "mean |Δ logprob|", value: delta });
    }
  }
  return rows;
}
