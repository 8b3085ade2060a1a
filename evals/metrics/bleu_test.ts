import { assertClose, assertEquals, assertThrows } from "../../src/testing/mod.ts";
import { InputError } from "../../src/mod.ts";
import { bleu, bleuStats } from "./bleu.ts";

Deno.test("bleuStats: clipped matches and closest reference length (metrics.md §1.11 E1)", () => {
  // Hand check: unigram 5/6, bigram 3/5, trigram 1/4, 4-gram 0/3; both refs have 7 words.
  const stats = bleuStats("a cat sits on the mat", [
    "a cat is sitting on the mat",
    "there is a cat on the mat",
  ]);
  assertEquals(stats, { testLength: 6, refLength: 7, guess: [6, 5, 4, 3], correct: [5, 3, 1, 0] });
});

Deno.test("bleuStats: closest length ties go to the shorter reference", () => {
  // candidate 4 words, refs of 3 and 5 words: both 1 away, the shorter (3) wins.
  assertEquals(bleuStats("w x y z", ["w x y", "w x y z v"]).refLength, 3);
  assertEquals(bleuStats("w x y z", ["w x y z v", "w x y"]).refLength, 3);
});

Deno.test("bleu: brevity penalty and cumulative geometric means (hand-derived E1)", () => {
  const bp = Math.exp(1 - 7 / 6);
  const [b1, b2, b3] = bleu(["a cat sits on the mat"], [[
    "a cat is sitting on the mat",
    "there is a cat on the mat",
  ]]).corpus;
  assertClose(b1, (5 / 6) * bp, 1e-9);
  assertClose(b2, Math.sqrt((5 / 6) * (3 / 5)) * bp, 1e-9);
  assertClose(b3, 0.5 * bp, 1e-9);
});

Deno.test("bleu: corpus score sums statistics instead of averaging images", () => {
  // Image 1 matches fully (4/4 unigrams), image 2 has 0/2: corpus BLEU-1 = 4/6, the mean of the
  // per-image BLEU-1 would be ≈ 0.5 (image 2 also gets a brevity penalty).
  const result = bleu(["a b c d", "x y"], [["a b c d"], ["p q r s"]]);
  assertClose(result.corpus[0], 4 / 6 * Math.exp(1 - 8 / 6), 1e-9);
  assertClose(result.perItem[0][0], 1, 1e-9);
});

Deno.test("bleu: a candidate shorter than n gets the 1e-6 smoothed precision", () => {
  // A perfect 3-word caption: p1..p3 ≈ 1, p4 = 1e-15/1e-9, BLEU-4 ≈ (1e-6)^(1/4).
  assertClose(bleu(["a red circle"], [["a red circle"]]).perItem[0][3], 1e-6 ** 0.25, 1e-9);
  assertEquals(bleu([""], [["a"]]).perItem[0], [0, 0, 0, 0]);
});

Deno.test("bleuStats refuses an image without references", () => {
  assertThrows(() => bleuStats("a", []), InputError, /at least one reference/);
});
