/**
 * The options the inspect commands (`attention`, `lens`, `drift`) share: the request (images and
 * `--question` formatted as `ask` formats it, or `--prompt` sent as `caption --prompt` sends it) and
 * what is traced after it (`--answer` teacher-forced, or `--generate N` greedy tokens).
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { TraceOptions } from "../inspect/mod.ts";
import { askRequest, type NanoVLM, type Request } from "../pipeline/mod.ts";
import { integerOption, type OptionSpec, type ParsedArgs, stringOption } from "./args.ts";
import { requireImages } from "./model_options.ts";

/** The request and continuation options. */
export const TRACE_REQUEST_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  image: { type: "string", multiple: true },
  question: { type: "string" },
  prompt: { type: "string" },
  answer: { type: "string" },
  generate: { type: "string" },
};

/** Help lines for {@link TRACE_REQUEST_OPTIONS}. */
export const TRACE_REQUEST_HELP = `request options:
  --image <path>             the image; repeatable (only the current generation takes several)
  --question <text>          a question, formatted exactly as \`ask\` formats it
  --prompt <text>            or an instruction, sent as \`caption --prompt\` sends it
  --answer <text>            trace this answer teacher-forced after the prompt (e.g. " a cat")
  --generate <n>             or trace n greedily generated tokens`;

/** What the request options ask for: the request (built once the model is loaded) and the continuation. */
export interface TraceRequestArgs {
  /** Builds the request for a loaded model. */
  request: (model: NanoVLM) => Request;
  /** `answer` / `generate` for the trace. */
  continuation: Pick<TraceOptions, "answer" | "generate">;
}

/** Reads the request options; exactly one of --question / --prompt is required. */
export function traceRequestFromArgs(command: string, parsed: ParsedArgs): TraceRequestArgs {
  const images = requireImages(command, parsed);
  const question = stringOption(parsed, "question");
  const prompt = stringOption(parsed, "prompt");
  if ((question === undefined) === (prompt === undefined)) {
    throw new InputError(
      `${command}: give exactly one of --question and --prompt`,
      'pass e.g. --question "What is this?"',
    );
  }
  const answer = stringOption(parsed, "answer");
  const generate = integerOption(parsed, "generate", { min: 1 });
  if (answer !== undefined && generate !== undefined) {
    throw new InputError(
      `${command}: --answer and --generate exclude each other`,
      "trace either a given answer or a generated one",
    );
  }
  if (answer === "") {
    throw new InputError(
      `${command}: --answer is empty`,
      'pass the answer text, e.g. --answer " a cat"',
    );
  }
  return {
    request: (model) =>
      question !== undefined ? askRequest(model, images, question) : { images, text: prompt! },
    continuation: {
      ...(answer !== undefined ? { answer } : {}),
      ...(generate !== undefined ? { generate: { maxNewTokens: generate } } : {}),
    },
  };
}

/** Reads a `--layer`-style selection: a whole number, a comma list, or `all`. */
export function indexListOption(
  parsed: ParsedArgs,
  name: string,
): number[] | "all" | undefined {
  const value = stringOption(parsed, name);
  if (value === undefined || value === "all") return value;
  const items = value.split(",").map((s) => s.trim());
  if (!items.every((s) => /^\d+$/.test(s))) {
    throw new InputError(
      `--${name} takes a whole number, a comma-separated list or "all", got ${
        JSON.stringify(value)
      }`,
      `pass e.g. --${name} 0, --${name} 0,3 or --${name} all`,
    );
  }
  return items.map(Number);
}
