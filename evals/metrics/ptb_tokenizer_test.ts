import { assert, assertEquals } from "../../src/testing/mod.ts";
import { cocoTokenize, ptbTokens } from "./ptb_tokenizer.ts";

interface JarCase {
  input: string;
  ptb: string;
  coco: string;
}

/** Outputs of the real CoreNLP 3.4.1 PTBTokenizer (provenance in the file's `_about`). */
const JAR: { cases: JarCase[] } = JSON.parse(
  Deno.readTextFileSync(new URL("./testdata/ptb_corenlp_3.4.1.json", import.meta.url)),
);

/** Inputs where this tokenizer is known to differ from the Java one (documented in the module). */
const KNOWN_DIFFERENCES = new Set([
  "A dog's-eye view of the kids' toys", // Java: dog 's eye
  "x++ c# f-16", // Java keeps c#
  "a ½ cup", // Java rewrites ½ as 1/2
]);

Deno.test("cocoTokenize equals CoreNLP 3.4.1 + pycocoevalcap's filter on the recorded cases", () => {
  assert(JAR.cases.length >= 80, "the recorded table is incomplete");
  const mismatches = JAR.cases
    .filter((c) => !KNOWN_DIFFERENCES.has(c.input))
    .filter((c) => cocoTokenize(c.input) !== c.coco)
    .map((c) => `${JSON.stringify(c.input)}: expected "${c.coco}", got "${cocoTokenize(c.input)}"`);
  assertEquals(mismatches, []);
});

Deno.test("the known differences from the Java tokenizer are still differences", () => {
  // When one gets fixed, move it out of KNOWN_DIFFERENCES and the module doc.
  for (const c of JAR.cases.filter((c) => KNOWN_DIFFERENCES.has(c.input))) {
    assert(cocoTokenize(c.input) !== c.coco, `${c.input} now matches: update KNOWN_DIFFERENCES`);
  }
  assertEquals(
    JAR.cases.filter((c) => KNOWN_DIFFERENCES.has(c.input)).length,
    KNOWN_DIFFERENCES.size,
  );
});

Deno.test("metrics.md §1.1 table (americanize row corrected by the 3.4.1 jar: grey stays)", () => {
  const table: [string, string][] = [
    ["A man riding a horse.", "a man riding a horse"],
    ["Two dogs, playing in the snow!", "two dogs playing in the snow"],
    ["The dog's ball isn't red.", "the dog 's ball is n't red"],
    ["A black-and-white photo", "a black-and-white photo"],
    ['A "happy" cat', "a happy cat"],
    ["It's 3.5 feet tall.", "it 's 3.5 feet tall"],
    ["Cats... everywhere", "cats everywhere"],
    ["a grey cat", "a grey cat"],
    ["a cat (sleeping) on a bed", "a cat -lrb- sleeping -rrb- on a bed"],
  ];
  for (const [input, expected] of table) assertEquals(cocoTokenize(input), expected, input);
});

Deno.test("ptbTokens keeps the punctuation tokens that pycocoevalcap then filters", () => {
  assertEquals(ptbTokens("Wow!! It's (big)."), [
    "wow",
    "!!",
    "it",
    "'s",
    "-lrb-",
    "big",
    "-rrb-",
    ".",
  ]);
  assertEquals(cocoTokenize(""), "");
  assertEquals(cocoTokenize("   "), "");
});
