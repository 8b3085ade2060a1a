import { InputError } from "../errors.ts";
import { golden, goldenShape, openFixture, parityBounds } from "../parity/mod.ts";
import { compareTensors } from "../parity/mod.ts";
import { NanoVLM, type Request } from "../pipeline/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
  fixturePath,
  fixtureTest,
  REFERENCE_FIXTURES,
  withTempDir,
} from "../testing/mod.ts";
import { BYTE_LEVEL_TOKENIZER } from "../testing/tokenizers/mod.ts";
import { lensWeights, logitLens } from "./logit_lens.ts";
import { traceVitRollout } from "./rollout.ts";
import { TraceBudgetError } from "./trace_budget.ts";

/** The fixture's single case: image_a with "What is this?" (what `ask` sends). */
function fixtureRequest(name: string): Request {
  return { images: [fixturePath("reference", name, "image_a.png")], text: "What is this?" };
}

async function withModels(
  name: string,
  fn: (fast: NanoVLM, dir: string) => Promise<void>,
): Promise<void> {
  await withTempDir(async (cacheDir) => {
    const model = await NanoVLM.load(fixturePath("reference", name, "checkpoint"), {
      tokenizer: BYTE_LEVEL_TOKENIZER,
      cacheDir,
    });
    try {
      await fn(model, cacheDir);
    } finally {
      await model.release();
    }
  });
}

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `trace ${name}: every stage equals the original's goldens; logits equal the fast flavour's`,
    async () => {
      const fixture = await openFixture(fixturePath("reference", name));
      await withModels(name, async (model) => {
        const request = fixtureRequest(name);
        const trace = await model.trace(request);
        assertEquals(trace.layout.inputIds, fixture.manifest.cases.single.input_ids);
        let compared = 0;
        for (const stage of trace.tensorNames) {
          const want = await golden(fixture, stage);
          if (!want) continue;
          const got = trace.tensor(stage);
          assertEquals(
            [...got.shape],
            goldenShape(fixture, stage).slice(
              got.rank === goldenShape(fixture, stage).length ? 0 : 1,
            ),
          );
          const c = compareTensors(stage, got.data, want, parityBounds("fp32", stage));
          assert(c.pass, `${stage}: rel ${c.rel}`);
          compared++;
        }
        assert(compared >= 13, `compared only ${compared} stages`);
        // The fast flavour's prefill logits of the same prompt, through the public prepare path.
        const prepared = await model.prepare([request]);
        const all = [...Array(prepared.prompt.length).keys()];
        const fast = await model.runtime.decode({
          embeds: prepared.prompt.embeds,
          batch: 1,
          tokens: prepared.prompt.length,
          attentionMask: prepared.prompt.attentionMask.flat(),
          positionIds: all,
          logitsIndex: all,
        });
        const c = compareTensors(
          "logits",
          trace.logits.data,
          fast.logits,
          parityBounds("fp32", "lm.logits"),
        );
        assert(c.pass, `trace logits vs fast: rel ${c.rel}`);
        // The logit lens of the last layer is the model's own logits.
        const last = model.config.lm_n_blocks - 1;
        const lens = logitLens(trace, await lensWeights(model), {
          positions: "all",
          layers: [last],
          topK: 1,
        });
        // ViT rollout of every tile: a distribution over the tile's patches.
        for (let tile = 0; tile < trace.layout.tiles.length; tile++) {
          const total = traceVitRollout(trace, tile).flat().reduce((a, b) => a + b, 0);
          assert(Math.abs(total - 1) < 1e-5, `tile ${tile} rollout sums to ${total}`);
        }
        for (const cell of lens.cells[0]) {
          const top = trace.topK(cell.position, 1)[0];
          assertEquals(cell.top[0].id, top.id);
          assert(Math.abs(cell.top[0].probability - top.probability) < 1e-5);
        }
      });
    },
  );
}

fixtureTest(
  "trace head-tiny: selected heads and layers are the goldens' slices; roles and tiles",
  async () => {
    const name = "head-tiny";
    const fixture = await openFixture(fixturePath("reference", name));
    await withModels(name, async (model) => {
      const trace = await model.trace(fixtureRequest(name), {
        layers: [1],
        heads: [1, 3],
        stages: ["decoder.attention"],
      });
      assertEquals(trace.tensorNames, ["lm.attn_probs.layer1"]);
      // The graphs it ran on hold just that internal output: nothing else is computed or kept.
      const runtime = await model.inspectRuntime(["lm.attn_probs.layer1"]);
      assertEquals(runtime.outputNames("vision"), ["image_embeds"]);
      assertEquals(
        runtime.outputNames("decoder").filter((n) => !n.startsWith("present.")),
        ["logits", "lm.attn_probs.layer1"],
      );
      const want = (await golden(fixture, "lm.attn_probs.layer1"))!;
      const t = 151;
      const got = trace.attention(1);
      assertEquals([...got.shape], [2, t, t]);
      [1, 3].forEach((head, slot) => {
        const c = compareTensors(
          "head",
          got.at(slot).data,
          want.subarray(head * t * t, (head + 1) * t * t),
        );
        assert(c.pass, `head ${head}: rel ${c.rel}`);
      });
      assertEquals(trace.layout.tiles.map((tile) => tile.name), [
        "global",
        "r1c1",
        "r1c2",
        "r1c3",
        "r2c1",
        "r2c2",
        "r2c3",
      ]);
      const roles = trace.layout.tokens.map((token) => token.role);
      assertEquals(roles.filter((r) => r === "image").length, 7 * 16);
      assertEquals(roles.filter((r) => r === "marker").length, 7);
      assertThrows(
        () => trace.attention(0),
        InputError,
        /layer 0 is not in the trace \(it holds 1\)/,
      );
      assertThrows(() => trace.residual(1), InputError, /holds no decoder.residual/);
    });
  },
);

fixtureTest(
  "trace estimate: the bytes kept, before computing; over the limit is a TraceBudgetError",
  async () => {
    const name = "head-tiny";
    await withModels(name, async (model) => {
      const request = fixtureRequest(name);
      const estimate = await model.estimateTrace(request, { answer: "a b" });
      const trace = await model.trace(request, { answer: "a b" });
      const kept = trace.tensorNames.reduce((a, n) => a + 4 * trace.tensor(n).size, 0);
      assertEquals(estimate.bytes, kept);
      assertEquals(estimate.positions, 151 + 3);
      await assertRejects(
        () => model.trace(request, { answer: "a b", maxBytes: estimate.bytes - 1 }),
        TraceBudgetError,
        /over its limit/,
      );
      await assertRejects(
        () => model.trace(request, { layers: [2] }),
        InputError,
        /decoder layer 2 is out of range: the model has 2 \(0\.\.1\)/,
      );
      await assertRejects(
        () => model.trace(request, { heads: [4] }),
        InputError,
        /decoder head 4 is out of range/,
      );
    });
  },
);

fixtureTest("trace generate: the generated tokens are the fixture's greedy ids", async () => {
  const name = "head-tiny";
  const fixture = await openFixture(fixturePath("reference", name));
  await withModels(name, async (model) => {
    const greedy = fixture.manifest.cases.greedy;
    const expected = greedy.raw_argmax_ids ?? greedy.generated_ids;
    const trace = await model.trace(fixtureRequest(name), {
      generate: { maxNewTokens: 4 },
      stages: ["logits"],
    });
    assertEquals(trace.appendedIds, expected.slice(0, 4));
    assertEquals(trace.layout.tokens.slice(-4).map((t) => t.role), Array(4).fill("generated"));
    // Each generated token is the argmax of the logits at the position before it.
    for (let k = 0; k < 4; k++) {
      assertEquals(trace.topK(trace.layout.promptLength - 1 + k, 1)[0].id, expected[k]);
    }
  });
});
