/**
 * Evaluates a checkpoint on a ShapesBench split through the toolkit itself (ONNX graphs,
 * onnxruntime, the toolkit's image loading and tokenizer): VQA accuracy per question type
 * (greedy answer, exact match after VQA normalisation), multiple choice by log-likelihood per
 * category, captions (greedy) checked against the scene graph ("names every object's colour and
 * shape") and CIDEr-D against the five references. The JSON report goes to stdout, the check
 * against the targets of issue 12 (shapes_targets.ts) to stderr.
 *
 * ```sh
 * deno run -A evals/train/eval_shapesbench.ts --model data/models/shapes-nano --data data/shapesbench
 * deno run -A evals/train/eval_shapesbench.ts --precision int4   # fp32 (default), fp16, int8, int4 or a mix
 * deno run -A evals/train/eval_shapesbench.ts --data /tmp/sb777 --types count_color_shape,mcq
 * ```
 *
 * @module
 */
import {
  ask,
  caption,
  choose,
  type ModulePrecision,
  NanoVLM,
  parsePrecision,
  type Precision,
} from "../../src/mod.ts";
import { normalizeVqaAnswer, scoreCaptions } from "../metrics/mod.ts";
import type { Scene } from "../datasets/mod.ts";
import { namesEveryObject } from "./shapes_eval.ts";
import { checkTargets, formatTargets } from "./shapes_targets.ts";
import { countFlag, flagValue, runScript } from "./cli_flags.ts";

/** Per-type accuracies and caption figures of one evaluation. */
export interface ShapesbenchReport {
  /** VQA accuracy by `question_type`, plus `yes/no` over every yes/no answer. */
  vqa: Record<string, { correct: number; total: number; accuracy: number }>;
  /** Multiple-choice accuracy by category. */
  mcq: Record<string, { correct: number; total: number; accuracy: number }>;
  /** Share of pictures whose caption names every object's colour and shape (and nothing else). */
  captionNamesEveryObject: number;
  /** Corpus CIDEr-D of the captions. */
  ciderD: number;
  /** A few example captions. */
  examples: { gold: string; got: string }[];
}

type Item = Record<string, unknown> & { task: string; image: string; image_id: number };

/** Counts one answer (`ok` or not) under `key` of `map`, keeping its accuracy current. */
export function tally(map: ShapesbenchReport["vqa"], key: string, ok: boolean): void {
  const entry = map[key] ??= { correct: 0, total: 0, accuracy: 0 };
  entry.total++;
  if (ok) entry.correct++;
  entry.accuracy = entry.correct / entry.total;
}

/** Runs the evaluation of `modelDir` on the manifest dataset folder `dataDir`. */
export async function evaluateShapesbench(
  modelDir: string,
  dataDir: string,
  options: {
    limitImages?: number;
    precision?: Precision | Partial<ModulePrecision>;
    /** Only these VQA question types (and tasks `mcq`, `caption`); default every item. */
    types?: readonly string[];
  } = {},
): Promise<ShapesbenchReport> {
  const model = await NanoVLM.load(modelDir, { tokenizer: modelDir, precision: options.precision });
  const lines = (await Deno.readTextFile(`${dataDir}/manifest.jsonl`)).split("\n").filter((l) => l);
  const items = lines.map((l) => JSON.parse(l) as Item)
    .filter((i) => options.limitImages === undefined || i.image_id < options.limitImages)
    .filter((i) =>
      options.types === undefined ||
      options.types.includes(i.task === "vqa" ? i.question_type as string : i.task)
    );
  if (items.length === 0 && options.types) {
    throw new Error(`no item of ${dataDir} has one of the types ${options.types.join(", ")}`);
  }
  const report: ShapesbenchReport = {
    vqa: {},
    mcq: {},
    captionNamesEveryObject: 0,
    ciderD: 0,
    examples: [],
  };
  const captions: { id: string; candidate: string; references: string[] }[] = [];
  let named = 0;
  for (const item of items) {
    const image = `${dataDir}/${item.image}`;
    if (item.task === "vqa") {
      const { text } = await ask(model, image, item.question as string, { maxNewTokens: 4 });
      const gold = item.multiple_choice_answer as string;
      const ok = normalizeVqaAnswer(text) === normalizeVqaAnswer(gold);
      tally(report.vqa, item.question_type as string, ok);
      if (item.answer_type === "yes/no") tally(report.vqa, "yes/no", ok);
    } else if (item.task === "mcq") {
      const letters = Object.keys(item.options as Record<string, string>);
      const values = letters.map((l) => (item.options as Record<string, string>)[l]);
      const choice = await choose(model, image, item.question as string, values);
      tally(report.mcq, item.category as string, letters[choice.index] === item.answer);
      tally(report.mcq, "all", letters[choice.index] === item.answer);
    } else if (item.task === "caption") {
      const { text } = await caption(model, image, { maxNewTokens: 40 });
      const scene = (item.meta as { scene: Scene }).scene;
      if (namesEveryObject(text, scene)) named++;
      const references = item.references as string[];
      captions.push({ id: String(item.image_id), candidate: text.trim(), references });
      if (report.examples.length < 6) {
        report.examples.push({ gold: references[0], got: text.trim() });
      }
    }
  }
  report.captionNamesEveryObject = captions.length > 0 ? named / captions.length : 0;
  report.ciderD = captions.length > 0 ? scoreCaptions(captions).corpus.ciderD : 0;
  return report;
}

if (import.meta.main) {
  await runScript(async () => {
    const modelDir = flagValue("model") ?? "data/models/shapes-nano";
    const dataDir = flagValue("data") ?? "data/shapesbench";
    const spec = flagValue("precision");
    const types = flagValue("types")?.split(",");
    const report = await evaluateShapesbench(modelDir, dataDir, {
      limitImages: flagValue("limit") === undefined ? undefined : countFlag("limit", 0),
      precision: spec === undefined ? undefined : parsePrecision(spec),
      types,
    });
    console.log(JSON.stringify(report, null, 2));
    // The targets need every type: checked on whole evaluations only.
    if (!types) console.error(formatTargets(checkTargets(report)));
  });
}
