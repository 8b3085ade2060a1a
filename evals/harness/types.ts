/**
 * The harness's output contract for scripts and the report: `DIR/summary.json`
 * ({@link EvalSummary}), `DIR/records/<cell>.jsonl` (one {@link EvalRecord} per line),
 * `DIR/results/<cell>/<task>.json` ({@link TaskResult}) and the baseline file of the regression
 * gate ({@link Baseline}). Keys listed here stay; new keys may be added.
 *
 * Metric names and scales are those `nanovlm score … --json` prints: captions `bleu1`…`bleu4`,
 * `rougeL` (0-1) and `ciderD` (0-10); VQA `accuracy` (0-1); multiple choice `accuracy`,
 * `macroAccuracy` (0-1); retrieval `i2t.R@1`… and `t2i.R@1`… (percent), `i2t.medianRank`…,
 * `rsum`.
 *
 * @module
 */

/** Version of the harness's records and cache; a change invalidates cached responses. */
export const HARNESS_VERSION = "1";

/** The kinds of evaluation task (the manifest's task kinds). */
export type EvalTaskKind = "caption" | "vqa" | "mcq" | "retrieval";

/** How a multiple-choice task picks its answer. */
export type McqMethod = "loglik" | "letter";

/** A model precision per module, as the graphs are built. */
export interface CellPrecision {
  /** Vision encoder. */
  vision: "fp32" | "fp16";
  /** Modality projector. */
  projector: "fp32" | "fp16";
  /** Decoder. */
  decoder: "fp32" | "fp16";
}

/** Three quantiles of a latency distribution, in milliseconds. */
export interface Percentiles {
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
}

/** Where and on what a cell ran (llama-bench style: in every row). */
export interface MachineInfo {
  /** Logical CPU cores. */
  cores: number;
  /** onnxruntime intra-op threads (`null`: onnxruntime's default). */
  threads: number | null;
  /** onnxruntime-node version. */
  onnxruntime: string;
  /** Execution provider the sessions ran on (`cpu`, `cuda`). */
  provider: string;
  /** CPU model name. */
  cpu: string;
  /** Operating system and architecture. */
  os: string;
  /** Deno version. */
  deno: string;
}

/** Performance of one cell, measured in the same run as its quality. */
export interface PerfSummary {
  /** Model load time (graphs built or read from the cache, sessions opened); null when every item came from the response cache. */
  loadMs: number | null;
  /** Mean vision-encoder time per image tile (ms). */
  visionMs: number | null;
  /** Time to first token of generated items (request start to the first token). */
  ttftMs: Percentiles | null;
  /** Decode speed after the first token, tokens per second (total tokens / total decode time). */
  decodeTokPerS: number | null;
  /** Latency of each decode step after the first token. */
  perTokenMs: Percentiles | null;
  /** Whole-item latency (all kinds). */
  itemMs: Percentiles | null;
  /** Peak resident memory of the process while the cell ran, MiB. */
  peakRssMb: number | null;
  /** Items whose latency was measured (cache hits are not). */
  measuredItems: number;
}

/** A metric's 95% bootstrap interval. */
export interface Interval {
  /** Lower bound. */
  low: number;
  /** Upper bound. */
  high: number;
}

/** One category's share of a task (ShapesBench question types, MMStar categories). */
export interface CategoryResult {
  /** Items in the category. */
  n: number;
  /** The task's per-item metrics averaged over the category. */
  metrics: Record<string, number>;
}

/** The results of one task in one cell. */
export interface TaskSummary {
  /** Task kind. */
  kind: EvalTaskKind;
  /** Items scored. */
  n: number;
  /** Corpus metrics (names and scales as `score --json`). */
  metrics: Record<string, number>;
  /** 95% bootstrap intervals of the metrics that have one. */
  ci95: Record<string, Interval>;
  /** Per-category breakdown (only for tasks with categories). */
  categories?: Record<string, CategoryResult>;
}

/** `DIR/results/<cell>/<task>.json`: a task's summary plus its per-item scores. */
export interface TaskResult extends TaskSummary {
  /** Task name. */
  task: string;
  /** Cell name. */
  cell: string;
  /** Per-item scores by item id (corpus-dependent ones such as CIDEr-D included). */
  perItem: Record<string, Record<string, number>>;
}

/** One cell of the matrix: a precision on a device. */
export interface CellSummary {
  /** `<precision>@<device>`, e.g. `fp32@cpu` or `vision=fp16@cpu` (fp32 modules left out). */
  name: string;
  /** The precision as given (`fp32`, `fp16`, or a per-module mix). */
  precision: string;
  /** Precision per module. */
  modules: CellPrecision;
  /** The device asked for (`cpu`, `cuda`, `auto`). */
  device: string;
  /** Path of the cell's records, relative to DIR. */
  records: string;
  /** Results by task name. */
  tasks: Record<string, TaskSummary>;
  /** Performance. */
  perf: PerfSummary;
  /** Response-cache use. */
  cache: { hits: number; misses: number };
  /** The machine (null when the model never ran: everything cached). */
  machine: MachineInfo | null;
}

/** A per-item comparison of one metric between two cells. */
export interface PairedComparison {
  /** Task name. */
  task: string;
  /** Per-item metric compared. */
  metric: string;
  /** Reference cell. */
  a: string;
  /** Compared cell. */
  b: string;
  /** Items both cells scored. */
  n: number;
  /** Mean of the per-item differences b − a. */
  meanDiff: number;
  /** 95% paired-bootstrap interval of the mean difference. */
  ci95: Interval;
  /** McNemar's test, for 0/1 metrics. */
  mcnemar?: McNemarResult;
}

/** McNemar's test on paired 0/1 outcomes. */
export interface McNemarResult {
  /** Items right in a, wrong in b. */
  b: number;
  /** Items wrong in a, right in b. */
  c: number;
  /** Continuity-corrected chi-square statistic (|b − c| − 1)² / (b + c). */
  statistic: number;
  /** Exact two-sided binomial p-value. */
  pValue: number;
  /** p-value of the corrected chi-square (1 degree of freedom). */
  pValueChi2: number;
}

/** The model a run evaluated. */
export interface ModelIdentity {
  /** Checkpoint folder as given. */
  path: string;
  /** SHA-256 of `model.safetensors`. */
  sha256: string;
  /** SHA-256 of `config.json` (the architecture: a baseline compares only equal configs). */
  configSha256: string;
  /** Tokenizer file and its SHA-256. */
  tokenizer: { path: string; sha256: string };
}

/** `DIR/summary.json`. */
export interface EvalSummary {
  /** Suite name. */
  suite: string;
  /** {@link HARNESS_VERSION}. */
  harnessVersion: string;
  /** The model. */
  model: ModelIdentity;
  /** Shards this summary covers (`null`: the whole suite). */
  shard: { index: number; count: number } | null;
  /** One entry per cell, in matrix order. */
  cells: CellSummary[];
  /** Paired comparisons of every cell with the first one. */
  comparisons: PairedComparison[];
}

/** Latency of one item. */
export interface RecordLatency {
  /** The whole item, request to result. */
  totalMs: number;
  /** Vision-encoder time of the item's batch divided among its rows. */
  visionMs: number;
  /** Image tiles the vision encoder ran for the item (its batch's divided among its rows). */
  visionTiles: number;
  /** Generated items: time to the first token. */
  ttftMs?: number;
  /** Generated items: each later decode step. */
  stepMs?: number[];
  /** Rows in the batch the item ran in. */
  batch: number;
}

/** One line of `DIR/records/<cell>.jsonl`. */
export interface EvalRecord {
  /** Manifest item id. */
  id: string;
  /** Task name in the suite. */
  task: string;
  /** Task kind. */
  kind: EvalTaskKind;
  /** The user text sent after templating (for retrieval: the caption prompt). */
  prompt: string;
  /** Generated text; the chosen letter (mcq); the caption ranking best first (retrieval). */
  prediction: string | number[];
  /** Generated token ids (empty for log-likelihood tasks). */
  tokens: number[];
  /** SHA-256 (16 hex) of the tokens, or of the prediction for log-likelihood tasks. */
  outputHash: string;
  /** Why generation stopped (generated items). */
  stopReason?: string;
  /** mcq: the raw generated text (letter) or every option's log-likelihood (loglik). */
  options?: { letter: string; sum?: number; mean?: number }[];
  /** mcq by letter: the generated text the letter was extracted from. */
  text?: string;
  /** retrieval: this image's score for every caption of the task. */
  row?: number[];
  /** Per-item scores that depend on this item alone (e.g. VQA accuracy, mcq correct). */
  scores: Record<string, number>;
  /** Category for breakdowns, when the task has one. */
  category?: string;
  /** Whether the response came from the cache (then `latency` is null). */
  cached: boolean;
  /** Latency (null for cache hits). */
  latency: RecordLatency | null;
  /** Cache key of the request. */
  fingerprint: string;
}

/** Tolerances of the statistical gate: largest allowed drop of a per-item metric's mean. */
export type GateTolerance = Record<string, number>;

/** One cell of a baseline. */
export interface BaselineCell {
  /** Cell name. */
  name: string;
  /** Compared exactly (deterministic CPU fp32) or statistically. */
  mode: "exact" | "statistical";
  /** Corpus metrics by task. */
  metrics: Record<string, Record<string, number>>;
  /** Per item (`<task>/<id>`): output hash, prediction and per-item scores. */
  items: Record<
    string,
    { hash: string; prediction: string | number[]; scores: Record<string, number> }
  >;
}

/** A regression-gate baseline (`evals/baselines/<suite>.json`). */
export interface Baseline {
  /** Suite the baseline is for. */
  suite: string;
  /** {@link HARNESS_VERSION}. */
  harnessVersion: string;
  /** The model (the config must match; changed weights are what the gate catches). */
  model: ModelIdentity;
  /** Statistical gate tolerance per metric (the default applies to others). */
  tolerance: GateTolerance;
  /** Cells. */
  cells: BaselineCell[];
}
