import { InputError } from "../../errors.ts";
import { assertEquals, assertThrows } from "../../testing/mod.ts";
import { boundText, textCharBound } from "./bound_text.ts";

Deno.test("boundText: keeps the end (left), the start (right), refuses (error)", () => {
  assertEquals(boundText("abcdef", 4, "left"), "cdef");
  assertEquals(boundText("abcdef", 4, "right"), "abcd");
  assertEquals(boundText("abc", 4, "error"), "abc");
  assertThrows(() => boundText("abcdef", 4, "error"), InputError, /6 characters, more than/);
  assertEquals(textCharBound(8192, 15), 131072);
});

Deno.test("boundText: never splits a surrogate pair", () => {
  const text = "a😀b😀"; // units: a, hi, lo, b, hi, lo
  assertEquals(boundText(text, 4, "right"), "a😀b");
  assertEquals(boundText(text, 2, "right"), "a");
  assertEquals(boundText(text, 4, "left"), "b😀");
  assertEquals(boundText(text, 5, "left"), "😀b😀");
});
