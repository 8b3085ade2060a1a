/**
 * Test support (tests only): a realistic eval output folder made without the harness engine. It
 * takes the first ShapesBench images (caption, VQA and multiple-choice items), makes fp32@cpu and
 * fp16@cpu outputs with a seeded generator (right or wrong answers; fp16 flips a known set),
 * scores them with the real metrics, and writes what `nanovlm eval` writes: `run.json` (naming a
 * suite file beside it), `summary.json`, `records/<cell>.jsonl` and `results/<cell>/<task>.json`.
 *
 * @module
 */
import {
  bootstrapMean,
  type ConfidenceInterval,
  scoreCaptions,
  seededRandom,
  vqaAccuracy,
} from "../metrics/mod.ts";
import type {
  CategoryResult,
  CellSummary,
  EvalRecord,
  EvalSummary,
  PairedComparison,
  TaskSummary,
} from "../harness/mod.ts";

/** The bundled ShapesBench folder. */
export const SHAPES_DIR: string = decodeURIComponent(
  new URL("../../data/shapesbench", import.meta.url).pathname,
);

/** Options of {@link writeFixtureOutput}. */
export interface FixtureOptions {
  /** ShapesBench images to take (default 3: 3 captions, 40 VQA and 7 MCQ items). */
  images?: number;
  /** Generator seed (default 0). */
  seed?: number;
}

/** What the fixture made, for tests to check against. */
export interface FixtureFacts {
  /** The summary written. */
  summary: EvalSummary;
  /** Records per cell. */
  records: Map<string, EvalRecord[]>;
  /** `<task>/<id>` of the items whose fp16 prediction differs from fp32's. */
  changed: string[];
}

interface ManifestLine {
  id: string;
  task: "caption" | "vqa" | "mcq";
  references?: string[];
  question?: string;
  answers?: string[];
  multiple_choice_answer?: string;
  question_type?: string;
  options?: Record<string, string>;
  answer?: string;
  category?: string;
}

const CELLS = [
  { name: "fp32@cpu", precision: "fp32" as const, tokenMs: 11 },
  { name: "fp16@cpu", precision: "fp16" as const, tokenMs: 17 },
];

function wrongAnswer(item: ManifestLine): string {
  const right = item.multiple_choice_answer!;
  if (right === "yes") return "no";
  if (right === "no") return "yes";
  if (/^\d+$/.test(right)) return String(Number(right) + 1);
  return right === "red" ? "blue" : "red";
}

function predict(item: ManifestLine, right: boolean): string {
  if (item.task === "vqa") return right ? item.multiple_choice_answer! : wrongAnswer(item);
  if (item.task === "mcq") {
    return right ? item.answer! : Object.keys(item.options!).find((l) => l !== item.answer)!;
  }
  return right ? item.references![0].split(" ").slice(0, 6).join(" ") : "a picture of a gray wall";
}

function interval(ci: ConfidenceInterval) {
  return { low: ci.low, high: ci.high };
}

function quantiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}

/** Mean per-item score of `ids` under each metric of `perItem`. */
function categories(
  ids: Map<string, string>,
  perItem: Record<string, Record<string, number>>,
): Record<string, CategoryResult> {
  const groups = new Map<string, string[]>();
  for (const [id, category] of ids) groups.set(category, [...(groups.get(category) ?? []), id]);
  return Object.fromEntries(
    [...groups].sort(([a], [b]) => a.localeCompare(b)).map((
      [category, members],
    ) => {
      const names = Object.keys(perItem[members[0]]);
      return [category, {
        n: members.length,
        metrics: Object.fromEntries(names.map((name) => [
          name,
          members.reduce((s, id) => s + perItem[id][name], 0) / members.length,
        ])),
      }];
    }),
  );
}

/**
 * Writes a two-cell eval output for the first `images` ShapesBench images into `dir`; returns
 * what it wrote.
 *
 * @example
 * ```ts
 * const facts = await writeFixtureOutput(await Deno.makeTempDir());
 * facts.changed; // items fp16 answers differently
 * ```
 */
export async function writeFixtureOutput(
  dir: string,
  { images = 3, seed = 0 }: FixtureOptions = {},
): Promise<FixtureFacts> {
  const imageIds = new Set(Array.from({ length: images }, (_, i) => i));
  const manifest = (await Deno.readTextFile(`${SHAPES_DIR}/manifest.jsonl`))
    .split("\n").filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ManifestLine & { image_id: number })
    .filter((item) => imageIds.has(item.image_id) && item.task !== ("retrieval" as string));
  const random = seededRandom(seed);
  const right32 = manifest.map(() => random() < 0.6);
  const right16 = right32.map((r, i) => (i % 5 === 2 ? !r : r));
  const jitter = manifest.map(() => Array.from({ length: 8 }, () => random()));

  const suiteFile = `${dir}/suite.json`;
  await Deno.writeTextFile(
    suiteFile,
    JSON.stringify({
      name: "shapes-fixture",
      tasks: ["caption", "vqa", "mcq"].map((kind) => ({ name: kind, kind, dataset: SHAPES_DIR })),
    }),
  );
  await Deno.mkdir(`${dir}/records`, { recursive: true });
  const records = new Map<string, EvalRecord[]>();
  const cells: CellSummary[] = [];
  for (const [c, cell] of CELLS.entries()) {
    const rights = c === 0 ? right32 : right16;
    const rows: EvalRecord[] = manifest.map((item, i) => {
      const prediction = predict(item, rights[i]);
      const generated = item.task !== "mcq";
      const tokens = generated ? [...new TextEncoder().encode(prediction)].slice(0, 8) : [];
      const stepMs = tokens.slice(1).map((_, k) => cell.tokenMs * (0.8 + 0.4 * jitter[i][k]));
      const ttftMs = 40 + 10 * jitter[i][0] + 10 * c;
      const scores: Record<string, number> = item.task === "vqa"
        ? { accuracy: vqaAccuracy(prediction, item.answers!) }
        : item.task === "mcq"
        ? { correct: prediction === item.answer ? 1 : 0 }
        : {};
      const options = item.task === "mcq"
        ? Object.keys(item.options!).map((letter, k) => ({
          letter,
          sum: (letter === prediction ? -1 : -3) - jitter[i][k] - 0.05 * c * jitter[i][7 - k],
        }))
        : undefined;
      return {
        id: item.id,
        task: item.task,
        kind: item.task,
        prompt: item.question ?? "Describe the picture.",
        prediction,
        tokens,
        outputHash: prediction.length.toString(16).padStart(16, "0"),
        ...(generated ? { stopReason: "eos" } : { options }),
        scores,
        ...(item.question_type ?? item.category
          ? { category: item.question_type ?? item.category }
          : {}),
        cached: false,
        latency: {
          totalMs: ttftMs + stepMs.reduce((s, v) => s + v, 0) + (generated ? 0 : 30),
          visionMs: 20 + 10 * c,
          visionTiles: 1,
          ...(generated ? { ttftMs, stepMs } : {}),
          batch: 1,
        },
        fingerprint: `${item.id}-${cell.precision}`,
      };
    });
    const perTask = (task: string) => rows.filter((r) => r.task === task);
    const captions = scoreCaptions(
      perTask("caption").map((r) => ({
        id: r.id,
        candidate: r.prediction as string,
        references: manifest.find((m) => m.id === r.id)!.references!,
      })),
      { bootstrap: { resamples: 200, seed } },
    );
    const tasks: Record<string, TaskSummary> = {
      caption: {
        kind: "caption",
        n: perTask("caption").length,
        metrics: { ...captions.corpus },
        ci95: Object.fromEntries(
          Object.entries(captions.intervals!).map(([m, ci]) => [m, interval(ci)]),
        ),
      },
    };
    const perItem: Record<string, Record<string, Record<string, number>>> = {
      caption: Object.fromEntries(
        Object.entries(captions.perItem).map(([id, s]) => [id, { ...s }]),
      ),
    };
    for (const [task, name] of [["vqa", "accuracy"], ["mcq", "correct"]] as const) {
      const scored = perTask(task);
      const ci = bootstrapMean(scored.map((r) => r.scores[name]), { resamples: 200, seed });
      perItem[task] = Object.fromEntries(scored.map((r) => [r.id, { ...r.scores }]));
      tasks[task] = {
        kind: task,
        n: scored.length,
        metrics: { accuracy: ci.estimate },
        ci95: { accuracy: interval(ci) },
        categories: categories(new Map(scored.map((r) => [r.id, r.category!])), perItem[task]),
      };
    }
    for (const [task, scores] of Object.entries(perItem)) {
      await Deno.mkdir(`${dir}/results/${cell.name}`, { recursive: true });
      await Deno.writeTextFile(
        `${dir}/results/${cell.name}/${task}.json`,
        JSON.stringify({ ...tasks[task], task, cell: cell.name, perItem: scores }),
      );
    }
    const steps = rows.flatMap((r) => r.latency!.stepMs ?? []);
    cells.push({
      name: cell.name,
      precision: cell.precision,
      modules: { vision: cell.precision, projector: cell.precision, decoder: cell.precision },
      device: "cpu",
      records: `records/${cell.name}.jsonl`,
      tasks,
      perf: {
        loadMs: 900 + 300 * c,
        visionMs: 20 + 10 * c,
        ttftMs: quantiles(rows.flatMap((r) => r.latency!.ttftMs ?? [])),
        decodeTokPerS: 1000 / cell.tokenMs,
        perTokenMs: quantiles(steps),
        itemMs: quantiles(rows.map((r) => r.latency!.totalMs)),
        peakRssMb: 310 + 40 * c,
        measuredItems: rows.length,
      },
      cache: { hits: 0, misses: rows.length },
      machine: {
        cores: 2,
        threads: null,
        onnxruntime: "1.30.0",
        provider: "cpu",
        cpu: "fixture CPU",
        os: "linux x86_64",
        deno: "2.9.6",
      },
    });
    records.set(cell.name, rows);
    await Deno.writeTextFile(
      `${dir}/records/${cell.name}.jsonl`,
      rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
    );
  }
  const comparisons: PairedComparison[] = ["vqa", "mcq"].map((task) => {
    const a = records.get("fp32@cpu")!.filter((r) => r.task === task);
    const b = records.get("fp16@cpu")!.filter((r) => r.task === task);
    const name = task === "vqa" ? "accuracy" : "correct";
    const diffs = a.map((r, i) => b[i].scores[name] - r.scores[name]);
    const ci = bootstrapMean(diffs, { resamples: 200, seed });
    return {
      task,
      metric: name,
      a: "fp32@cpu",
      b: "fp16@cpu",
      n: diffs.length,
      meanDiff: ci.estimate,
      ci95: interval(ci),
    };
  });
  const summary: EvalSummary = {
    suite: "shapes-fixture",
    harnessVersion: "1",
    model: {
      path: "synthetic/tiny-current",
      sha256: "0".repeat(64),
      configSha256: "1".repeat(64),
      tokenizer: { path: "byte-level", sha256: "2".repeat(64) },
    },
    shard: null,
    cells,
    comparisons,
  };
  await Deno.writeTextFile(`${dir}/summary.json`, JSON.stringify(summary, null, 2));
  await Deno.writeTextFile(
    `${dir}/run.json`,
    JSON.stringify({
      harnessVersion: "1",
      suite: summary.suite,
      suiteSource: suiteFile,
      adhoc: false,
    }),
  );
  const changed = manifest.filter((_, i) => i % 5 === 2).map((item) => `${item.task}/${item.id}`);
  return { summary, records, changed };
}
