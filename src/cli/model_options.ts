/**
 * The options shared by the task commands (`caption`, `ask`, `choose`, `retrieve`, `embed`): which
 * model to load and how, and every generation option, with their help text and strict readers.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { Flavour, QuantOptions } from "../model/mod.ts";
import {
  type GenerationOptions,
  type LoadOptions,
  NanoVLM,
  type PrepareOptions,
  resolveSamplingOptions,
} from "../pipeline/mod.ts";
import { parsePrecision } from "../model/mod.ts";
import type { Provider } from "../runtime/mod.ts";
import {
  choiceOption,
  flag,
  integerOption,
  numberOption,
  type OptionSpec,
  type ParsedArgs,
  stringOption,
} from "./args.ts";

/** The model-loading options. */
export const MODEL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  model: { type: "string" },
  tokenizer: { type: "string" },
  precision: { type: "string" },
  "quant-block": { type: "string" },
  "quant-asymmetric": { type: "boolean" },
  "quant-accuracy": { type: "string" },
  device: { type: "string" },
  flavour: { type: "string" },
  threads: { type: "string" },
  "cache-dir": { type: "string" },
  json: { type: "boolean" },
};

/** Help lines for {@link MODEL_OPTIONS}. */
export const MODEL_HELP = `model options:
  --model <dir>              checkpoint folder (config.json + model.safetensors); required
  --tokenizer <path>         tokenizer.json, or a folder holding one (default: the model
                             folder's own tokenizer.json; original checkpoints have none)
  --precision <p>            precision: fp32 (default), fp16, int8 or int4 (weight-only
                             quantisation) for every module, or a per-module mix such as
                             vision=fp16,decoder=int4,head=int8 (modules vision, projector,
                             decoder, head; the ones not named stay fp32, head follows decoder)
  --quant-block 32|64|128    int8/int4 block size (default 32)
  --quant-asymmetric         int8/int4 with a zero point per block (default symmetric)
  --quant-accuracy 0|4       MatMulNBits accuracy level: 0 float32, 4 int8 activations (default)
  --device cpu|cuda|webgpu|auto  execution provider (default cpu; auto picks cuda when installed)
  --flavour fast|inspect     graph flavour (default fast; inspect exposes internal outputs)
  --threads <n>              onnxruntime intra-op threads (default: all available cores)
  --cache-dir <dir>          graph cache (default $NANOVLM_CACHE or ~/.cache/nanovlm-lab)
  --json                     print JSON instead of text`;

/** The generation options. */
export const GENERATION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "max-new-tokens": { type: "string" },
  "min-new-tokens": { type: "string" },
  "do-sample": { type: "boolean" },
  "original-sampling": { type: "boolean" },
  "sampling-order": { type: "string" },
  temperature: { type: "string" },
  "top-k": { type: "string" },
  "top-p": { type: "string" },
  "repetition-penalty": { type: "string" },
  seed: { type: "string" },
  "num-beams": { type: "string" },
  "length-penalty": { type: "string" },
  "num-return-sequences": { type: "string" },
  stop: { type: "string", multiple: true },
};

/** Help lines for {@link GENERATION_OPTIONS}. */
export const GENERATION_HELP = `generation options (default: greedy):
  --max-new-tokens <n>       most tokens to generate (default: the original generate.py's,
                             20 for v0.1/v0.2, 300 for the current generation)
  --min-new-tokens <n>       end-of-sequence is suppressed until n tokens exist (default 0)
  --do-sample                sample instead of taking the most likely token; --temperature,
                             --top-k and --top-p need it (without it they are ignored, with a
                             warning)
  --original-sampling        sample as the original generate() of the model's generation
                             (v0.2/current: top-k 50, top-p 0.9, temperature 0.5; v0.1: plain
                             softmax); explicit options override it
  --sampling-order hf|nanovlm  filter order: Hugging Face (temperature, top-k, top-p keeping the
                             crossing token; default) or nanoVLM's (top-k, top-p dropping it, then
                             temperature)
  --temperature <t>          softmax temperature >= 0 (default 1)
  --top-k <k>                keep the k most likely tokens (default 0: off)
  --top-p <p>                nucleus sampling mass in (0, 1] (default 1: off)
  --repetition-penalty <r>   Hugging Face repetition penalty > 0 (default 1: off)
  --seed <n>                 random seed for sampling (default random)
  --num-beams <n>            beam search with n beams (default 1: no beam search)
  --length-penalty <x>       beam search length normalisation exponent (default 1)
  --num-return-sequences <n> beam search: sequences to return (default 1)
  --stop <text>              stop when the text contains this string (repeatable)`;

/** Reads `--quant-block`, `--quant-asymmetric` and `--quant-accuracy` (unset ones keep defaults). */
export function quantizationFromArgs(parsed: ParsedArgs): Partial<QuantOptions> {
  const block = choiceOption(parsed, "quant-block", ["32", "64", "128"] as const);
  const accuracy = choiceOption(parsed, "quant-accuracy", ["0", "4"] as const);
  return {
    ...(block ? { blockSize: Number(block) } : {}),
    ...(flag(parsed, "quant-asymmetric") ? { symmetric: false } : {}),
    ...(accuracy ? { accuracyLevel: Number(accuracy) as 0 | 4 } : {}),
  };
}

/** Reads the model options; `--model` is required. */
export function modelOptionsFromArgs(
  command: string,
  parsed: ParsedArgs,
): { dir: string; options: LoadOptions } {
  const precisionText = stringOption(parsed, "precision");
  const precision = precisionText === undefined ? undefined : parsePrecision(precisionText);
  const quantization = quantizationFromArgs(parsed);
  const provider = choiceOption<Provider>(parsed, "device", ["cpu", "cuda", "webgpu", "auto"]);
  const flavour = choiceOption<Flavour>(parsed, "flavour", ["fast", "inspect"]);
  const threads = integerOption(parsed, "threads", { min: 1 });
  const dir = stringOption(parsed, "model");
  if (!dir) {
    throw new InputError(
      `${command}: --model is required`,
      "pass the checkpoint folder, e.g. --model checkpoints/nanoVLM-222M",
    );
  }
  return {
    dir,
    options: {
      tokenizer: stringOption(parsed, "tokenizer"),
      precision,
      quantization,
      provider,
      flavour,
      threads,
      cacheDir: stringOption(parsed, "cache-dir"),
      debug: flag(parsed, "debug"),
    },
  };
}

/**
 * Loads the model the options name, runs `fn` with it and releases it. `defaultFlavour` is the
 * graph flavour when `--flavour` is not given (e.g. the inspect graphs a request needs).
 */
export async function withModelFromArgs<T>(
  command: string,
  parsed: ParsedArgs,
  fn: (model: NanoVLM) => Promise<T>,
  defaultFlavour?: Flavour,
): Promise<T> {
  const { dir, options } = modelOptionsFromArgs(command, parsed);
  options.flavour ??= defaultFlavour;
  const model = await NanoVLM.load(dir, options);
  if (options.provider === "auto") {
    // Say which provider `auto` picked (on stderr, so --json output stays clean).
    console.error(`device: ${model.runtime.provider} (chosen by --device auto)`);
  }
  try {
    return await fn(model);
  } finally {
    await model.release();
  }
}

/** The prompt-length options of the generation commands. */
export const PROMPT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  truncate: { type: "string" },
  "max-length": { type: "string" },
};

/** Help lines for {@link PROMPT_OPTIONS}. */
export const PROMPT_HELP = `prompt options:
  --max-length <n>           most positions a prompt may take, image tokens included (default:
                             the model's lm_max_position_embeddings)
  --truncate left|right|error  a longer prompt loses text tokens from the left (default; keeps
                             the end, with a warning saying how many were cut) or the right, or is
                             refused (error); image tokens are never cut`;

/** Reads the prompt-length options as the library's prepare options. */
export function promptOptionsFromArgs(parsed: ParsedArgs): PrepareOptions {
  const truncationSide = choiceOption(parsed, "truncate", ["left", "right", "error"] as const);
  const maxLength = integerOption(parsed, "max-length", { min: 1 });
  return {
    ...(truncationSide ? { truncationSide } : {}),
    ...(maxLength ? { maxLength } : {}),
  };
}

/** Reads `--top-p`, which must lie in (0, 1]. */
function topPOption(parsed: ParsedArgs): number | undefined {
  const raw = stringOption(parsed, "top-p");
  if (raw === undefined) return undefined;
  const topP = Number(raw);
  if (raw.trim() === "" || !(topP > 0 && topP <= 1)) {
    throw new InputError(
      `--top-p must be in (0, 1], got "${raw}"`,
      "pass a probability mass above 0 and at most 1, e.g. --top-p 0.9 (1 turns it off)",
    );
  }
  return topP;
}

/** The sampling options that do nothing without `--do-sample` or `--original-sampling`. */
const SAMPLING_ONLY = ["temperature", "top-k", "top-p"] as const;

/** Warns (stderr) about sampling options given for greedy decoding, which ignores them. */
function warnSamplingWithoutSample(parsed: ParsedArgs): void {
  if (flag(parsed, "do-sample") || flag(parsed, "original-sampling")) return;
  const given = SAMPLING_ONLY.filter((name) => stringOption(parsed, name) !== undefined);
  if (given.length === 0) return;
  console.error(
    `warning: ${given.map((n) => `--${n}`).join(", ")} ${
      given.length === 1 ? "takes" : "take"
    } effect only when sampling: add --do-sample (without it decoding is greedy and ${
      given.length === 1 ? "it is" : "they are"
    } ignored)`,
  );
}

/**
 * Reads the generation options and checks each value on its own before any model is loaded;
 * checks that relate options (min vs max new tokens, beam search) happen when generation starts.
 * Sampling options given without `--do-sample` (or `--original-sampling`) are warned about on
 * stderr: greedy decoding ignores them.
 */
export function generationOptionsFromArgs(parsed: ParsedArgs): GenerationOptions {
  const stop = parsed.values.stop as string[] | undefined;
  const options: GenerationOptions = {
    maxNewTokens: integerOption(parsed, "max-new-tokens", { min: 0 }),
    minNewTokens: integerOption(parsed, "min-new-tokens", { min: 0 }),
    doSample: flag(parsed, "do-sample") || undefined,
    originalSampling: flag(parsed, "original-sampling") || undefined,
    order: choiceOption(parsed, "sampling-order", ["hf", "nanovlm"] as const),
    temperature: numberOption(parsed, "temperature", { min: 0 }),
    topK: integerOption(parsed, "top-k", { min: 0 }),
    topP: topPOption(parsed),
    repetitionPenalty: numberOption(parsed, "repetition-penalty", { min: Number.MIN_VALUE }),
    seed: integerOption(parsed, "seed", { min: 0, max: 2 ** 32 - 1 }),
    numBeams: integerOption(parsed, "num-beams", { min: 1 }),
    lengthPenalty: numberOption(parsed, "length-penalty"),
    numReturnSequences: integerOption(parsed, "num-return-sequences", { min: 1 }),
    stopStrings: stop,
  };
  if (stop?.some((s) => s === "")) {
    throw new InputError("--stop takes a non-empty string", "remove the empty --stop");
  }
  if ((options.numReturnSequences ?? 1) > (options.numBeams ?? 1)) {
    throw new InputError(
      `--num-return-sequences ${options.numReturnSequences} needs at least as many beams, got ` +
        `--num-beams ${options.numBeams ?? 1}`,
      `also pass --num-beams ${options.numReturnSequences}`,
    );
  }
  resolveSamplingOptions(options);
  warnSamplingWithoutSample(parsed);
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as GenerationOptions;
}

/** Reads a repeatable string option (empty list when absent). */
export function listOption(parsed: ParsedArgs, name: string): string[] {
  const value = parsed.values[name];
  return Array.isArray(value) ? value as string[] : typeof value === "string" ? [value] : [];
}

/** The `--image` option: one or more paths. */
export const IMAGE_OPTION: Readonly<Record<string, OptionSpec>> = {
  image: { type: "string", multiple: true },
};

/** Reads the `--image` paths; at least one is required. */
export function requireImages(command: string, parsed: ParsedArgs): string[] {
  const images = listOption(parsed, "image");
  if (images.length === 0) {
    throw new InputError(
      `${command}: --image is required`,
      "pass an image file, e.g. --image cat.jpg",
    );
  }
  return images;
}

/** Rejects positional arguments (every task input is a named option). */
export function noPositionals(command: string, parsed: ParsedArgs): void {
  if (parsed.positionals.length > 0) {
    throw new InputError(
      `${command}: unexpected argument "${parsed.positionals[0]}"`,
      `every input is a named option; run \`deno task nanovlm ${command} --help\``,
    );
  }
}
