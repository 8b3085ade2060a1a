import { InputError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/mod.ts";
import { parseCommandArgs } from "./args.ts";
import {
  GENERATION_HELP,
  GENERATION_OPTIONS,
  generationOptionsFromArgs,
  MODEL_OPTIONS,
  modelOptionsFromArgs,
  PROMPT_OPTIONS,
  promptOptionsFromArgs,
} from "./model_options.ts";

const parse = (args: string[]) =>
  parseCommandArgs("ask", args, { ...MODEL_OPTIONS, ...PROMPT_OPTIONS });

Deno.test("model options: --precision takes one precision or a per-module mix", () => {
  const one = modelOptionsFromArgs("ask", parse(["--model", "m", "--precision", "fp16"]));
  assertEquals(one.options.precision, "fp16");
  const mix = modelOptionsFromArgs(
    "ask",
    parse(["--model", "m", "--precision", "vision=fp16,decoder=fp32"]),
  );
  assertEquals(mix.options.precision, { vision: "fp16", decoder: "fp32" });
  assertThrows(
    () => modelOptionsFromArgs("ask", parse(["--model", "m", "--precision", "vision=fp8"])),
    InputError,
    /vision= must be one of fp32, fp16, int8, int4; got "fp8"/,
  );
});

Deno.test("prompt options: --truncate and --max-length become the library's prepare options", () => {
  assertEquals(promptOptionsFromArgs(parse([])), {});
  assertEquals(promptOptionsFromArgs(parse(["--truncate", "error", "--max-length", "512"])), {
    truncationSide: "error",
    maxLength: 512,
  });
  assertThrows(() => promptOptionsFromArgs(parse(["--max-length", "0"])), InputError, /max-length/);
});

/** Runs `fn`, returning what it printed with console.error. */
function stderrOf(fn: () => unknown): string {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
  try {
    fn();
  } finally {
    console.error = original;
  }
  return lines.join("\n");
}

const generation = (args: string[]) =>
  generationOptionsFromArgs(parseCommandArgs("caption", args, GENERATION_OPTIONS));

Deno.test("generation options: sampling options without --do-sample are warned about", () => {
  assertEquals(
    stderrOf(() => generation(["--temperature", "0.7", "--top-p", "0.9"])),
    "warning: --temperature, --top-p take effect only when sampling: add --do-sample (without " +
      "it decoding is greedy and they are ignored)",
  );
  assertEquals(
    stderrOf(() => generation(["--top-k", "5"])),
    "warning: --top-k takes effect only when sampling: add --do-sample (without it decoding is " +
      "greedy and it is ignored)",
  );
  // With sampling asked for, or no sampling option at all, nothing is said.
  assertEquals(stderrOf(() => generation(["--temperature", "0.7", "--do-sample"])), "");
  assertEquals(stderrOf(() => generation(["--top-k", "5", "--original-sampling"])), "");
  assertEquals(stderrOf(() => generation(["--max-new-tokens", "5"])), "");
  // The help says so.
  assertEquals(
    /--top-k and --top-p need it \(without it they are ignored, with a\s+warning\)/.test(
      GENERATION_HELP,
    ),
    true,
  );
});

Deno.test("generation options: --top-p outside (0, 1] names the range, never suggests 0", () => {
  for (const value of ["2", "0", "-0.5", "", "nan", "1.0001"]) {
    const error = assertThrows(
      () => generation([`--top-p=${value}`]),
      InputError,
      new RegExp(`^--top-p must be in \\(0, 1\\], got "${value.replace(".", "\\.")}"$`),
    ) as InputError;
    assertEquals(
      error.hint,
      "pass a probability mass above 0 and at most 1, e.g. --top-p 0.9 (1 turns it off)",
    );
  }
  assertEquals(generation(["--top-p", "1", "--do-sample"]).topP, 1);
  assertEquals(generation(["--top-p", "0.25", "--do-sample"]).topP, 0.25);
});
