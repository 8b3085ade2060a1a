/**
 * `nanovlm score vqa`: VQA v2 accuracy of VQA-format results (official script or lmms-eval).
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { DEFAULT_VQA_MODE, scoreVqa } from "../../evals/metrics/mod.ts";
import { choiceOption, flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { pairPredictions, readVqaPredictions, readVqaReferences } from "./score_inputs.ts";
import {
  BOOTSTRAP_HELP,
  BOOTSTRAP_OPTIONS,
  bootstrapFromArgs,
  fixed,
  formatTable,
} from "./score_output.ts";

const NAME = "score vqa";

/** The `score vqa` command. */
export const scoreVqaCommand: Command = {
  name: NAME,
  summary: "VQA v2 accuracy (10-choose-9 average, official normalisation)",
  help:
    `usage: deno task nanovlm score vqa --annotations <annotations.json> --preds <results.json> [options]

VQA accuracy per question = mean over the leave-one-out subsets of the human answers of
min(1, matching answers / 3), after the official answer normalisation (punctuation, number words,
articles, contractions). Scores are on a 0-1 scale (papers report x 100).

options:
  --annotations <path>      VQA v2 annotations JSON: {"annotations": [{question_id, answers:
                            [{answer}] or ["..."], answer_type}]}, or a dataset folder (or its
                            manifest.jsonl): its vqa items
  --preds <path>            VQA results JSON: [{"question_id": ..., "answer": "..."}]; or, with
                            a dataset, per-item predictions as JSONL ({"id", "prediction"} lines)
  --identical official|lmms how to treat questions whose human answers are all identical:
                            lmms (default, lmms-eval, what nanoVLM reports): always normalise;
                            official (GT-Vision-Lab vqaEval.py): compare raw text there, so "Yes"
                            scores 0 against ten "yes"
  --subset                  score only the questions that have predictions
${BOOTSTRAP_HELP}
  --json                    print {"accuracy", "perItem": {"<question_id>": number}, ...}

examples:
  deno task nanovlm score vqa --annotations v2_mscoco_val2014_annotations.json --preds results.json
  deno task nanovlm score vqa --annotations data/shapesbench --preds records.jsonl`,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs(NAME, args, {
      annotations: { type: "string" },
      preds: { type: "string" },
      identical: { type: "string" },
      subset: { type: "boolean" },
      json: { type: "boolean" },
      ...BOOTSTRAP_OPTIONS,
    });
    const annotationsPath = stringOption(parsed, "annotations");
    const predsPath = stringOption(parsed, "preds");
    if (!annotationsPath || !predsPath) {
      throw new InputError(
        `${NAME}: --annotations and --preds are required`,
        `see \`${NAME} --help\``,
      );
    }
    const mode = choiceOption(parsed, "identical", ["official", "lmms"] as const) ??
      DEFAULT_VQA_MODE;
    const { refs, dataset } = await readVqaReferences(annotationsPath);
    const pairs = pairPredictions(
      refs,
      await readVqaPredictions(predsPath, dataset),
      {
        what: "question",
        referencesFile: annotationsPath,
        predictionsFile: predsPath,
        subset: flag(parsed, "subset"),
      },
    );
    const result = scoreVqa(
      pairs.map(({ id, prediction, reference }) => ({ id, prediction, ...reference })),
      { mode, bootstrap: bootstrapFromArgs(parsed) },
    );
    if (flag(parsed, "json")) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    const interval = result.interval;
    const rows = [
      ["overall", String(pairs.length), fixed(result.accuracy)],
      ...Object.entries(result.perAnswerType).map(([type, accuracy]) => [
        type,
        String(pairs.filter((p) => p.reference.answerType === type).length),
        fixed(accuracy),
      ]),
    ];
    console.log(
      `VQA accuracy (0-1), identical-answers mode: ${mode}${
        interval ? `, 95% interval [${fixed(interval.low)}, ${fixed(interval.high)}]` : ""
      }\n${formatTable([["answer type", "questions", "accuracy"], ...rows])}`,
    );
    return 0;
  },
};
