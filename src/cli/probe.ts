/**
 * `nanovlm probe --model D --tokenizer T --dataset F --question-type Q --out head.json`: the
 * feature-extractor path. Frozen `embed` features (vision, projector or decoder pooling) of a
 * manifest's VQA items of one question type, a trained linear head over their answers, its
 * validation accuracy and confusion table; the head is saved as JSON for `applyProbe`.
 *
 * @module
 */
import { init } from "@jax-js/jax";
import { loadDataset } from "../../evals/datasets/mod.ts";
import { InputError } from "../errors.ts";
import { embed, type EmbedPool, type EmbedSource, NanoVLM } from "../pipeline/mod.ts";
import { saveProbe, trainProbe } from "../train/mod.ts";
import {
  choiceOption,
  integerOption,
  numberOption,
  parseCommandArgs,
  stringOption,
} from "./args.ts";
import type { Command } from "./command.ts";

/** The `probe` command. */
export const probeCommand: Command = {
  name: "probe",
  summary: "train a linear head on frozen embed features for a dataset's question type",
  help:
    `usage: deno task nanovlm probe --model <dir> --tokenizer <path> --dataset <dir> --question-type <t> --out <file> [options]

Embeds every VQA item of the question type (e.g. ShapesBench "color", "shape", "count_all"),
trains a softmax head on the features to predict the answer, and prints the validation accuracy
and confusion table. decoder features read the prompt's hidden states (the question is the
prompt), vision/projector features the image alone.

options:
  --model <dir>            checkpoint folder; required
  --tokenizer <path>       tokenizer.json or its folder; required
  --dataset <dir>          manifest dataset folder; required
  --question-type <t>      the items' question_type; required
  --out <file>             where the head is saved (JSON); required
  --source <s>             vision | projector | decoder (default projector)
  --pool <p>               mean | last (default mean)
  --val-split <x>          held-out share (default 0.25)
  --limit <n>              use only the first n items
  --seed <n>               split seed (default 0)
  -h, --help               show this help

example:
  deno task nanovlm probe --model data/models/shapes-nano --tokenizer data/models/shapes-nano \\
    --dataset data/shapesbench --question-type shape --source decoder --pool last --out /tmp/shape.json`,
  async run(args) {
    const parsed = parseCommandArgs("probe", args, {
      model: { type: "string" },
      tokenizer: { type: "string" },
      dataset: { type: "string" },
      "question-type": { type: "string" },
      out: { type: "string" },
      source: { type: "string" },
      pool: { type: "string" },
      "val-split": { type: "string" },
      limit: { type: "string" },
      seed: { type: "string" },
    });
    const required = (name: string) => {
      const value = stringOption(parsed, name);
      if (!value) {
        throw new InputError(
          `probe: --${name} is required`,
          "run `deno task nanovlm probe --help`",
        );
      }
      return value;
    };
    const modelDir = required("model"),
      tokenizer = required("tokenizer"),
      datasetDir = required("dataset");
    const questionType = required("question-type"), out = required("out");
    const source: EmbedSource =
      choiceOption(parsed, "source", ["vision", "projector", "decoder"] as const) ??
        "projector";
    const pool: EmbedPool = choiceOption(parsed, "pool", ["mean", "last"] as const) ?? "mean";
    const limit = integerOption(parsed, "limit", { min: 1 });
    const dataset = await loadDataset(datasetDir);
    const items = dataset.items.filter((i) => i.task === "vqa" && i.question_type === questionType)
      .slice(0, limit);
    if (items.length < 2) {
      throw new InputError(
        `${datasetDir} has ${items.length} VQA item(s) of question type "${questionType}"`,
        "choose a question_type the manifest uses (e.g. color, shape, count_all)",
      );
    }
    const model = await NanoVLM.load(modelDir, {
      tokenizer,
      flavour: source === "projector" ? "fast" : "inspect",
    });
    const features: Float32Array[] = [], labels: string[] = [];
    for (const item of items) {
      if (item.task !== "vqa") continue;
      const image = `${dataset.dir}/${item.image}`;
      const vector =
        (await embed(model, { image }, { source, pool, prompt: item.question })).vector;
      features.push(vector);
      labels.push(item.multiple_choice_answer ?? item.answers[0]);
    }
    await init("wasm");
    const result = await trainProbe(features, labels, {
      valSplit: numberOption(parsed, "val-split"),
      seed: integerOption(parsed, "seed", { min: 0 }),
    });
    await saveProbe(out, result.head);
    const classes = result.head.classes;
    const width = Math.max(6, ...classes.map((c) => c.length));
    console.log(
      `${source}/${pool} features (${
        features[0].length
      } wide) of ${items.length} "${questionType}" items: ` +
        `validation accuracy ${
          (100 * result.accuracy).toFixed(1)
        }% (${result.validationCount} items), ` +
        `train ${(100 * result.trainAccuracy).toFixed(1)}%`,
    );
    console.log(`confusion (rows gold, columns predicted):`);
    console.log(`${"".padEnd(width)} ${classes.map((c) => c.padStart(width)).join(" ")}`);
    result.confusion.forEach((row, i) => {
      console.log(
        `${classes[i].padEnd(width)} ${row.map((n) => String(n).padStart(width)).join(" ")}`,
      );
    });
    console.log(`wrote ${out}`);
    return 0;
  },
};
