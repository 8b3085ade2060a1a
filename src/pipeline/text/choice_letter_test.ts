import { assertEquals } from "../../testing/mod.ts";
import { extractChoiceLetter } from "./choice_letter.ts";

Deno.test("extractChoiceLetter: short model answers as the choose task sees them", () => {
  const cases: [string, string[], string][] = [
    ["B", ["A", "B"], "B"],
    [" C.\n", ["A", "B", "C"], "C"],
    ["(D) nothing", ["A", "B", "C", "D"], "D"],
    ["The answer is A", ["A", "B"], "A"],
    // Lowercase is no letter; letters beyond the options are ignored.
    ["b", ["A", "B"], ""],
    ["E", ["A", "B", "C", "D"], ""],
    ["", ["A", "B"], ""],
    // Start beats end: "A ... B" picks A.
    ["A, not B", ["A", "B"], "A"],
  ];
  for (const [output, choices, expected] of cases) {
    assertEquals(extractChoiceLetter(output, choices), expected, JSON.stringify(output));
  }
});
