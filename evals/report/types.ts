/**
 * The report's view of an eval output folder: `summary.json` and `records/<cell>.jsonl` as the
 * harness writes them (issue 10 §7). Only the contract's keys are required; everything else the
 * report uses is optional, so a summary from an older or a partial harness still renders.
 *
 * @module
 */

/** A 95% interval, as `[low, high]` or `{low, high}`. */
export type Interval = readonly [number, number] | { low: number; high: number };

/** Quantiles of a latency distribution, in milliseconds. */
export interface LatencyQuantiles {
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
}

/** One task's result in one cell. */
export interface TaskSummary {
  /** Task kind: caption, vqa, mcq, retrieval. */
  kind: string;
  /** Items scored. */
  n: number;
  /** Corpus metrics, named and scaled as `score --json` prints them. */
  metrics: Record<string, number>;
  /** 95% intervals of the metrics, by metric name. */
  ci95?: Record<string, Interval>;
}

/** Performance measured in a cell's run. */
export interface CellPerf {
  /** Model load time. */
  loadMs?: number;
  /** Vision encoder time per image. */
  visionMs?: number;
  /** Time to first token. */
  ttftMs?: LatencyQuantiles;
  /** Per generated token latency. */
  tokenMs?: LatencyQuantiles;
  /** Decode throughput. */
  decodeTokPerS?: number;
  /** Peak resident memory. */
  peakRssMb?: number;
}

/** One cell of the matrix (precision × device). */
export interface CellSummary {
  /** Cell name, e.g. `fp32@cpu`; also the records file's base name. */
  name: string;
  /** Precision, e.g. `fp32`. */
  precision: string;
  /** Device, e.g. `cpu`. */
  device: string;
  /** Results per task name. */
  tasks: Record<string, TaskSummary>;
  /** Performance figures. */
  perf?: CellPerf;
  /** Response-cache use. */
  cache?: { hits: number; misses: number };
}

/** `DIR/summary.json`. */
export interface EvalSummary {
  /** Suite name. */
  suite: string;
  /** The evaluated checkpoint. */
  model: { path: string; sha256: string };
  /** One entry per cell. */
  cells: CellSummary[];
}

/** Latency fields of one record. */
export interface RecordLatency {
  /** Whole item, wall clock. */
  totalMs?: number;
  /** Time to first token. */
  ttftMs?: number;
  /** Each generated token after the first. */
  tokenMs?: number[];
}

/** One line of `DIR/records/<cell>.jsonl`. */
export interface EvalRecord {
  /** Item id from the dataset manifest. */
  id: string;
  /** Task name (a key of the cell's `tasks`). */
  task: string;
  /** Generated text, the chosen letter, or the ranking for retrieval. */
  prediction: string | number[];
  /** Prompt after templating. */
  prompt?: string;
  /** Generated token ids. */
  tokens?: number[];
  /** Per-item scores by metric name (same scale as the corpus metrics). */
  scores?: Record<string, number>;
  /** Latency fields. */
  latency?: RecordLatency;
  /** Image path (absolute, or relative to the summary's folder). */
  image?: string;
  /** Reference texts or answers shown beside the prediction. */
  references?: string[];
  /** Question text (VQA, MCQ). */
  question?: string;
  /** Category (ShapesBench question type, MMStar category). */
  category?: string;
  /** Log-probability of each generated token (for drift without the inspect room). */
  logprobs?: number[];
}

/** An eval output folder, read. */
export interface EvalOutput {
  /** The folder. */
  dir: string;
  /** Its summary. */
  summary: EvalSummary;
  /** Records per cell name, in file order. */
  records: Map<string, EvalRecord[]>;
}
