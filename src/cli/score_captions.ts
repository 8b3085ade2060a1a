/**
 * `nanovlm score captions`: BLEU-1..4, CIDEr-D and ROUGE-L of COCO-format caption results,
 * equal to pycocoevalcap.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { CAPTION_METRICS, scoreCaptions } from "../../evals/metrics/mod.ts";
import { choiceOption, flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { pairPredictions, readCaptionPredictions, readCaptionReferences } from "./score_inputs.ts";
import {
  BOOTSTRAP_HELP,
  BOOTSTRAP_OPTIONS,
  bootstrapFromArgs,
  fixed,
  formatTable,
} from "./score_output.ts";

const NAME = "score captions";

/** The `score captions` command. */
export const scoreCaptionsCommand: Command = {
  name: NAME,
  summary: "BLEU-1..4, CIDEr-D, ROUGE-L of caption results (pycocoevalcap-equal)",
  help:
    `usage: deno task nanovlm score captions --refs <file|folder> --preds <results.json> [options]

Scores one predicted caption per image against the reference captions exactly as pycocoevalcap
(COCOEvalCap) does: BLEU-1..4 (corpus from summed statistics, as reported by pycocoevalcap),
CIDEr-D (0-10 scale; document frequencies from the references of the scored images), ROUGE-L.

options:
  --refs <path>        COCO captions annotations JSON ({"annotations": [{image_id, caption}]}),
                       or a dataset folder (or its manifest.jsonl): its caption items
  --preds <path>       COCO results JSON: [{"image_id": ..., "caption": "..."}], one per image;
                       or, with a dataset as --refs, per-item predictions as JSONL
                       ({"id": "<item id>", "prediction": "..."} lines, e.g. eval records)
  --tokenize ptb|none  ptb (default): PTB-style tokenization like pycocoevalcap's Java
                       PTBTokenizer; none: text is already tokenized (scored as given)
  --subset             score only the images that have predictions (CIDEr-D then differs from
                       the full-split value); without it every reference image needs a prediction
${BOOTSTRAP_HELP}
  --json               print {"corpus": {...}, "perItem": {"<image_id>": {...}}} instead of a table

examples:
  deno task nanovlm score captions --refs captions_val2014.json --preds results.json
  deno task nanovlm score captions --refs data/shapesbench --preds records.jsonl --json`,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs(NAME, args, {
      refs: { type: "string" },
      preds: { type: "string" },
      tokenize: { type: "string" },
      subset: { type: "boolean" },
      json: { type: "boolean" },
      ...BOOTSTRAP_OPTIONS,
    });
    const refsPath = stringOption(parsed, "refs");
    const predsPath = stringOption(parsed, "preds");
    if (!refsPath || !predsPath) {
      throw new InputError(`${NAME}: --refs and --preds are required`, `see \`${NAME} --help\``);
    }
    const tokenize = choiceOption(parsed, "tokenize", ["ptb", "none"] as const) ?? "ptb";
    const bootstrap = bootstrapFromArgs(parsed);
    const { refs, dataset } = await readCaptionReferences(refsPath);
    const pairs = pairPredictions(
      refs,
      await readCaptionPredictions(predsPath, dataset),
      {
        what: "image",
        referencesFile: refsPath,
        predictionsFile: predsPath,
        subset: flag(parsed, "subset"),
      },
    );
    const result = scoreCaptions(
      pairs.map(({ id, prediction, reference }) => ({
        id,
        candidate: prediction,
        references: reference,
      })),
      { tokenize, bootstrap },
    );
    if (flag(parsed, "json")) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    const header = ["metric", "corpus", ...(result.intervals ? ["95% low", "95% high"] : [])];
    const rows = CAPTION_METRICS.map((name) => [
      name,
      fixed(result.corpus[name]),
      ...(result.intervals
        ? [fixed(result.intervals[name].low), fixed(result.intervals[name].high)]
        : []),
    ]);
    console.log(
      `${pairs.length} images, tokenize=${tokenize} (BLEU/ROUGE-L 0-1, CIDEr-D 0-10)\n${
        formatTable([header, ...rows])
      }`,
    );
    return 0;
  },
};
