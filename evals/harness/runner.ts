/**
 * The harness engine: runs a suite's tasks over a matrix of cells (precision × device), writes
 * one record per item (appended and fsynced per batch), answers deterministic requests from the
 * response cache (the model is loaded only when a request misses), writes each task's results
 * as it ends and the summary atomically at the end. `resume` continues a killed run.
 *
 * @module
 */
import {
  defaultCacheDir,
  type Flavour,
  type Generation,
  type GenerationOptions,
  letterPrompt,
  NanoVLM,
  resolveProvider,
} from "../../src/mod.ts";
import type { ManifestItem } from "../datasets/mod.ts";
import { cellFileStem, type CellSpec } from "./cells.ts";
import { imageOf, mcqOptions, promptText, runBatch, type Work } from "./execute.ts";
import {
  isDeterministic,
  itemHash,
  modelKey,
  outputHash,
  requestFingerprint,
  sha256Hex,
} from "./fingerprint.ts";
import { machineInfo, peakRssMb, resetPeakRss } from "./machine.ts";
import { LazyModel } from "./lazy_model.ts";
import { modelIdentity } from "./model_identity.ts";
import { type PlannedTask, planTasks, type Shard } from "./plan.ts";
import { defaultProgress, type Progress } from "./progress.ts";
import { RecordWriter } from "./records.ts";
import { type CachedResponse, ResponseCache } from "./response_cache.ts";
import {
  type CellState,
  openRunDir,
  readJsonIfExists,
  type RunManifest,
  writeJsonAtomic,
} from "./run_dir.ts";
import { categoryOf, itemScores, scoredTask, scoreTask } from "./scoring.ts";
import type { Suite } from "./suite.ts";
import { buildSummary, recordsPath, type SummaryWithDetails } from "./summary.ts";
import { writeRunOutputs } from "./outputs.ts";
import type { EvalRecord, ModelIdentity } from "./types.ts";
import { HARNESS_VERSION } from "./types.ts";

/** Options of {@link runEval}. */
export interface EvalOptions {
  /** The suite. */
  suite: Suite;
  /** Checkpoint folder. */
  model: string;
  /** Tokenizer file or folder. */
  tokenizer: string;
  /** Cells to run (default fp32@cpu). */
  cells: CellSpec[];
  /** Run folder. */
  out: string;
  /** Continue the run in `out`. */
  resume?: boolean;
  /** At most this many items per task. */
  limit?: number;
  /** Run one shard. */
  shard?: Shard;
  /** Generation options that override the suite's. */
  generation?: GenerationOptions;
  /** Cache folder (graphs, converted weights, responses); default `$NANOVLM_CACHE`. */
  cacheDir?: string;
  /** Use the response cache (default true). */
  useCache?: boolean;
  /** onnxruntime intra-op threads. */
  threads?: number;
  /** Graph flavour (default fast). */
  flavour?: Flavour;
  /** Rows per model call (default: the suite's). */
  batchSize?: number;
  /** Names shown for the model and tokenizer in place of their paths (e.g. the default model). */
  labels?: { model: string; tokenizer: string };
  /** Progress display (default: a bar on a terminal, lines elsewhere). */
  progress?: Progress;
}

/** Most cache hits written in one go. */
const HIT_CHUNK = 256;

interface CellContext {
  cell: CellSpec;
  options: EvalOptions;
  modelId: ModelIdentity;
  generation: Generation;
  key: string;
  lazy: LazyModel;
  writer: RecordWriter;
  cache?: ResponseCache;
  done: Map<string, EvalRecord>;
  progress: Progress;
}

async function runTask(ctx: CellContext, planned: PlannedTask): Promise<void> {
  const { task } = planned;
  const generation = { ...task.generation, ...ctx.options.generation };
  const deterministic = task.kind === "retrieval" ||
    (task.kind === "mcq" && task.method === "loglik") || isDeterministic(generation);
  const pending = planned.assigned.filter((item) => !ctx.done.has(`${task.name}\0${item.id}`));
  ctx.progress.start(
    ctx.cell.name,
    task.name,
    planned.assigned.length,
    planned.assigned.length - pending.length,
  );
  const batchSize = task.kind === "caption" || task.kind === "vqa"
    ? (ctx.options.batchSize ?? ctx.options.suite.batchSize)
    : 1;
  const captionOwner: number[] = planned.items.flatMap((
    item,
    i,
  ) => ("captions" in item ? item.captions.map(() => i) : []));
  const indexOf = new Map(planned.items.map((item, i) => [item.id, i]));
  const captionsHash = task.kind === "retrieval"
    ? sha256Hex(JSON.stringify(planned.items.map((i) => "captions" in i ? i.captions : [])))
    : undefined;
  const works: (Work & { fingerprint: string })[] = pending.map((item) => {
    const prompt = promptText(task, item, ctx.generation);
    const fingerprint = requestFingerprint({
      model: ctx.key,
      kind: task.kind,
      method: task.kind === "mcq"
        ? `${task.method}/${task.by}`
        : task.kind === "retrieval"
        ? `${task.by}/${task.priorCorrection}`
        : undefined,
      prompt,
      generation: task.kind === "mcq" && task.method === "loglik" || task.kind === "retrieval"
        ? {}
        : generation,
      item: itemHash(item, imageOf(task, item)),
      // Retrieval rows span every caption of the task; generation depends on the batch
      // (left padding changes the arithmetic).
      extra: task.kind === "retrieval" ? captionsHash : { batchSize },
    });
    return { item, prompt, fingerprint };
  });
  const hits = works.map((w) => (deterministic ? ctx.cache?.get(w.fingerprint) : undefined));
  // Runs of cache hits are written together (one write and fsync for up to HIT_CHUNK records);
  // misses go to the model in batches of `batchSize`.
  for (let start = 0; start < works.length;) {
    const isHit = hits[start] !== undefined;
    let end = start + 1;
    while (
      end < works.length && (hits[end] !== undefined) === isHit &&
      end - start < (isHit ? HIT_CHUNK : batchSize)
    ) end++;
    const group = works.slice(start, end);
    const cached = hits.slice(start, end);
    start = end;
    const misses = group.filter((_, i) => !cached[i]);
    let fresh: CachedResponse[] = [];
    let latency = null;
    if (misses.length > 0) {
      const model = await ctx.lazy.get();
      ctx.lazy.timer.start();
      fresh = await runBatch(model, task, planned.items, misses, generation);
      latency = ctx.lazy.timer.latency(
        misses.length,
        task.kind === "caption" || task.kind === "vqa" || task.method === "letter",
      );
    }
    let next = 0;
    const records: EvalRecord[] = group.map((w, i) => {
      const hit = cached[i];
      const response = hit ?? fresh[next++];
      const own = indexOf.get(w.item.id)!;
      const category = categoryOf(w.item, task.categories);
      return {
        id: w.item.id,
        task: task.name,
        kind: task.kind,
        prompt: task.kind === "mcq" && task.method === "letter"
          ? letterPrompt(w.prompt, mcqOptions(w.item as Extract<ManifestItem, { task: "mcq" }>))
          : w.prompt,
        ...response,
        outputHash: outputHash(
          response.tokens.length ? response.tokens : response.text ?? response.prediction,
        ),
        scores: itemScores(w.item, response, (j) => captionOwner[j] === own),
        ...(category === undefined ? {} : { category }),
        cached: hit !== undefined,
        latency: hit ? null : latency,
        fingerprint: w.fingerprint,
      };
    });
    await ctx.writer.append(records);
    if (deterministic && ctx.cache) {
      await ctx.cache.put(
        records.filter((r) => !r.cached).map((r) => ({
          key: r.fingerprint,
          response: {
            prediction: r.prediction,
            tokens: r.tokens,
            stopReason: r.stopReason,
            options: r.options,
            text: r.text,
            row: r.row,
          },
        })),
      );
    }
    for (const r of records) ctx.done.set(`${task.name}\0${r.id}`, r);
    ctx.progress.tick(records.length, records.filter((r) => r.cached).length);
  }
  ctx.progress.end();
  const taskRecords = planned.assigned.map((item) => ctx.done.get(`${task.name}\0${item.id}`)!);
  const result = scoreTask(
    scoredTask(planned, planned.assigned),
    ctx.cell.name,
    taskRecords,
    ctx.options.suite.bootstrap,
  );
  await writeJsonAtomic(
    `${ctx.options.out}/results/${cellFileStem(ctx.cell.name)}/${task.name}.json`,
    result,
  );
}

/** Whether every generation of a run is deterministic (no sampling), so outputs can be compared exactly. */
export function runIsDeterministic(suite: Suite, overrides: GenerationOptions = {}): boolean {
  return suite.tasks.every((task) =>
    task.kind === "retrieval" || (task.kind === "mcq" && task.method === "loglik") ||
    isDeterministic({ ...task.generation, ...overrides })
  );
}

/** The run manifest of a run's options. */
export function runManifest(
  options: EvalOptions,
  model: ModelIdentity,
  planned: readonly PlannedTask[],
): RunManifest {
  return {
    harnessVersion: HARNESS_VERSION,
    suite: options.suite.name,
    suiteSource: options.suite.source,
    adhoc: options.suite.name.startsWith("dataset:"),
    model,
    cells: options.cells,
    limit: options.limit ?? null,
    shard: options.shard ?? null,
    generation: { ...options.generation },
    options: {
      flavour: options.flavour ?? "fast",
      batchSize: options.batchSize ?? options.suite.batchSize,
    },
    tasks: planned.map((p) => ({
      name: p.task.name,
      kind: p.task.kind,
      ids: p.items.map((i) => i.id),
    })),
  };
}

/**
 * Runs a suite over the cells and returns the summary (also written to `out/summary.json`).
 *
 * @example
 * ```ts
 * const suite = await loadSuite("smoke");
 * const { summary } = await runEval({
 *   suite, model: "ckpt", tokenizer: "tok.json", cells: parseCells(["fp32,fp16"], ["cpu"]), out: "runs/smoke",
 * });
 * console.log(summary.cells.map((c) => [c.name, c.tasks]));
 * ```
 */
export async function runEval(options: EvalOptions): Promise<SummaryWithDetails> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const progress = options.progress ?? defaultProgress();
  const { identity: modelId, generation } = await modelIdentity(
    options.model,
    options.tokenizer,
    cacheDir,
  );
  if (options.labels) {
    modelId.path = options.labels.model;
    modelId.tokenizer.path = options.labels.tokenizer;
  }
  const planned = planTasks(options.suite, { limit: options.limit, shard: options.shard });
  const manifest = runManifest(options, modelId, planned);
  // A device that is not there is refused before any file is written.
  const providers = options.cells.map((cell) => resolveProvider(cell.device));
  await openRunDir(options.out, manifest, options.resume ?? false);
  for (const [c, cell] of options.cells.entries()) {
    const stem = cellFileStem(cell.name);
    const { writer, existing } = await RecordWriter.open(
      `${options.out}/${recordsPath(cell.name)}`,
      options.resume ?? false,
    );
    const key = modelKey({
      weights: modelId.sha256,
      config: modelId.configSha256,
      tokenizer: modelId.tokenizer.sha256,
      build: {
        flavour: options.flavour ?? "fast",
        kernels: "onnx",
        precision: cell.modules,
        threads: options.threads ?? "default",
      },
      device: providers[c],
    });
    const cache = options.useCache === false
      ? undefined
      : await ResponseCache.open(`${cacheDir}/eval-responses/${key}.jsonl`);
    const lazy = new LazyModel((onRun) =>
      NanoVLM.load(options.model, {
        tokenizer: options.tokenizer,
        precision: cell.modules,
        provider: cell.device,
        flavour: options.flavour,
        threads: options.threads,
        cacheDir,
        onRun,
      })
    );
    resetPeakRss();
    const ctx: CellContext = {
      cell,
      options,
      modelId,
      generation,
      key,
      lazy,
      writer,
      cache,
      done: new Map(existing.map((r) => [`${r.task}\0${r.id}`, r])),
      progress,
    };
    try {
      for (const task of planned) await runTask(ctx, task);
      const statePath = `${options.out}/results/${stem}/cell.json`;
      if (lazy.model || !(await readJsonIfExists(statePath))) {
        const state: CellState = {
          loadMs: lazy.loadMs,
          peakRssMb: peakRssMb(),
          machine: lazy.model ? machineInfo(lazy.model.runtime.provider, options.threads) : null,
        };
        await writeJsonAtomic(statePath, state);
      }
    } finally {
      await writer.close();
      cache?.close();
      await lazy.release();
    }
  }
  const details = await buildSummary(
    options.out,
    manifest,
    planned.map((p) => scoredTask(p, p.assigned)),
    options.suite.bootstrap,
  );
  await writeRunOutputs(options.out, details);
  return details;
}
