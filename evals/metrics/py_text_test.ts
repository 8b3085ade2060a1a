import { assertEquals } from "../../src/testing/mod.ts";
import { pySplit, pyStrip } from "./py_text.ts";

Deno.test("pySplit and pyStrip use Python's whitespace set", () => {
  // Python: "a\x1cb\u0085c\ufeffd".split() == ["a", "b", "c\ufeffd"]
  assertEquals(pySplit("a\x1cb\u0085c\ufeffd"), ["a", "b", "c\ufeffd"]);
  assertEquals(pySplit("  "), []);
  assertEquals(pyStrip("\u3000 x \x1f"), "x");
});
