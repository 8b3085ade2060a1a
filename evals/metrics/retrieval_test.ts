import { assertClose, assertEquals, assertThrows, fixtureTest } from "../../src/testing/mod.ts";
import { InputError } from "../../src/mod.ts";
import { blockCaptionMapping, scoreRetrieval } from "./retrieval.ts";
import { readTestVectors } from "./test_vectors.ts";

fixtureTest("scoreRetrieval reproduces R1 and R2 (BLIP itm_eval values, 6 decimals)", () => {
  for (const [name, v] of Object.entries(readTestVectors().retrieval)) {
    const result = scoreRetrieval(v.S_image_by_caption, v.caption_to_image);
    for (const direction of ["i2t", "t2i"] as const) {
      const expected = v[direction];
      const got = result[direction];
      assertEquals(got.ranks, expected.ranks_1based, `${name} ${direction} ranks`);
      for (const key of ["R@1", "R@5", "R@10"] as const) {
        assertClose(got[key], expected[key] as number, 1e-6, `${name} ${direction} ${key}`);
      }
      assertClose(got.medianRank, expected.medr as number, 1e-12, `${name} ${direction} medr`);
      assertClose(got.meanRank, expected.meanr as number, 1e-6, `${name} ${direction} meanr`);
      assertClose(got.mrr, expected.mrr as number, 1e-6, `${name} ${direction} mrr`);
    }
    assertClose(result.rsum, v.rsum, 2e-6, `${name} rsum`);
  }
});

Deno.test("scoreRetrieval: ties are pessimistic by default, optimistic on request", () => {
  // A constant scorer: every image and caption tied. Pessimistic: all wrong items ahead.
  const S = [[1, 1, 1], [1, 1, 1], [1, 1, 1]];
  assertEquals(scoreRetrieval(S, [0, 1, 2]).i2t.ranks, [3, 3, 3]);
  assertEquals(scoreRetrieval(S, [0, 1, 2], { ties: "optimistic" }).t2i.ranks, [1, 1, 1]);
  // Two tied correct captions of one image do not push each other down.
  assertEquals(scoreRetrieval([[0.5, 0.5, 0.1], [0, 0, 1]], [0, 0, 1]).i2t.ranks, [1, 1]);
});

Deno.test("scoreRetrieval: median of an even count and bad input", () => {
  // i2t ranks0 [0, 3] → median 1.5 → floor + 1 = 2; mean 1.5 + 1 = 2.5; MRR (1 + 1/4)/2.
  const S = [[0.9, 0.1, 0.2, 0.3], [0.8, 0.7, 0.95, 0.99]];
  const { i2t } = scoreRetrieval(S, [0, 1, 2, 3].map((j) => (j === 1 ? 1 : 0)));
  assertEquals(i2t.ranks, [1, 4]);
  assertEquals([i2t.medianRank, i2t.meanRank, i2t.mrr], [2, 2.5, (1 + 1 / 4) / 2]);
  assertThrows(() => scoreRetrieval([[1, 2]], [0]), InputError, /row 0 has 2 entries/);
  assertThrows(() => scoreRetrieval([[1], [2]], [0]), InputError, /image 1 has no caption/);
  assertThrows(() => scoreRetrieval([[NaN]], [0]), InputError, /not a finite number/);
  assertEquals(blockCaptionMapping(5, 2), [0, 0, 1, 1, 2]);
});
