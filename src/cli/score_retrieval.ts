/**
 * `nanovlm score retrieval`: image-text retrieval metrics of a score matrix.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { loadDataset } from "../../evals/datasets/mod.ts";
import { blockCaptionMapping, scoreRetrieval } from "../../evals/metrics/mod.ts";
import { choiceOption, flag, integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { readRetrievalScores } from "./score_inputs.ts";
import { fixed, formatTable } from "./score_output.ts";

const NAME = "score retrieval";

/** The `score retrieval` command. */
export const scoreRetrievalCommand: Command = {
  name: NAME,
  summary: "R@1/5/10, median/mean rank, MRR of an image x caption score matrix",
  help: `usage: deno task nanovlm score retrieval --scores <scores.json | -> [options]

Image-to-text (i2t) and text-to-image (t2i) retrieval from a score matrix S[image][caption]
(higher = better). i2t ranks all captions per image and takes its best caption; t2i ranks all
images per caption. Recalls are percentages, ranks are 1-based (medianRank = floor(median) + 1, as
BLIP/VSE++ report it). Which image each caption belongs to comes from --dataset (its retrieval
items, captions numbered in manifest order), else from captionsPerImage: caption j belongs to image
floor(j / captionsPerImage).

options:
  --scores <path>                  JSON {"scores": [[...], ...], "captionsPerImage"?: k}, as
                                   retrieve --json prints it; - reads standard input
  --captions-per-image <k>         k captions per image, in image order (overrides the file's;
                                   default 1 when the file has none)
  --dataset <dir>                  a dataset folder: rows are its retrieval items, columns their
                                   captions, in manifest order
  --ties pessimistic|optimistic    pessimistic (default): tied wrong items rank ahead
  --json                           print {"i2t": {"R@1","R@5","R@10","medianRank","meanRank",
                                   "mrr"}, "t2i": {...}, "rsum"}

examples:
  deno task nanovlm score retrieval --scores coco5k_scores.json --json
  deno task nanovlm retrieve --model ckpt --tokenizer tok/ --image a.png --image b.png \\
    --text "a dog" --text "a cat" --json | deno task nanovlm score retrieval --scores -`,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs(NAME, args, {
      scores: { type: "string" },
      "captions-per-image": { type: "string" },
      dataset: { type: "string" },
      ties: { type: "string" },
      json: { type: "boolean" },
    });
    const path = stringOption(parsed, "scores");
    if (!path) throw new InputError(`${NAME}: --scores is required`, `see \`${NAME} --help\``);
    const ties = choiceOption(parsed, "ties", ["pessimistic", "optimistic"] as const) ??
      "pessimistic";
    const where = path === "-" ? "standard input" : path;
    const { scores, captionsPerImage } = await readRetrievalScores(path);
    const captions = scores[0].length;
    const datasetDir = stringOption(parsed, "dataset");
    let mapping: number[];
    if (datasetDir) {
      mapping = (await loadDataset(datasetDir, { checkImages: false })).items
        .filter((item) => item.task === "retrieval")
        .flatMap((item, i) => (item as { captions: string[] }).captions.map(() => i));
      const images = new Set(mapping).size;
      if (images !== scores.length || mapping.length !== captions) {
        throw new InputError(
          `${where}: the matrix is ${scores.length} × ${captions} but ${datasetDir} has ${images} ` +
            `retrieval items with ${mapping.length} captions`,
          "score the matrix made on this dataset's retrieval items, in manifest order",
        );
      }
    } else {
      const k = integerOption(parsed, "captions-per-image", { min: 1 }) ?? captionsPerImage ?? 1;
      if (scores.length * k !== captions) {
        throw new InputError(
          `${where}: ${scores.length} images × ${k} captions per image = ${
            scores.length * k
          } captions, but the matrix has ${captions} columns`,
          "give --captions-per-image (captions in image order), or --dataset with the retrieval items",
        );
      }
      mapping = blockCaptionMapping(captions, k);
    }
    const result = scoreRetrieval(scores, mapping, { ties });
    const strip = ({ ranks: _ranks, ...metrics }: typeof result.i2t) => metrics;
    const output = { i2t: strip(result.i2t), t2i: strip(result.t2i), rsum: result.rsum };
    if (flag(parsed, "json")) {
      console.log(JSON.stringify(output, null, 2));
      return 0;
    }
    const keys = ["R@1", "R@5", "R@10", "medianRank", "meanRank", "mrr"] as const;
    console.log(
      `${scores.length} images, ${captions} captions, ties ${ties}, rsum ${fixed(result.rsum)}\n${
        formatTable([
          ["direction", ...keys],
          ...(["i2t", "t2i"] as const).map((d) => [d, ...keys.map((k) => fixed(output[d][k]))]),
        ])
      }`,
    );
    return 0;
  },
};
