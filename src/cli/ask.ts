/**
 * `nanovlm ask`: answer a question about an image with a checkpoint.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { askRequest } from "../pipeline/mod.ts";
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

const NAME = "ask";

/** The `ask` command. */
export const askCommand: Command = {
  name: NAME,
  summary: "answer a question about an image (visual question answering)",
  help:
    `usage: deno task nanovlm ask --model <dir> [--tokenizer <path>] --image <path> --question <text> [options]

Answers the question with the generation's prompt format (v0.1/v0.2: "Question: ... Answer:";
current: the chat template), greedy unless sampling is asked for. The text streams to a
terminal; --json prints {"text", "tokens", "stopReason"} (plus "sequences" with beam scores when
--num-return-sequences > 1).

task options:
  --image <path>             the image; repeatable (only the current generation takes several)
  --question <text>          the question; required

${MODEL_HELP}

${GENERATION_HELP}

${PROMPT_HELP}

example:
  deno task nanovlm ask --model checkpoints/nanoVLM-222M --tokenizer cosmo2/ --image cat.jpg \\
    --question "What colour is the cat?" --max-new-tokens 10 --json`,
  async run(args) {
    const parsed = parseCommandArgs(NAME, args, {
      ...MODEL_OPTIONS,
      ...PROMPT_OPTIONS,
      ...GENERATION_OPTIONS,
      ...IMAGE_OPTION,
      question: { type: "string" },
    });
    noPositionals(NAME, parsed);
    const generation = {
      ...generationOptionsFromArgs(parsed),
      prepare: promptOptionsFromArgs(parsed),
    };
    const images = requireImages(NAME, parsed);
    const question = stringOption(parsed, "question");
    if (question === undefined) {
      throw new InputError(
        `${NAME}: --question is required`,
        'pass e.g. --question "What is this?"',
      );
    }
    await withModelFromArgs(NAME, parsed, (model) =>
      printGeneration(
        model,
        askRequest(model, images, question),
        generation,
        flag(parsed, "json"),
      ));
    return 0;
  },
};
