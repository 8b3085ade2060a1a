import { InputError } from "../../errors.ts";
import { golden, goldenShape, openFixture } from "../../parity/mod.ts";
import {
  assertClose,
  assertEquals,
  assertRejects,
  assertThrows,
  fixtureFile,
  fixturePath,
  fixtureTest,
  REFERENCE_FIXTURES,
  withFixtureModel,
} from "../../testing/mod.ts";
import { embed, poolRows } from "./embed.ts";

/** Mean over the leading axes of a row-major tensor whose last axis is `dim`. */
function meanRows(data: Float32Array, dim: number): number[] {
  const rows = data.length / dim;
  return Array.from({ length: dim }, (_, d) => {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += data[r * dim + d];
    return sum / rows;
  });
}

function assertVectorClose(got: Float32Array, want: ArrayLike<number>, tolerance: number) {
  assertEquals(got.length, want.length);
  got.forEach((v, i) => assertClose(v, want[i], tolerance, `[${i}]`));
}

Deno.test("poolRows: mean and last by hand", () => {
  const data = new Float32Array([1, 2, 3, 6, 5, 10]); // 3 rows of width 2
  assertEquals([...poolRows(data, 2, "mean")], [3, 6]);
  assertEquals([...poolRows(data, 2, "last")], [5, 10]);
});

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `embed ${name}: projector, vision and decoder features equal the goldens`,
    async () => {
      const fixture = await openFixture(fixturePath("reference", name));
      const image = fixtureFile(name, "image_a.png");
      await withFixtureModel(name, async (model) => {
        const dim = model.config.lm_hidden_dim;
        // projector: the mean over tokens of encodeImages on the fixture's own pixel values.
        const pixels = (await golden(fixture, "pixel_values"))!;
        const { embeds } = await model.runtime.encodeImages(
          pixels,
          goldenShape(fixture, "pixel_values")[0],
        );
        const projector = await embed(model, { image }, { source: "projector" });
        assertVectorClose(projector.vector, meanRows(embeds, dim), 1e-4);
        assertVectorClose(
          projector.vector,
          meanRows((await golden(fixture, "mp.output"))!, dim),
          1e-4,
        );
        const last = await embed(model, { image }, { source: "projector", pool: "last" });
        assertVectorClose(last.vector, embeds.subarray(embeds.length - dim), 1e-4);
      });
      await withFixtureModel(name, async (model) => {
        const vitDim = model.config.vit_hidden_dim;
        const vision = await embed(model, { image }, { source: "vision" });
        assertVectorClose(
          vision.vector,
          meanRows((await golden(fixture, "vit.output"))!, vitDim),
          1e-4,
        );
        assertEquals(
          vision.positions,
          goldenShape(fixture, "vit.output").slice(0, 2).reduce((a, b) => a * b),
        );
        // decoder: the fixture's single prompt ("What is this?"); lm.hidden over every position.
        const hidden = (await golden(fixture, "lm.hidden"))!;
        const dim = model.config.lm_hidden_dim;
        const decoder = await embed(model, { image }, {
          source: "decoder",
          prompt: "What is this?",
        });
        assertVectorClose(decoder.vector, meanRows(hidden, dim), 1e-4);
        const lastState = await embed(model, { image }, {
          source: "decoder",
          pool: "last",
          prompt: "What is this?",
        });
        assertVectorClose(lastState.vector, hidden.subarray(hidden.length - dim), 1e-4);
      }, "inspect");
    },
  );
}

fixtureTest(
  "embed text: the last hidden state times the tied embeddings gives the fast graph's logits",
  async () => {
    const name = "v0.2-tiny";
    const text = "a red square";
    let fastLogits: Float32Array = new Float32Array(0);
    await withFixtureModel(name, async (model) => {
      const ids = model.tokenizer.encode(text);
      const { logits } = await model.runtime.decode({
        embeds: await model.runtime.embedTokens([ids]),
        batch: 1,
        tokens: ids.length,
        attentionMask: ids.map(() => 1),
        positionIds: ids.map((_, i) => i),
      });
      fastLogits = logits;
    });
    await withFixtureModel(name, async (model) => {
      const { vector } = await embed(model, { text }, { pool: "last" });
      const vocab = model.config.lm_vocab_size;
      const dim = model.config.lm_hidden_dim;
      const table = await model.runtime.embedTokens([Array.from({ length: vocab }, (_, i) => i)]);
      for (let t = 0; t < vocab; t++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += vector[d] * table[t * dim + d];
        assertClose(dot, fastLogits[t], 1e-3, `token ${t}`);
      }
    }, "inspect");
  },
);

fixtureTest(
  "embed: sources the flavour lacks, and texts with image sources, are named errors",
  async () => {
    await withFixtureModel("v0.2-tiny", async (model) => {
      const image = fixtureFile("v0.2-tiny", "image_a.png");
      await assertRejects(
        () => embed(model, { image }, { source: "vision" }),
        InputError,
        /fast flavour/,
      );
      await assertRejects(() => embed(model, { text: "x" }), InputError, /lm.hidden/);
      await assertRejects(
        () => embed(model, { text: "x" }, { source: "projector" }),
        InputError,
        /decoder/,
      );
    });
  },
);

Deno.test("poolRows: nothing to pool is a named error, not NaN", () => {
  assertThrows(() => poolRows(new Float32Array(0), 4, "mean"), InputError, /nothing to embed/);
  assertThrows(() => poolRows(new Float32Array(0), 4, "last"), InputError, /nothing to embed/);
});
