/**
 * `nanovlm score retrieval`: image-text retrieval metrics of a score matrix.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { blockCaptionMapping, scoreRetrieval } from "../../evals/metrics/mod.ts";
import { choiceOption, flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { readRetrievalScores } from "./score_inputs.ts";
import { fixed, formatTable } from "./score_output.ts";

const NAME = "score retrieval";

/** The `score retrieval` command. */
export const scoreRetrievalCommand: Command = {
  name: NAME,
  summary: "R@1/5/10, median/mean rank, MRR of an image x caption score matrix",
  help: `usage: deno task nanovlm score retrieval --scores <scores.json> [options]

Image-to-text (i2t) and text-to-image (t2i) retrieval from a score matrix S[image][caption]
(higher = better). Caption j belongs to image floor(j / captionsPerImage). i2t ranks all captions
per image and takes its best caption; t2i ranks all images per caption. Recalls are percentages,
ranks are 1-based (medianRank = floor(median) + 1, as BLIP/VSE++ report it).

options:
  --scores <path>                  JSON {"scores": [[...], ...], "captionsPerImage": k}
  --ties pessimistic|optimistic    pessimistic (default): tied wrong items rank ahead
  --json                           print {"i2t": {"R@1","R@5","R@10","medianRank","meanRank",
                                   "mrr"}, "t2i": {...}, "rsum"}

example:
  deno task nanovlm score retrieval --scores coco5k_scores.json --json`,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs(NAME, args, {
      scores: { type: "string" },
      ties: { type: "string" },
      json: { type: "boolean" },
    });
    const path = stringOption(parsed, "scores");
    if (!path) throw new InputError(`${NAME}: --scores is required`, `see \`${NAME} --help\``);
    const ties = choiceOption(parsed, "ties", ["pessimistic", "optimistic"] as const) ??
      "pessimistic";
    const { scores, captionsPerImage } = await readRetrievalScores(path);
    const captions = scores[0]?.length ?? 0;
    if (scores.length * captionsPerImage !== captions) {
      throw new InputError(
        `${path}: ${scores.length} images × captionsPerImage ${captionsPerImage} = ${
          scores.length * captionsPerImage
        } captions, but the matrix has ${captions} columns`,
        "give captionsPerImage captions per image, in image order",
      );
    }
    const result = scoreRetrieval(scores, blockCaptionMapping(captions, captionsPerImage), {
      ties,
    });
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
