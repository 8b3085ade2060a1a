/**
 * `nanovlm drift`: how far one run of the model drifts from another (`--a fp32 --b fp16`): every
 * stage's cosine, max-abs and relative error, the logits' KL, Δp and top-1 agreement, and the
 * first step where greedy generations part.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { compareTraces, formatDrift } from "../inspect/mod.ts";
import { parsePrecision } from "../model/mod.ts";
import { NanoVLM } from "../pipeline/mod.ts";
import { flag, integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import {
  TRACE_REQUEST_HELP,
  TRACE_REQUEST_OPTIONS,
  traceRequestFromArgs,
} from "./inspect_options.ts";
import { MODEL_HELP, MODEL_OPTIONS, modelOptionsFromArgs, noPositionals } from "./model_options.ts";

const NAME = "drift";

/** The `drift` command. */
export const driftCommand: Command = {
  name: NAME,
  summary: "compare two runs (e.g. fp32 vs int4) stage by stage, logits KL, greedy divergence",
  help:
    `usage: deno task nanovlm drift --model <dir> [--tokenizer <path>] --image <path> (--question <q> | --prompt <p>) [options]

Runs the request with precision --a (the reference) and --b, generates --steps greedy tokens with
each, teacher-forces a's tokens through b, and compares every stage (cosine, max-abs, relative
error) and the next-token distributions (KL mean / p99 / max, Δp of a's top token, top-1
agreement), then reports the first greedy step where b's tokens differ from a's.

${TRACE_REQUEST_HELP}

drift options:
  --a <p>                    the reference run's precision (default fp32): fp32, fp16, int8,
                             int4 or a per-module mix such as decoder=int4,head=int8
  --b <p>                    the compared run's precision (default fp16)
  --steps <n>                greedy tokens to compare (default 8; with --answer none are generated)
  --json                     print {"a", "b", "stages": [...], "logits": {...}, "firstDivergence"}

${MODEL_HELP.replace(/\n {2}--precision[^\n]*/, "")}

example:
  deno task nanovlm drift --model checkpoints/nanoVLM-222M --tokenizer cosmo2/ --image cat.jpg \\
    --question "What is this?" --a fp32 --b fp16`,
  async run(args) {
    const parsed = parseCommandArgs(NAME, args, {
      ...MODEL_OPTIONS,
      ...TRACE_REQUEST_OPTIONS,
      a: { type: "string" },
      b: { type: "string" },
      steps: { type: "string" },
    });
    noPositionals(NAME, parsed);
    const { request, continuation } = traceRequestFromArgs(NAME, parsed);
    if (continuation.generate) {
      throw new InputError(`${NAME}: use --steps for the greedy tokens`, "drop --generate");
    }
    if (parsed.values.precision !== undefined) {
      throw new InputError(
        `${NAME}: the precisions are --a and --b`,
        "drop --precision; pass e.g. --a fp32 --b fp16",
      );
    }
    const a = stringOption(parsed, "a") ?? "fp32";
    const b = stringOption(parsed, "b") ?? "fp16";
    const steps = integerOption(parsed, "steps", { min: 1 }) ?? 8;
    const { dir, options } = modelOptionsFromArgs(NAME, parsed);
    const precisionA = parsePrecision(a, "--a");
    const precisionB = parsePrecision(b, "--b");
    const ref = await NanoVLM.load(dir, { ...options, precision: precisionA, flavour: "inspect" });
    try {
      const other = await NanoVLM.load(dir, {
        ...options,
        precision: precisionB,
        flavour: "inspect",
      });
      try {
        const req = request(ref);
        const generate = continuation.answer === undefined ? { maxNewTokens: steps } : undefined;
        const traceA = await ref.trace(req, { ...continuation, generate });
        const forced = { ...req, continuation: traceA.appendedIds };
        const traceB = await other.trace(forced, {});
        const greedyB = generate
          ? (await other.trace(req, { generate, stages: ["logits"] })).appendedIds
          : undefined;
        const report = compareTraces(traceA, traceB, {
          greedy: greedyB ? { a: traceA.appendedIds, b: greedyB } : undefined,
        });
        const labelled = { ...report, a, b };
        console.log(flag(parsed, "json") ? JSON.stringify(labelled) : formatDrift(labelled));
      } finally {
        await other.release();
      }
    } finally {
      await ref.release();
    }
    return 0;
  },
};
