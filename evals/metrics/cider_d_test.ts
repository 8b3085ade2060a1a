import { assertClose, assertEquals } from "../../src/testing/mod.ts";
import { cider } from "./cider_d.ts";

Deno.test("cider: hand derivation of metrics.md C1 (two images, w = ln 2)", () => {
  const result = cider(["red circle", "blue circle"], [["red circle"], ["blue square"]]);
  assertClose(result.perItem[0], 5, 1e-12); // sim_1 = sim_2 = 1, 10·2/4
  assertClose(result.perItem[1], 1.25, 1e-12); // sim_1 = 0.5, 10·0.5/4
  assertClose(result.corpus, 3.125, 1e-12);
});

Deno.test("cider: hand derivation of C3's length penalty and clipping", () => {
  // sim_1 = 1/3, sim_2 = 1/√13, penalty exp(-(5-1)²/72); 10·(1/3 + 1/√13)/4·penalty.
  const expected = 10 * ((1 / 3 + 1 / Math.sqrt(13)) / 4) * Math.exp(-16 / 72);
  const result = cider(["red circle red circle red circle", "blue square"], [["red circle"], [
    "blue square",
  ]]);
  assertClose(result.perItem[0], expected, 1e-12);
});

Deno.test("cider: one image (ln 1 = 0) and refs shared by every image both give 0", () => {
  assertEquals(cider(["a dog runs"], [["a dog runs"]]).perItem, [0]);
  assertEquals(cider(["a b", "a b"], [["a b"], ["a b"]]).perItem, [0, 0]);
});

Deno.test("cider: document frequencies come from the references of the evaluated set", () => {
  // Candidate "red square" vs ref "red circle"; no shared bigram, equal lengths, so the score is
  // 10·sim_1/4. Two images (refs "red circle", "blue square"): every unigram has df 1, weight
  // ln 2, sim_1 = 1/2. Adding a third image "red square": N = 3, red and square have df 2
  // (weight a = ln 3/2), circle df 1 (weight b = ln 3): sim_1 = a² / (√2·a · √(a² + b²)).
  const refs = [["red circle"], ["blue square"], ["red square"]];
  const subset = cider(["red square", "blue square"], refs.slice(0, 2));
  assertClose(subset.perItem[0], 10 * 0.5 / 4, 1e-12);
  const all = cider(["red square", "blue square", "red square"], refs);
  const [a, b] = [Math.log(1.5), Math.log(3)];
  assertClose(all.perItem[0], (10 * (a / (Math.SQRT2 * Math.hypot(a, b)))) / 4, 1e-12);
});
