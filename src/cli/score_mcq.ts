/**
 * `nanovlm score mcq`: multiple-choice accuracy of per-item predictions against a dataset's mcq
 * items, with the strict letter extraction lmms-eval uses.
 *
 * @module
 */
import { loadDataset, type McqItem } from "../../evals/datasets/mod.ts";
import { scoreMcq } from "../../evals/metrics/mod.ts";
import { InputError } from "../errors.ts";
import { flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { readItemPredictions } from "./score_inputs.ts";
import {
  BOOTSTRAP_HELP,
  BOOTSTRAP_OPTIONS,
  bootstrapFromArgs,
  fixed,
  formatTable,
} from "./score_output.ts";

const NAME = "score mcq";

/** The `score mcq` command. */
export const scoreMcqCommand: Command = {
  name: NAME,
  summary: "multiple-choice accuracy (strict letter extraction), overall and per category",
  help: `usage: deno task nanovlm score mcq --dataset <dir> --preds <predictions.jsonl> [options]

Scores each mcq item of the dataset: the letter is extracted strictly from the prediction (a bare
letter, "(B)", "B.", "Answer: B", ...; nothing found counts as wrong) and compared with the item's
answer. Accuracy is on a 0-1 scale, overall (micro) and per category, with the macro average over
categories (MMStar's headline figure).

options:
  --dataset <dir>      a dataset folder (or its manifest.jsonl) with mcq items
  --preds <path>       per-item predictions, JSONL: {"id": "<item id>", "prediction": "B"} lines
                       (the raw output or the chosen letter; eval records work as they are; lines
                       of other tasks are skipped)
  --subset             score only the items that have predictions
${BOOTSTRAP_HELP}
  --json               print {"accuracy", "macroAccuracy", "perCategory", "perItem"}

example:
  deno task nanovlm score mcq --dataset data/shapesbench --preds records.jsonl`,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs(NAME, args, {
      dataset: { type: "string" },
      preds: { type: "string" },
      subset: { type: "boolean" },
      json: { type: "boolean" },
      ...BOOTSTRAP_OPTIONS,
    });
    let datasetPath = stringOption(parsed, "dataset");
    const predsPath = stringOption(parsed, "preds");
    if (!datasetPath || !predsPath) {
      throw new InputError(`${NAME}: --dataset and --preds are required`, `see \`${NAME} --help\``);
    }
    if (datasetPath.endsWith("manifest.jsonl")) {
      datasetPath = datasetPath.slice(0, -"manifest.jsonl".length) || ".";
    }
    const dataset = await loadDataset(datasetPath, { checkImages: false });
    const items = dataset.items.filter((item): item is McqItem => item.task === "mcq");
    if (items.length === 0) {
      throw new InputError(`${datasetPath} holds no mcq items`, "score a dataset with mcq items");
    }
    const predictions = new Map(
      (await readItemPredictions(predsPath, dataset, "mcq")).map((p) => [p.id, p.prediction]),
    );
    const missing = items.filter((item) => !predictions.has(item.id));
    if (missing.length > 0 && !flag(parsed, "subset")) {
      throw new InputError(
        `${predsPath}: no prediction for ${missing.length} mcq item(s) of ${datasetPath} (first: ${
          missing.slice(0, 3).map((item) => item.id).join(", ")
        })`,
        "predict every item, or pass --subset to score only the predicted ones",
      );
    }
    const scored = items.filter((item) => predictions.has(item.id));
    const result = scoreMcq(
      scored.map((item) => ({
        id: item.id,
        output: predictions.get(item.id)!,
        answer: item.answer,
        ...(item.options ? { choices: Object.keys(item.options) } : {}),
        ...(item.category ? { category: item.category } : {}),
      })),
      { bootstrap: bootstrapFromArgs(parsed) },
    );
    if (flag(parsed, "json")) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    const count = (category: string) =>
      scored.filter((i) => (i.category ?? "") === category).length;
    const interval = result.interval;
    console.log(
      `${scored.length} items: accuracy ${fixed(result.accuracy)}, macro ${
        fixed(result.macroAccuracy)
      }${interval ? ` (95% interval [${fixed(interval.low)}, ${fixed(interval.high)}])` : ""}\n${
        formatTable([
          ["category", "items", "accuracy"],
          ...Object.entries(result.perCategory).map(([name, accuracy]) => [
            name || "(none)",
            String(count(name)),
            fixed(accuracy),
          ]),
        ])
      }`,
    );
    return 0;
  },
};
