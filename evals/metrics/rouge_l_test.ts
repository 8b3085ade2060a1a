import { assertClose, assertEquals } from "../../src/testing/mod.ts";
import { lcsLength, rouge, rougeL } from "./rouge_l.ts";

Deno.test("lcsLength: classic cases", () => {
  assertEquals(lcsLength([..."abcbdab"], [..."bdcaba"]), 4);
  assertEquals(lcsLength([], ["a"]), 0);
});

Deno.test("rougeL: hand derivation of metrics.md E1 (LCS 5, P = 5/6, R = 5/7)", () => {
  const p = 5 / 6;
  const r = 5 / 7;
  assertClose(
    rougeL("a cat sits on the mat", ["a cat is sitting on the mat", "there is a cat on the mat"]),
    (2.44 * p * r) / (r + 1.44 * p),
    1e-12,
  );
});

Deno.test("rougeL: best precision and best recall come from different references", () => {
  // vs "a b": P = 2/2, R = 2/2 → but take ref1 "a" (P 1/2, R 1) and ref2 "a b c d" (P 1, R 1/2)
  // for candidate "a b": P = max(1/2, 1) = 1, R = max(1, 1/2) = 1 → 1.
  assertClose(rougeL("a b", ["a", "a b c d"]), 1, 1e-12);
  assertEquals(rougeL("", ["a"]), 0);
  assertEquals(rouge(["x", "a"], [["a"], ["a"]]).corpus, 0.5);
});
