import { InputError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/mod.ts";
import { choiceOption, integerOption, numberOption, parseCommandArgs } from "./args.ts";

const OPTIONS = {
  n: { type: "string" as const },
  p: { type: "string" as const },
  mode: { type: "string" as const },
};

Deno.test("args: unknown options and dash-leading values are one-line named errors", () => {
  const unknown = assertThrows(
    () => parseCommandArgs("ask", ["--nope"], OPTIONS),
    InputError,
    /ask: Unknown option '--nope'/,
  );
  assertEquals(
    (unknown as InputError).hint,
    "run `deno task nanovlm ask --help` for the accepted options",
  );
  const dash = assertThrows(
    () => parseCommandArgs("ask", ["--n", "-1"], OPTIONS),
    InputError,
    /ambiguous/,
  );
  assertEquals(dash.message.includes("\n"), false);
  assertEquals((dash as InputError).hint, "write --n=<value> for a value that starts with a dash");
});

Deno.test("args: integers, numbers and choices are range-checked", () => {
  const parsed = parseCommandArgs("x", ["--n=-1", "--p", "1.5", "--mode", "fp8"], OPTIONS);
  assertThrows(
    () => integerOption(parsed, "n", { min: 0 }),
    InputError,
    /--n must be an integer >= 0, got "-1"/,
  );
  assertThrows(
    () => numberOption(parsed, "p", { min: 0, max: 1 }),
    InputError,
    /--p must be a number in \[0, 1\]/,
  );
  assertThrows(
    () => choiceOption(parsed, "mode", ["fp32", "fp16"]),
    InputError,
    /one of fp32, fp16; got "fp8"/,
  );
  assertEquals(integerOption(parseCommandArgs("x", ["--n", "7"], OPTIONS), "n", { min: 0 }), 7);
});
