import { InputError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/mod.ts";
import { parseCommandArgs } from "./args.ts";
import {
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
    /vision= must be one of fp32, fp16; got "fp8"/,
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
