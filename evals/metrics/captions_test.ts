import {
  assert,
  assertClose,
  assertEquals,
  assertThrows,
  fixtureTest,
} from "../../src/testing/mod.ts";
import { InputError } from "../../src/mod.ts";
import { CAPTION_METRICS, scoreCaptions } from "./captions.ts";
import { readTestVectors } from "./test_vectors.ts";

const TOLERANCE = 1e-9;

fixtureTest("scoreCaptions reproduces every pycocoevalcap captioning vector (1e-9)", () => {
  const vectors = readTestVectors().captioning;
  assertEquals(Object.keys(vectors).length, 9);
  for (const [name, v] of Object.entries(vectors)) {
    const ids = Object.keys(v.gts);
    const result = scoreCaptions(
      ids.map((id) => ({ id, candidate: v.res[id][0], references: v.gts[id] })),
      { tokenize: "none" },
    );
    const corpus = result.corpus;
    [corpus.bleu1, corpus.bleu2, corpus.bleu3, corpus.bleu4].forEach((value, k) =>
      assertClose(value, v.bleu_corpus[k], TOLERANCE, `${name} corpus BLEU-${k + 1}`)
    );
    assertClose(corpus.ciderD, v.cider_d_corpus, TOLERANCE, `${name} corpus CIDEr-D`);
    assertClose(corpus.rougeL, v.rouge_l_corpus, TOLERANCE, `${name} corpus ROUGE-L`);
    ids.forEach((id, i) => {
      const item = result.perItem[id];
      [item.bleu1, item.bleu2, item.bleu3, item.bleu4].forEach((value, k) =>
        assertClose(value, v.bleu_per_image[id][k], TOLERANCE, `${name} image ${id} BLEU-${k + 1}`)
      );
      assertClose(item.ciderD, v.cider_d_per_image[i], TOLERANCE, `${name} image ${id} CIDEr-D`);
      assertClose(item.rougeL, v.rouge_l_per_image[i], TOLERANCE, `${name} image ${id} ROUGE-L`);
    });
  }
});

Deno.test("scoreCaptions tokenizes raw captions like pycocoevalcap before scoring", () => {
  // Raw captions whose PTB tokenization is the pre-tokenized text below (punctuation and quotes
  // dropped, lower-cased) must score exactly like that text.
  const result = scoreCaptions([
    { id: "1", candidate: "Red circle.", references: ["A red circle!"] },
    { id: "2", candidate: "Blue, circle", references: ['"Blue" square...'] },
  ]);
  const pretokenized = scoreCaptions([
    { id: "1", candidate: "red circle", references: ["a red circle"] },
    { id: "2", candidate: "blue circle", references: ["blue square"] },
  ], { tokenize: "none" });
  assertEquals(result, pretokenized);
  assertClose(pretokenized.perItem["2"].ciderD, 1.25, 1e-12);
});

Deno.test("tokenize none splits exactly like the scorers (double spaces kept for ROUGE-L)", () => {
  // ROUGE-L splits on single spaces: "a  cat" has the tokens a, "", cat (3 tokens, LCS 2).
  // P = 2/3, R = 1, F = (1 + 1.44)·(2/3)·1 / (1 + 1.44·2/3) = 1.6266…/1.96 = 0.8299…
  const result = scoreCaptions([{ id: "x", candidate: "a  cat", references: ["a cat"] }], {
    tokenize: "none",
  });
  assertClose(result.perItem.x.rougeL, (2.44 * (2 / 3)) / (1 + 1.44 * (2 / 3)), 1e-12);
});

Deno.test("scoreCaptions rejects duplicate ids, missing references and empty input", () => {
  assertThrows(() => scoreCaptions([]), InputError, /no captions/);
  assertThrows(
    () =>
      scoreCaptions([
        { id: "1", candidate: "a", references: ["a"] },
        { id: "1", candidate: "b", references: ["b"] },
      ]),
    InputError,
    /image 1 is scored twice/,
  );
  assertThrows(
    () => scoreCaptions([{ id: "7", candidate: "a", references: [] }]),
    InputError,
    /image 7 has no reference/,
  );
});

Deno.test("bootstrap intervals are seeded, bracket the estimate and recompute corpus BLEU", () => {
  const items = Array.from({ length: 30 }, (_, i) => ({
    id: String(i),
    candidate: i % 3 === 0 ? "a red circle on a white background" : "a blue square",
    references: i % 2 === 0
      ? ["a red circle on a white background", "one red circle"]
      : ["a blue square", "one blue square on a white background"],
  }));
  const first = scoreCaptions(items, { bootstrap: { seed: 3, resamples: 200 } });
  const again = scoreCaptions(items, { bootstrap: { seed: 3, resamples: 200 } });
  const other = scoreCaptions(items, { bootstrap: { seed: 4, resamples: 200 } });
  assertEquals(first.intervals, again.intervals);
  assert(JSON.stringify(first.intervals) !== JSON.stringify(other.intervals), "seed has no effect");
  for (const name of CAPTION_METRICS) {
    const interval = first.intervals![name];
    assertEquals(interval.estimate, first.corpus[name]);
    assert(interval.low <= interval.estimate && interval.estimate <= interval.high, name);
    assert(interval.low < interval.high, `${name} interval is degenerate`);
  }
});
