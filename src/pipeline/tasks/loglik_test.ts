import { InputError } from "../../errors.ts";
import {
  assertClose,
  assertEquals,
  assertRejects,
  assertThrows,
  fixtureFile,
  fixtureTest,
  handLogProbs,
  REFERENCE_FIXTURES,
  withFixtureModel,
} from "../../testing/mod.ts";
import {
  continuationIds,
  continuationLogLikelihoods,
  continuationSeparator,
  logSoftmaxAt,
} from "./loglik.ts";

Deno.test("logSoftmaxAt: hand-computed values", () => {
  // softmax([0, ln 3]) = [1/4, 3/4]
  assertClose(logSoftmaxAt([0, Math.log(3)], 1), Math.log(0.75), 1e-12);
  assertClose(logSoftmaxAt([0, Math.log(3)], 0), Math.log(0.25), 1e-12);
  // A shift of every logit changes nothing, even far outside exp's range.
  assertClose(logSoftmaxAt([1000, 1000 + Math.log(3)], 0), Math.log(0.25), 1e-12);
});

Deno.test("continuationSeparator: a space after Answer:, none after the assistant header", () => {
  assertEquals(continuationSeparator("v0.1"), " ");
  assertEquals(continuationSeparator("v0.2"), " ");
  assertEquals(continuationSeparator("current"), "");
  assertEquals(continuationSeparator("current", "Answer:"), " ");
  assertEquals(continuationSeparator("current", "Answer: "), "");
});

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `loglik ${name}: the batched forward equals the token-by-token cached path (hand log-softmax)`,
    async () => {
      await withFixtureModel(name, async (model) => {
        const queries = [
          { image: "image_a.png", text: "What is this?", continuation: "a red square" },
          { image: "image_b.png", text: "Color?", continuation: "blue" },
          { image: "image_a.png", text: "Describe it.", continuation: "a picture of nothing" },
        ].map((q) => ({
          request: { images: [fixtureFile(name, q.image)], text: q.text },
          continuation: q.continuation,
        }));
        // Batch of 2 then 1: rows of different lengths are padded together.
        const scores = await continuationLogLikelihoods(model, queries, { batchSize: 2 });
        for (const [i, { request, continuation }] of queries.entries()) {
          // The continuation convention written out by hand: " " + text after "Answer:".
          const text = (model.config.generation === "current" ? "" : " ") + continuation;
          const ids = model.tokenizer.encode(text, { addSpecialTokens: false });
          assertEquals(scores[i].tokens, ids);
          const expected = await handLogProbs(model, request, ids);
          scores[i].logProbs.forEach((lp, j) => assertClose(lp, expected[j], 1e-4, `${i}.${j}`));
          const sum = expected.reduce((a, b) => a + b, 0);
          assertClose(scores[i].sum, sum, 1e-3);
          assertClose(scores[i].mean, sum / ids.length, 1e-4);
        }
      });
    },
  );
}

fixtureTest("loglik: empty continuations and bad batch sizes are named errors", async () => {
  await withFixtureModel("v0.2-tiny", async (model) => {
    assertThrows(() => continuationIds(model.tokenizer, "  "), InputError, /empty continuation/);
    const request = { images: [fixtureFile("v0.2-tiny", "image_a.png")], text: "x" };
    await assertRejects(
      () => continuationLogLikelihoods(model, [{ request, continuation: "y" }], { batchSize: 0 }),
      InputError,
      /batch size/,
    );
  });
});
