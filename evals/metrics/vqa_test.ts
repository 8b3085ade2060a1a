import { assertClose, assertEquals, assertThrows, fixtureTest } from "../../src/testing/mod.ts";
import { InputError } from "../../src/mod.ts";
import { scoreVqa, vqaAccuracy } from "./vqa_accuracy.ts";
import { normalizeVqaAnswer, processPunctuation, VQA_CONTRACTIONS } from "./vqa_normalize.ts";
import { readTestVectors } from "./test_vectors.ts";

fixtureTest("vqaAccuracy reproduces V1-V14 for the official script and lmms-eval", () => {
  const vectors = readTestVectors().vqa;
  assertEquals(vectors.length, 14);
  for (const v of vectors) {
    assertClose(
      vqaAccuracy(v.prediction, v.gt_answers, "official"),
      v.acc_official_vqaEval,
      1e-12,
      v.id,
    );
    assertClose(vqaAccuracy(v.prediction, v.gt_answers, "lmms"), v.acc_lmms_eval, 1e-12, v.id);
  }
});

fixtureTest("normalizeVqaAnswer reproduces the normaliser vectors", () => {
  for (const [input, expected] of Object.entries(readTestVectors().vqa_normalize)) {
    assertEquals(normalizeVqaAnswer(input, "lmms"), expected, input);
    assertEquals(normalizeVqaAnswer(input, "official"), expected, input);
  }
});

Deno.test("vqaAccuracy: leave-one-out average by hand", () => {
  // 2 of 10 say "red": for the 2 "red" annotators 1 other matches (1/3), for the 8 others 2
  // match (2/3): (2·1/3 + 8·2/3)/10 = 0.6.
  assertClose(vqaAccuracy("red", ["red", "red", ...Array(8).fill("blue")]), 0.6, 1e-12);
  // Fewer than 10 answers: the mean over n leave-one-out subsets. 3 answers all "x": 2/3 each.
  assertClose(vqaAccuracy("x", ["x", "x", "y"]), (1 / 3 + 1 / 3 + 2 / 3) / 3, 1e-12);
  assertThrows(() => vqaAccuracy("x", []), InputError, /no reference answers/);
});

Deno.test("processPunctuation follows the reference rules, quirks included", () => {
  // A punctuation mark touching a space is deleted, otherwise replaced by a space.
  assertEquals(processPunctuation("a/b"), "a b");
  assertEquals(processPunctuation("red, white"), "red white");
  // A period followed by a digit stays; others go; the reference removes at most 32 of them.
  assertEquals(processPunctuation("3.5."), "3.5");
  assertEquals(processPunctuation(".".repeat(40)), ".".repeat(8));
  // digit-comma-digit: official needs exactly one comma, lmms-eval accepts several.
  assertEquals(processPunctuation("1,,000 a-b", "official"), "1  000 a b");
  assertEquals(processPunctuation("1,,000 a-b", "lmms"), "1000 ab");
  assertEquals(VQA_CONTRACTIONS.size, 120);
});

Deno.test("scoreVqa: per-item scores, per-type means and the selectable identical-answer mode", () => {
  const items = [
    { id: "1", prediction: "Yes", answers: Array(10).fill("yes"), answerType: "yes/no" },
    {
      id: "2",
      prediction: "2",
      answers: [...Array(7).fill("2"), ...Array(3).fill("two")],
      answerType: "number",
    },
  ];
  const lmms = scoreVqa(items);
  assertEquals(lmms.perItem, { "1": 1, "2": 1 });
  const official = scoreVqa(items, { mode: "official" });
  assertEquals(official.perItem, { "1": 0, "2": 1 });
  assertEquals(official.accuracy, 0.5);
  assertEquals(official.perAnswerType, { "yes/no": 0, number: 1 });
  assertThrows(() => scoreVqa([items[0], items[0]]), InputError, /question 1 is scored twice/);
});
