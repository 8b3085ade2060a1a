import { assertEquals, fixtureTest } from "../../src/testing/mod.ts";
import { extractChoiceLetter, lenientLetterMatch, scoreMcq } from "./mcq.ts";
import { readTestVectors } from "./test_vectors.ts";

fixtureTest("extractChoiceLetter and lenientLetterMatch reproduce every MCQ vector", () => {
  const { choices, gt, cases } = readTestVectors().mcq;
  assertEquals(cases.length, 12);
  for (const c of cases) {
    assertEquals(
      extractChoiceLetter(c.output, Object.keys(choices)),
      c.lmms_eval_extract,
      c.output,
    );
    assertEquals(lenientLetterMatch(c.output, gt), c.nanovlm_regex_correct, c.output);
  }
});

Deno.test("extractChoiceLetter: format priorities by hand", () => {
  // "start" (10) beats "end" (9): output starts with A and ends with B.
  assertEquals(extractChoiceLetter("A is wrong, so B"), "A");
  // answer phrase (7) beats "(X)" (6).
  assertEquals(extractChoiceLetter("Not (C); the answer is D"), "D");
  // Only the fallback finds a letter inside a word; letters outside `choices` are ignored.
  assertEquals(extractChoiceLetter("xAx"), "A");
  assertEquals(extractChoiceLetter("E", ["A", "B", "C", "D"]), "");
  assertEquals(extractChoiceLetter("E", ["A", "B", "C", "D", "E"]), "E");
});

Deno.test("scoreMcq: micro and macro (per-category mean) accuracy", () => {
  const result = scoreMcq([
    { id: "1", output: "A", answer: "A", category: "x" },
    { id: "2", output: "B", answer: "A", category: "x" },
    { id: "3", output: "b", answer: "B", category: "x" },
    { id: "4", output: "(C)", answer: "C", category: "y" },
  ]);
  assertEquals(result.accuracy, 0.5);
  assertEquals(result.perCategory, { x: 1 / 3, y: 1 });
  assertEquals(result.macroAccuracy, (1 / 3 + 1) / 2);
  assertEquals(result.perItem["3"], { extracted: "", correct: 0 });
});
