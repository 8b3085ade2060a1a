import { assertEquals, assertThrows } from "../../src/testing/mod.ts";
import { countFlag, flagValue } from "./cli_flags.ts";

Deno.test("flagValue reads the value after its flag and nothing else", () => {
  const args = ["--model", "m", "--float16", "--out", "o"];
  assertEquals(flagValue("model", args), "m");
  assertEquals(flagValue("out", args), "o");
  assertEquals(flagValue("data", args), undefined);
  assertThrows(() => flagValue("float16", args), Error, /--float16 needs a value/);
  assertThrows(() => flagValue("out", ["--out"]), Error, /--out needs a value/);
});

Deno.test("countFlag takes positive integers and names a bad one", () => {
  assertEquals(countFlag("samples", 600, []), 600);
  assertEquals(countFlag("samples", 600, ["--samples", "1000"]), 1000);
  for (const bad of ["abc", "0", "-3", "2.5"]) {
    assertThrows(
      () => countFlag("samples", 600, ["--samples", bad]),
      Error,
      new RegExp(`--samples must be a positive integer, got "${bad.replace(".", "\\.")}"`),
    );
  }
});
