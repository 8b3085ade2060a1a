/**
 * `nanovlm choose`: pick one of several answer options for a question about an image.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { type Choice, choose } from "../pipeline/mod.ts";
import { choiceOption, flag, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import {
  GENERATION_HELP,
  GENERATION_OPTIONS,
  generationOptionsFromArgs,
  IMAGE_OPTION,
  listOption,
  MODEL_HELP,
  MODEL_OPTIONS,
  noPositionals,
  requireImages,
  withModelFromArgs,
} from "./model_options.ts";
import { formatTable } from "./score_output.ts";

const NAME = "choose";

function choiceJson(choice: Choice, options: string[]): Record<string, unknown> {
  const { index, option, method } = choice;
  if (choice.scores) {
    const scores = choice.scores.map((s, i) => ({
      option: options[i],
      sum: s.sum,
      mean: s.mean,
      tokens: s.tokens,
    }));
    return { index, option, method, scores };
  }
  return { index, option, method, letter: choice.letter, text: choice.text };
}

function choiceText(choice: Choice, options: string[]): string {
  const chosen = choice.index < 0
    ? "no option chosen"
    : `chosen: ${String.fromCharCode(65 + choice.index)}. ${choice.option}`;
  if (!choice.scores) {
    return `${chosen}\ngenerated: ${JSON.stringify(choice.text)} (letter ${
      choice.letter ? choice.letter : "not found"
    })`;
  }
  const rows = choice.scores.map((s, i) => [
    `${i === choice.index ? "*" : " "} ${String.fromCharCode(65 + i)}. ${options[i]}`,
    s.sum.toFixed(4),
    s.mean.toFixed(4),
    String(s.tokens.length),
  ]);
  return `${chosen}\n${formatTable([["option", "sum", "mean", "tokens"], ...rows])}`;
}

/** The `choose` command. */
export const chooseCommand: Command = {
  name: NAME,
  summary: "pick an answer option by log-likelihood or by generated letter",
  help:
    `usage: deno task nanovlm choose --model <dir> [--tokenizer <path>] --image <path> --question <text>
       --option <text> --option <text> ... [options]

Methods:
  loglik (default)  every option is scored as the answer to the question (the sum, or with
                    --normalize mean the mean, of its token log-probabilities); the best wins
  letter            the prompt lists the options as "A. ..." lines and asks for the letter; a few
                    tokens are generated (greedy, 5 unless --max-new-tokens) and the letter is
                    extracted strictly (no letter found: no option chosen)

task options:
  --image <path>             the image; repeatable (only the current generation takes several)
  --question <text>          the question; required
  --option <text>            an answer option; repeat for each (A, B, C, ... in this order)
  --method loglik|letter     default loglik
  --normalize sum|mean       loglik: rank by summed (default) or mean log-probability

${MODEL_HELP}
  (--json prints {"index", "option", "method", "scores": [{"option","sum","mean","tokens"}]}
   or, for letter, {"index", "option", "method", "letter", "text"})

${GENERATION_HELP}
  (generation options apply to the letter method)

example:
  deno task nanovlm choose --model ckpt --tokenizer tok/ --image car.jpg \\
    --question "What colour is the car?" --option red --option blue --option green`,
  async run(args) {
    const parsed = parseCommandArgs(NAME, args, {
      ...MODEL_OPTIONS,
      ...GENERATION_OPTIONS,
      ...IMAGE_OPTION,
      question: { type: "string" },
      option: { type: "string", multiple: true },
      method: { type: "string" },
      normalize: { type: "string" },
    });
    noPositionals(NAME, parsed);
    const generation = generationOptionsFromArgs(parsed);
    const method = choiceOption(parsed, "method", ["loglik", "letter"] as const);
    const normalize = choiceOption(parsed, "normalize", ["sum", "mean"] as const);
    const images = requireImages(NAME, parsed);
    const question = stringOption(parsed, "question");
    if (question === undefined) {
      throw new InputError(`${NAME}: --question is required`, 'pass e.g. --question "Which one?"');
    }
    const options = listOption(parsed, "option");
    if (options.length === 0) {
      throw new InputError(
        `${NAME}: no --option given`,
        "pass each answer option with --option, e.g. --option red --option blue",
      );
    }
    const choice = await withModelFromArgs(
      NAME,
      parsed,
      (model) => choose(model, images, question, options, { method, normalize, generation }),
    );
    console.log(
      flag(parsed, "json")
        ? JSON.stringify(choiceJson(choice, options), null, 2)
        : choiceText(choice, options),
    );
    return 0;
  },
};
