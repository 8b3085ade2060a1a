/**
 * `nanovlm finetune --model D --tokenizer T --dataset F --out D2 [...]`: fine-tunes a checkpoint
 * on a manifest dataset's VQA answers or captions (the head, the projector, the last k decoder
 * blocks or everything), with a progress line, a validation split and early stopping, and writes
 * the result as a new checkpoint folder.
 *
 * @module
 */
import { init } from "@jax-js/jax";
import { loadDataset } from "../../evals/datasets/mod.ts";
import { InputError } from "../errors.ts";
import { loadConfig } from "../checkpoint/mod.ts";
import { loadTokenizer, PROMPT_DEFAULTS } from "../pipeline/mod.ts";
import { finetune, type FinetuneExample, type TrainPart } from "../train/mod.ts";
import {
  choiceOption,
  flag,
  integerOption,
  numberOption,
  parseCommandArgs,
  stringOption,
} from "./args.ts";
import type { Command } from "./command.ts";

/** The `finetune` command. */
export const finetuneCommand: Command = {
  name: "finetune",
  summary: "fine-tune the head, projector, last decoder blocks or all of a checkpoint on a dataset",
  help:
    `usage: deno task nanovlm finetune --model <dir> --tokenizer <path> --dataset <dir> --out <dir> [options]

Trains with Adam on the dataset's VQA answers (--task vqa) or first reference captions
(--task caption), holding out a seeded validation split; stops early when the validation loss
has not improved for --patience epochs and writes the best parameters as a new checkpoint
folder in the original layout (frozen tensors copied unchanged), with finetune_log.json and
loss.svg beside them. An interrupted run continues with --resume (state in <out>.resume/).

options:
  --model <dir>          checkpoint folder (v0.1 or v0.2); required
  --tokenizer <path>     tokenizer.json or its folder; required
  --dataset <dir>        manifest dataset folder (dataset.json + manifest.jsonl); required
  --out <dir>            output checkpoint folder; must not exist; required
  --task vqa|caption     which items to learn (default vqa)
  --train <part>         head | projector | decoder-last-k | all (default head)
  --last-k <n>           decoder blocks for decoder-last-k (default 1)
  --epochs <n>           most epochs (default 10)
  --lr <x>               learning rate (default 1e-3)
  --batch <n>            batch size (default 8)
  --val-split <x>        held-out share for validation (default 0.2)
  --patience <n>         epochs without improvement before stopping (default 3)
  --limit <n>            use only the first n items
  --seed <n>             split and order seed (default 0)
  --resume               continue an interrupted run with the same --out
  -h, --help             show this help

example:
  deno task nanovlm finetune --model data/models/shapes-nano --tokenizer data/models/shapes-nano \\
    --dataset data/shapesbench --train head --epochs 3 --out /tmp/shapes-tuned`,
  async run(args) {
    const parsed = parseCommandArgs("finetune", args, {
      model: { type: "string" },
      tokenizer: { type: "string" },
      dataset: { type: "string" },
      out: { type: "string" },
      task: { type: "string" },
      train: { type: "string" },
      "last-k": { type: "string" },
      epochs: { type: "string" },
      lr: { type: "string" },
      batch: { type: "string" },
      "val-split": { type: "string" },
      patience: { type: "string" },
      limit: { type: "string" },
      seed: { type: "string" },
      resume: { type: "boolean" },
    });
    const required = (name: string) => {
      const value = stringOption(parsed, name);
      if (!value) {
        throw new InputError(
          `finetune: --${name} is required`,
          "run `deno task nanovlm finetune --help`",
        );
      }
      return value;
    };
    const model = required("model"), tokenizerPath = required("tokenizer");
    const datasetDir = required("dataset"), out = required("out");
    const task = choiceOption(parsed, "task", ["vqa", "caption"] as const) ?? "vqa";
    const train =
      (choiceOption(parsed, "train", ["head", "projector", "decoder-last-k", "all"] as const) ??
        "head") as TrainPart;
    const { config } = await loadConfig(model);
    const tokenizer = await loadTokenizer(tokenizerPath, config);
    const dataset = await loadDataset(datasetDir);
    const limit = integerOption(parsed, "limit", { min: 1 });
    const examples: FinetuneExample[] = [];
    for (const item of dataset.items) {
      if (limit !== undefined && examples.length >= limit) break;
      const image = `${dataset.dir}/${item.image}`;
      if (task === "vqa" && item.task === "vqa") {
        const answer = item.multiple_choice_answer ?? item.answers[0];
        if (answer) examples.push({ image, question: item.question, answer });
      } else if (task === "caption" && item.task === "caption") {
        examples.push({
          image,
          question: PROMPT_DEFAULTS[config.generation].caption,
          answer: item.references[0],
        });
      }
    }
    await init("wasm");
    const started = performance.now();
    const result = await finetune(model, tokenizer, examples, out, {
      train,
      lastK: integerOption(parsed, "last-k", { min: 1 }),
      epochs: integerOption(parsed, "epochs", { min: 1 }),
      lr: numberOption(parsed, "lr"),
      batch: integerOption(parsed, "batch", { min: 1 }),
      valSplit: numberOption(parsed, "val-split"),
      patience: integerOption(parsed, "patience", { min: 1 }),
      seed: integerOption(parsed, "seed", { min: 0 }),
      resume: flag(parsed, "resume"),
      onProgress(p) {
        const elapsed = (performance.now() - started) / 1000;
        const eta = p.step > 0 ? elapsed / p.step * (p.steps - p.step) : 0;
        const width = 24, done = Math.round(width * p.step / p.steps);
        const bar = "#".repeat(done) + "-".repeat(width - done);
        const val = p.validation
          ? `  val loss ${p.validation.loss.toFixed(4)} acc ${
            (100 * p.validation.accuracy).toFixed(1)
          }%`
          : "";
        const line =
          `[${bar}] ${p.step}/${p.steps} epoch ${p.epoch + 1} loss ${p.loss.toFixed(4)} ` +
          `${p.samplesPerSecond.toFixed(1)} samples/s ETA ${eta.toFixed(0)}s${val}`;
        if (p.validation) console.error(`\r${line}`);
        else Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}`));
      },
    });
    console.log(
      `wrote ${result.out}: ${result.steps} steps, trained ${result.trained.length} tensor(s); ` +
        `validation accuracy ${(100 * result.accuracyBefore).toFixed(1)}% -> ${
          (100 * result.accuracyAfter).toFixed(1)
        }%`,
    );
    return 0;
  },
};
