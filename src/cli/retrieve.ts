/**
 * `nanovlm retrieve`: score every image against every text and rank both ways.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { retrieve } from "../pipeline/mod.ts";
import { choiceOption, flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import {
  IMAGE_OPTION,
  listOption,
  MODEL_HELP,
  MODEL_OPTIONS,
  noPositionals,
  requireImages,
  withModelFromArgs,
} from "./model_options.ts";
import { formatTable } from "./score_output.ts";

const NAME = "retrieve";

/** The `retrieve` command. */
export const retrieveCommand: Command = {
  name: NAME,
  summary: "image-text retrieval: caption log-likelihood matrix and rankings both ways",
  help:
    `usage: deno task nanovlm retrieve --model <dir> [--tokenizer <path>] --image <path> ... --text <text> ...

Scores each text as the caption of each image (its log-likelihood after the caption prompt,
mean over tokens by default), then ranks the texts for every image and the images for every
text, best first. --prior-correction subtracts each text's log-likelihood given a uniform
mid-grey image, so that texts that are likely whatever the image do not win.

task options:
  --image <path>             an image; repeat for each (one image per retrieval item)
  --text <text>              a text; repeat for each
  --by mean|sum              which log-likelihood fills the matrix (default mean)
  --prior-correction         subtract the language prior (see above)
  --prompt <text>            another caption prompt than the generation's default

${MODEL_HELP}
  (--json prints {"by", "scores": [[...]] (images x texts), "imageToText": [[text indices]],
   "textToImage": [[image indices]], "captionsPerImage"}: texts taken to be given in image order,
   k = texts / images each, so the output feeds \`score retrieval --scores -\` as it is)

example:
  deno task nanovlm retrieve --model ckpt --tokenizer tok/ --image a.jpg --image b.jpg \\
    --text "a dog" --text "a cat" --json`,
  async run(args) {
    const parsed = parseCommandArgs(NAME, args, {
      ...MODEL_OPTIONS,
      ...IMAGE_OPTION,
      text: { type: "string", multiple: true },
      by: { type: "string" },
      "prior-correction": { type: "boolean" },
      prompt: { type: "string" },
    });
    noPositionals(NAME, parsed);
    const by = choiceOption(parsed, "by", ["mean", "sum"] as const) ?? "mean";
    const images = requireImages(NAME, parsed);
    const texts = listOption(parsed, "text");
    if (texts.length === 0) {
      throw new InputError(
        `${NAME}: no --text given`,
        'pass each text with --text, e.g. --text "a dog"',
      );
    }
    const result = await withModelFromArgs(NAME, parsed, (model) =>
      retrieve(model, images, texts, {
        by,
        priorCorrection: flag(parsed, "prior-correction"),
        prompt: stringOption(parsed, "prompt"),
      }));
    if (flag(parsed, "json")) {
      const { scores, imageToText, textToImage } = result;
      // Texts given in image order, k per image, make a matrix `score retrieval` reads as it is.
      const perImage = texts.length % images.length === 0
        ? texts.length / images.length
        : undefined;
      console.log(JSON.stringify(
        { by, scores, imageToText, textToImage, captionsPerImage: perImage },
        null,
        2,
      ));
      return 0;
    }
    const header = ["image \\ text", ...texts.map((_, j) => `T${j + 1}`)];
    const rows = result.scores.map((row, i) => [`I${i + 1}`, ...row.map((s) => s.toFixed(4))]);
    console.log([
      `${by} log-likelihood of each text (T) as the caption of each image (I):`,
      formatTable([header, ...rows]),
      "",
      ...images.map((path, i) => `I${i + 1} ${path}: best text T${result.imageToText[i][0] + 1}`),
      ...texts.map((text, j) =>
        `T${j + 1} ${JSON.stringify(text)}: best image I${result.textToImage[j][0] + 1}`
      ),
    ].join("\n"));
    return 0;
  },
};
