/**
 * Task results from records: the corpus metrics of `evals/metrics` (equal to `nanovlm score`),
 * 95% bootstrap intervals, per-item scores and the per-category breakdown.
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import {
  bootstrapInterval,
  type BootstrapOptions,
  scoreCaptions,
  scoreMcq,
  scoreRetrieval,
  scoreVqa,
  vqaAccuracy,
} from "../metrics/mod.ts";
import type { PlannedTask } from "./plan.ts";
import type { CachedResponse } from "./response_cache.ts";
import type { ManifestItem } from "../datasets/mod.ts";
import { itemMetrics } from "./metric_names.ts";
import type { CategoryResult, EvalRecord, EvalTaskKind, Interval, TaskResult } from "./types.ts";

/** What scoring needs to know of a task. */
export interface ScoredTask {
  /** Task name. */
  name: string;
  /** Kind. */
  kind: EvalTaskKind;
  /** The items scored, in order (every one must have a record). */
  items: readonly ManifestItem[];
  /** retrieval: every item of the task (all shards), whose captions the score rows cover. */
  allItems?: readonly ManifestItem[];
  /** Metrics to report. */
  metrics: readonly string[];
  /** Category field, when the task has a breakdown. */
  categories?: string;
}

/** The value of an item's category field (a top-level field, else `meta.<field>`). */
export function categoryOf(item: ManifestItem, field: string | undefined): string | undefined {
  if (!field) return undefined;
  const value = (item as unknown as Record<string, unknown>)[field] ?? item.meta?.[field];
  return value === undefined || value === null ? undefined : String(value);
}

function interval(ci: { low: number; high: number }): Interval {
  return { low: ci.low, high: ci.high };
}

interface Scored {
  metrics: Record<string, number>;
  ci95: Record<string, Interval>;
  perItem: Record<string, Record<string, number>>;
}

function scoreCaptionTask(
  items: readonly ManifestItem[],
  predictions: Map<string, EvalRecord>,
  bootstrap: BootstrapOptions,
): Scored {
  const result = scoreCaptions(
    items.map((item) => ({
      id: item.id,
      candidate: predictions.get(item.id)!.prediction as string,
      references: (item as Extract<ManifestItem, { task: "caption" }>).references,
    })),
    { bootstrap },
  );
  return {
    metrics: { ...result.corpus },
    ci95: Object.fromEntries(Object.entries(result.intervals!).map(([k, v]) => [k, interval(v)])),
    perItem: result.perItem as unknown as Record<string, Record<string, number>>,
  };
}

function scoreVqaTask(
  items: readonly ManifestItem[],
  predictions: Map<string, EvalRecord>,
  bootstrap: BootstrapOptions,
): Scored {
  const result = scoreVqa(
    items.map((item) => {
      const vqa = item as Extract<ManifestItem, { task: "vqa" }>;
      return {
        id: item.id,
        prediction: predictions.get(item.id)!.prediction as string,
        answers: vqa.answers,
        ...(vqa.answer_type === undefined ? {} : { answerType: vqa.answer_type }),
      };
    }),
    { bootstrap },
  );
  return {
    metrics: { accuracy: result.accuracy },
    ci95: { accuracy: interval(result.interval!) },
    perItem: Object.fromEntries(
      Object.entries(result.perItem).map(([id, v]) => [id, { accuracy: v }]),
    ),
  };
}

function scoreMcqTask(
  items: readonly ManifestItem[],
  predictions: Map<string, EvalRecord>,
  bootstrap: BootstrapOptions,
  categories?: string,
): Scored {
  const result = scoreMcq(
    items.map((item) => {
      const mcq = item as Extract<ManifestItem, { task: "mcq" }>;
      const category = categoryOf(item, categories);
      return {
        id: item.id,
        output: predictions.get(item.id)!.prediction as string,
        answer: mcq.answer,
        choices: Object.keys(mcq.options ?? { A: "", B: "", C: "", D: "" }),
        ...(category === undefined ? {} : { category }),
      };
    }),
    { bootstrap },
  );
  return {
    metrics: { accuracy: result.accuracy, macroAccuracy: result.macroAccuracy },
    ci95: { accuracy: interval(result.interval!) },
    perItem: Object.fromEntries(
      Object.entries(result.perItem).map(([id, v]) => [id, { correct: v.correct }]),
    ),
  };
}

/** Caption `j` of a retrieval task belongs to the item that lists it: `captionToImage[j]`. */
export function retrievalCaptions(
  items: readonly ManifestItem[],
): { texts: string[]; captionToImage: number[] } {
  const texts: string[] = [];
  const captionToImage: number[] = [];
  items.forEach((item, i) => {
    for (const caption of (item as Extract<ManifestItem, { task: "retrieval" }>).captions) {
      texts.push(caption);
      captionToImage.push(i);
    }
  });
  return { texts, captionToImage };
}

/**
 * 0-based rank of the best own caption in a score row: how many other captions score higher or
 * equal (ties count against, as `scoreRetrieval`'s default).
 */
export function bestRank(row: readonly number[], own: (caption: number) => boolean): number {
  let best = -Infinity;
  row.forEach((score, j) => {
    if (own(j) && score > best) best = score;
  });
  return row.filter((score, j) => !own(j) && score >= best).length;
}

function scoreRetrievalTask(
  items: readonly ManifestItem[],
  allItems: readonly ManifestItem[],
  predictions: Map<string, EvalRecord>,
  bootstrap: BootstrapOptions,
): Scored {
  const full = retrievalCaptions(allItems).captionToImage;
  const position = new Map(items.map((item, i) => [item.id, i]));
  const columns = full.map((owner, j) => ({ j, image: position.get(allItems[owner].id) }))
    .filter((c): c is { j: number; image: number } => c.image !== undefined);
  const captionToImage = columns.map((c) => c.image);
  const matrix = items.map((item) => {
    const row = predictions.get(item.id)!.row;
    if (!row || row.length !== full.length) {
      throw new InputError(
        `record ${item.id} has no score row over the task's ${full.length} captions`,
        "delete the run folder and run again",
      );
    }
    return columns.map((c) => row[c.j]);
  });
  const result = scoreRetrieval(matrix, captionToImage);
  const metrics: Record<string, number> = { rsum: result.rsum };
  const ci95: Record<string, Interval> = {};
  for (const direction of ["i2t", "t2i"] as const) {
    const ranks = result[direction].ranks;
    for (const [name, value] of Object.entries(result[direction])) {
      if (name !== "ranks") metrics[`${direction}.${name}`] = value as number;
    }
    const stat = (f: (rank: number) => number) => (idx: number[]) =>
      idx.reduce((s, i) => s + f(ranks[i]), 0) / idx.length;
    for (const k of [1, 5, 10]) {
      ci95[`${direction}.R@${k}`] = interval(
        bootstrapInterval(ranks.length, stat((r) => (r <= k ? 100 : 0)), bootstrap),
      );
    }
    ci95[`${direction}.mrr`] = interval(
      bootstrapInterval(ranks.length, stat((r) => 1 / r), bootstrap),
    );
  }
  const perItem = Object.fromEntries(items.map((item, i) => {
    const rank = result.i2t.ranks[i];
    return [item.id, { "i2t.rank": rank, "i2t.hit@1": rank === 1 ? 1 : 0, "i2t.rr": 1 / rank }];
  }));
  return { metrics, ci95, perItem };
}

function breakdown(
  task: ScoredTask,
  perItem: Record<string, Record<string, number>>,
): Record<string, CategoryResult> | undefined {
  if (!task.categories) return undefined;
  const names = itemMetrics(task.kind).map((m) => m.name);
  const groups = new Map<string, string[]>();
  for (const item of task.items) {
    const category = categoryOf(item, task.categories);
    if (category === undefined) continue;
    groups.set(category, [...(groups.get(category) ?? []), item.id]);
  }
  if (groups.size === 0) return undefined;
  return Object.fromEntries(
    [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([category, ids]) => [category, {
      n: ids.length,
      metrics: Object.fromEntries(names.map((name) => [
        name,
        ids.reduce((s, id) => s + perItem[id][name], 0) / ids.length,
      ])),
    }]),
  );
}

/**
 * Scores one task of one cell from its records (any order; exactly one per item).
 *
 * @example
 * ```ts
 * const result = scoreTask(task, "fp32@cpu", records, { resamples: 1000, seed: 0 });
 * result.metrics.accuracy;
 * ```
 */
export function scoreTask(
  task: ScoredTask,
  cell: string,
  records: readonly EvalRecord[],
  bootstrap: BootstrapOptions,
): TaskResult {
  const predictions = new Map(records.map((r) => [r.id, r]));
  const missing = task.items.filter((item) => !predictions.has(item.id));
  if (missing.length > 0 || predictions.size !== task.items.length) {
    throw new InputError(
      `cell ${cell}, task ${task.name}: ${records.length} records for ${task.items.length} items (${missing.length} missing, first ${
        missing.slice(0, 3).map((i) => i.id).join(", ")
      })`,
      "finish the run with --resume",
    );
  }
  const scored = task.kind === "caption"
    ? scoreCaptionTask(task.items, predictions, bootstrap)
    : task.kind === "vqa"
    ? scoreVqaTask(task.items, predictions, bootstrap)
    : task.kind === "mcq"
    ? scoreMcqTask(task.items, predictions, bootstrap, task.categories)
    : scoreRetrievalTask(task.items, task.allItems ?? task.items, predictions, bootstrap);
  const keep = (o: Record<string, unknown>) =>
    Object.fromEntries(task.metrics.filter((k) => k in o).map((k) => [k, o[k]]));
  const categories = breakdown(task, scored.perItem);
  return {
    task: task.name,
    cell,
    kind: task.kind,
    n: task.items.length,
    metrics: keep(scored.metrics) as Record<string, number>,
    ci95: keep(scored.ci95) as Record<string, Interval>,
    ...(categories ? { categories } : {}),
    perItem: scored.perItem,
  };
}

/** Per-item scores that depend on the item alone (`ownCaption`: retrieval's captions of this image). */
export function itemScores(
  item: ManifestItem,
  response: CachedResponse,
  ownCaption: (caption: number) => boolean,
): Record<string, number> {
  switch (item.task) {
    case "vqa":
      return { accuracy: vqaAccuracy(response.prediction as string, item.answers) };
    case "mcq":
      return { correct: response.prediction === item.answer ? 1 : 0 };
    case "caption": {
      const candidate = response.prediction as string;
      const s = scoreCaptions([{ id: item.id, candidate, references: item.references }]).corpus;
      return { bleu4: s.bleu4, rougeL: s.rougeL };
    }
    case "retrieval":
      return { "i2t.rank": bestRank(response.row!, ownCaption) + 1 };
  }
}

/** What scoring needs of a planned task, for `items` (the shard's, or all of them). */
export function scoredTask(planned: PlannedTask, items: readonly ManifestItem[]): ScoredTask {
  const { task } = planned;
  return {
    name: task.name,
    kind: task.kind,
    items,
    allItems: planned.items,
    metrics: task.metrics,
    categories: task.categories,
  };
}
