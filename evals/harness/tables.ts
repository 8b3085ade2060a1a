/**
 * The run as nodejs-polars DataFrames (one row per cell × task × metric, per cell's performance,
 * per item, per category, per comparison), each with the cell's machine in every row, and their
 * Parquet and CSV files beside the JSON (`DIR/tables/<name>.parquet|csv`).
 *
 * @module
 */
import pl from "nodejs-polars";
import { writeAtomically } from "../../src/mod.ts";
import type { SummaryWithDetails } from "./summary.ts";
import type { CellSummary, MachineInfo } from "./types.ts";

/** The tables of a run. */
export interface EvalTables {
  /** `cell, precision, device, task, kind, n, metric, value, low, high` + machine. */
  metrics: pl.DataFrame;
  /** `cell, precision, device, loadMs, visionMs, ttftP50…, decodeTokPerS, perTokenP50…, peakRssMb, cacheHits, cacheMisses` + machine. */
  perf: pl.DataFrame;
  /** `cell, task, kind, id, prediction, outputHash, cached, totalMs, ttftMs, category, score.<name>…`. */
  items: pl.DataFrame;
  /** `cell, task, category, n, metric, value`. */
  categories: pl.DataFrame;
  /** `task, metric, a, b, n, meanDiff, low, high, mcnemarP`. */
  comparisons: pl.DataFrame;
}

function machineColumns(cell: CellSummary): Record<string, string | number | null> {
  const m: Partial<MachineInfo> = cell.machine ?? {};
  return {
    cores: m.cores ?? navigator.hardwareConcurrency,
    threads: m.threads ?? null,
    onnxruntime: m.onnxruntime ?? null,
    provider: m.provider ?? null,
    cpu: m.cpu ?? null,
  };
}

function frame(rows: Record<string, unknown>[], columns: string[]): pl.DataFrame {
  if (rows.length === 0) return pl.DataFrame(Object.fromEntries(columns.map((c) => [c, []])));
  // Every row gets every column, so polars infers one schema.
  const all = [...new Set([...columns, ...rows.flatMap((r) => Object.keys(r))])];
  return pl.DataFrame(rows.map((r) => Object.fromEntries(all.map((c) => [c, r[c] ?? null]))));
}

/**
 * The tables of a summary and its records.
 *
 * @example
 * ```ts
 * const tables = evalTables(await runEval(options));
 * tables.metrics.filter(pl.col("metric").eq(pl.lit("accuracy"))).toRecords();
 * ```
 */
export function evalTables({ summary, results, records }: SummaryWithDetails): EvalTables {
  const metrics: Record<string, unknown>[] = [];
  const perf: Record<string, unknown>[] = [];
  const items: Record<string, unknown>[] = [];
  const categories: Record<string, unknown>[] = [];
  for (const cell of summary.cells) {
    const base = { cell: cell.name, precision: cell.precision, device: cell.device };
    for (const [task, t] of Object.entries(cell.tasks)) {
      for (const [metric, value] of Object.entries(t.metrics)) {
        metrics.push({
          ...base,
          task,
          kind: t.kind,
          n: t.n,
          metric,
          value,
          low: t.ci95[metric]?.low ?? null,
          high: t.ci95[metric]?.high ?? null,
          ...machineColumns(cell),
        });
      }
      for (const [category, c] of Object.entries(t.categories ?? {})) {
        for (const [metric, value] of Object.entries(c.metrics)) {
          categories.push({ cell: cell.name, task, category, n: c.n, metric, value });
        }
      }
    }
    const p = cell.perf;
    perf.push({
      ...base,
      loadMs: p.loadMs,
      visionMs: p.visionMs,
      ttftP50: p.ttftMs?.p50 ?? null,
      ttftP90: p.ttftMs?.p90 ?? null,
      ttftP99: p.ttftMs?.p99 ?? null,
      decodeTokPerS: p.decodeTokPerS,
      perTokenP50: p.perTokenMs?.p50 ?? null,
      perTokenP90: p.perTokenMs?.p90 ?? null,
      perTokenP99: p.perTokenMs?.p99 ?? null,
      itemP50: p.itemMs?.p50 ?? null,
      peakRssMb: p.peakRssMb,
      measuredItems: p.measuredItems,
      cacheHits: cell.cache.hits,
      cacheMisses: cell.cache.misses,
      ...machineColumns(cell),
    });
    for (const r of records[cell.name] ?? []) {
      const scores = results[cell.name]?.[r.task]?.perItem[r.id] ?? r.scores;
      items.push({
        cell: cell.name,
        task: r.task,
        kind: r.kind,
        id: r.id,
        prediction: typeof r.prediction === "string" ? r.prediction : r.prediction.join(" "),
        outputHash: r.outputHash,
        cached: r.cached,
        totalMs: r.latency?.totalMs ?? null,
        ttftMs: r.latency?.ttftMs ?? null,
        category: r.category ?? null,
        ...Object.fromEntries(Object.entries(scores).map(([k, v]) => [`score.${k}`, v])),
      });
    }
  }
  const comparisons = summary.comparisons.map((c) => ({
    task: c.task,
    metric: c.metric,
    a: c.a,
    b: c.b,
    n: c.n,
    meanDiff: c.meanDiff,
    low: c.ci95.low,
    high: c.ci95.high,
    mcnemarP: c.mcnemar?.pValue ?? null,
  }));
  return {
    metrics: frame(metrics, ["cell", "task", "metric", "value"]),
    perf: frame(perf, ["cell"]),
    items: frame(items, ["cell", "task", "id", "prediction"]),
    categories: frame(categories, ["cell", "task", "category", "metric", "value"]),
    comparisons: frame(comparisons, ["task", "metric", "a", "b", "meanDiff"]),
  };
}

/** Writes every table as `out/tables/<name>.parquet` and `.csv` (atomically). */
export async function writeTables(out: string, details: SummaryWithDetails): Promise<EvalTables> {
  const tables = evalTables(details);
  await Deno.mkdir(`${out}/tables`, { recursive: true });
  for (const [name, df] of Object.entries(tables) as [string, pl.DataFrame][]) {
    await writeAtomically(`${out}/tables/${name}.parquet`, async (temp) => {
      await Deno.writeFile(temp, new Uint8Array(df.writeParquet()));
    });
    await writeAtomically(`${out}/tables/${name}.csv`, async (temp) => {
      await Deno.writeFile(temp, new Uint8Array(df.writeCSV()));
    });
  }
  return tables;
}
