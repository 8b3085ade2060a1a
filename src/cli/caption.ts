/**
 * `nanovlm caption`: describe an image with a checkpoint.
 *
 * @module
 */
import { captionRequest } from "../pipeline/mod.ts";
import { flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { printGeneration } from "./generation_output.ts";
import {
  GENERATION_HELP,
  GENERATION_OPTIONS,
  generationOptionsFromArgs,
  IMAGE_OPTION,
  MODEL_HELP,
  MODEL_OPTIONS,
  noPositionals,
  PROMPT_HELP,
  PROMPT_OPTIONS,
  promptOptionsFromArgs,
  requireImages,
  withModelFromArgs,
} from "./model_options.ts";

const NAME = "caption";

/** The `caption` command. */
export const captionCommand: Command = {
  name: NAME,
  summary: "describe an image (streams to a terminal; --json gives text and token ids)",
  help:
    `usage: deno task nanovlm caption --model <dir> [--tokenizer <path>] --image <path> [options]

Generates a caption with the generation's default caption prompt ("What is this?" for v0.1 and
v0.2, "Describe the image." for the current generation), greedy unless sampling is asked for.
The text streams to a terminal; --json prints {"text", "tokens", "stopReason"} (plus
"sequences" with beam scores when --num-return-sequences > 1).

task options:
  --image <path>             the image; repeatable (only the current generation takes several)
  --prompt <text>            another instruction instead of the default caption prompt

${MODEL_HELP}

${GENERATION_HELP}

${PROMPT_HELP}

example:
  deno task nanovlm caption --model checkpoints/nanoVLM-222M --tokenizer cosmo2/ --image cat.jpg`,
  async run(args) {
    const parsed = parseCommandArgs(NAME, args, {
      ...MODEL_OPTIONS,
      ...PROMPT_OPTIONS,
      ...GENERATION_OPTIONS,
      ...IMAGE_OPTION,
      prompt: { type: "string" },
    });
    noPositionals(NAME, parsed);
    const generation = {
      ...generationOptionsFromArgs(parsed),
      prepare: promptOptionsFromArgs(parsed),
    };
    const images = requireImages(NAME, parsed);
    await withModelFromArgs(NAME, parsed, (model) =>
      printGeneration(
        model,
        captionRequest(model, images, { prompt: stringOption(parsed, "prompt") }),
        generation,
        flag(parsed, "json"),
      ));
    return 0;
  },
};
