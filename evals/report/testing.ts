/**
 * Test support (tests only): a realistic eval output folder without the harness engine. It takes
 * the first ShapesBench images (caption, VQA and MCQ items), makes fp32@cpu and fp16@cpu
 * predictions from a seeded generator (right or wrong answers, fp16 changing a known few), scores
 * them with the real metrics, and writes `summary.json` and `records/<cell>.jsonl` as issue 10 §7
 * lays them out, with latency fields and token log-probabilities.
 *
 * @module
 */
import { bootstrapMean, scoreCaptions, seededRandom, vqaAccuracy } from "../metrics/mod.ts";
import type { CellSummary, EvalRecord, EvalSummary } from "./types.ts";

/** The bundled ShapesBench folder. */
export const SHAPES_DIR: string = decodeURIComponent(
  new URL("../../data/shapesbench", import.meta.url).pathname,
);

/** Options of {@link writeFixtureOutput}. */
export interface FixtureOptions {
  /** ShapesBench images to take (default 3: 3 captions, 15 VQA and 6 MCQ items). */
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
  /** `task/id` of the items whose fp16 prediction differs from fp32's. */
  changed: string[];
}

interface ManifestLine {
  id: string;
  task: string;
  image: string;
  image_id: number;
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
  { name: "fp32@cpu", precision: "fp32", device: "cpu", tokenMs: 11 },
  { name: "fp16@cpu", precision: "fp16", device: "cpu", tokenMs: 17 },
] as const;

function wrongAnswer(item: ManifestLine): string {
  const right = item.multiple_choice_answer!;
  if (right === "yes") return "no";
  if (right === "no") return "yes";
  if (/^\d+$/.test(right)) return String(Number(right) + 1);
  return right === "red" ? "blue" : "red";
}

function wrongLetter(item: ManifestLine): string {
  return Object.keys(item.options!).find((letter) => letter !== item.answer)!;
}

/** The prediction of an item, right or wrong. */
function predict(item: ManifestLine, right: boolean): string {
  if (item.task === "vqa") return right ? item.multiple_choice_answer! : wrongAnswer(item);
  if (item.task === "mcq") return right ? item.answer! : wrongLetter(item);
  const words = item.references![0].split(" ");
  return right ? words.slice(0, 6).join(" ") : "a picture of a gray wall";
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
  const manifest = (await Deno.readTextFile(`${SHAPES_DIR}/manifest.jsonl`))
    .split("\n").filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ManifestLine)
    .filter((item) => item.image_id < images && item.task !== "retrieval");
  const random = seededRandom(seed);
  const right32 = manifest.map(() => random() < 0.6);
  // fp16 flips every fifth item's correctness: a known set of changed items.
  const right16 = right32.map((r, i) => (i % 5 === 2 ? !r : r));
  const jitter = manifest.map(() => Array.from({ length: 8 }, () => random()));
  const changed = manifest.filter((_, i) => i % 5 === 2).map((item) => `${item.task}/${item.id}`);

  await Deno.mkdir(`${dir}/records`, { recursive: true });
  const records = new Map<string, EvalRecord[]>();
  const cells: CellSummary[] = [];
  for (const [c, cell] of CELLS.entries()) {
    const rights = c === 0 ? right32 : right16;
    const rows: EvalRecord[] = manifest.map((item, i) => {
      const prediction = predict(item, rights[i]);
      const tokens = [...new TextEncoder().encode(prediction)].slice(0, 8);
      const tokenMs = tokens.slice(1).map((_, k) => cell.tokenMs * (0.8 + 0.4 * jitter[i][k]));
      const ttftMs = 40 + 10 * jitter[i][0] + 10 * c;
      const logprobs = tokens.map((_, k) => -0.2 - jitter[i][k] - 0.02 * c * jitter[i][7 - k]);
      const scores = item.task === "vqa"
        ? { accuracy: vqaAccuracy(prediction, item.answers!) }
        : item.task === "mcq"
        ? { accuracy: prediction === item.answer ? 1 : 0 }
        : undefined;
      return {
        id: item.id,
        task: item.task,
        prediction,
        prompt: item.question ?? "Describe the picture.",
        tokens,
        logprobs,
        ...(scores ? { scores } : {}),
        latency: { ttftMs, tokenMs, totalMs: ttftMs + tokenMs.reduce((s, v) => s + v, 0) },
        image: `${SHAPES_DIR}/${item.image}`,
        references: item.references ?? item.answers?.slice(0, 3) ??
          [`${item.answer}: ${item.options![item.answer!]}`],
        ...(item.question ? { question: item.question } : {}),
        ...(item.question_type ?? item.category
          ? { category: item.question_type ?? item.category }
          : {}),
      };
    });
    const captions = scoreCaptions(
      rows.filter((r) => r.task === "caption").map((r) => ({
        id: r.id,
        candidate: r.prediction as string,
        references: r.references!,
      })),
      { bootstrap: { resamples: 200, seed } },
    );
    for (const row of rows) {
      if (row.task === "caption") row.scores = { ...captions.perItem[row.id] };
    }
    const meanTask = (task: string) => {
      const scores = rows.filter((r) => r.task === task).map((r) => r.scores!.accuracy);
      const ci = bootstrapMean(scores, { resamples: 200, seed });
      return {
        kind: task,
        n: scores.length,
        metrics: { accuracy: ci.estimate },
        ci95: { accuracy: [ci.low, ci.high] as [number, number] },
      };
    };
    const allTokenMs = rows.flatMap((r) => r.latency!.tokenMs!).sort((a, b) => a - b);
    const q = (p: number) =>
      allTokenMs[Math.min(allTokenMs.length - 1, Math.floor(p * allTokenMs.length))];
    cells.push({
      name: cell.name,
      precision: cell.precision,
      device: cell.device,
      tasks: {
        "shapes-caption": {
          kind: "caption",
          n: rows.filter((r) => r.task === "caption").length,
          metrics: { ...captions.corpus },
          ci95: Object.fromEntries(
            Object.entries(captions.intervals!).map(([m, ci]) => [m, [ci.low, ci.high]]),
          ),
        },
        "shapes-vqa": meanTask("vqa"),
        "shapes-mcq": meanTask("mcq"),
      },
      perf: {
        loadMs: 900 + 300 * c,
        visionMs: 35 + 15 * c,
        ttftMs: { p50: 45 + 10 * c, p90: 49 + 10 * c, p99: 50 + 10 * c },
        tokenMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99) },
        decodeTokPerS: 1000 / cell.tokenMs,
        peakRssMb: 310 + 40 * c,
      },
      cache: { hits: 0, misses: rows.length },
    });
    // Task names in records are the summary's task names.
    for (const row of rows) row.task = `shapes-${row.task}`;
    records.set(cell.name, rows);
    await Deno.writeTextFile(
      `${dir}/records/${cell.name}.jsonl`,
      rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
    );
  }
  const summary: EvalSummary = {
    suite: "shapes",
    model: { path: "synthetic/tiny-current", sha256: "0".repeat(64) },
    cells,
  };
  await Deno.writeTextFile(`${dir}/summary.json`, JSON.stringify(summary, null, 2));
  return { summary, records, changed: changed.map((key) => `shapes-${key}`) };
}
