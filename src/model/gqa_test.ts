import { openCheckpoint } from "../checkpoint/mod.ts";
import { EngineError } from "../errors.ts";
import { compareTensors, golden, goldenShape, openFixture } from "../parity/mod.ts";
import { greedyDecode } from "../pipeline/mod.ts";
import { NanoVLMRuntime } from "../runtime/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  fixturePath,
  fixtureTest,
  REFERENCE_FIXTURES,
  withTempDir,
} from "../testing/mod.ts";

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `com.microsoft kernels ${name}: prefill logits and KV-cached greedy ids equal the goldens`,
    async () => {
      await withTempDir(async (cacheDir) => {
        const fixture = await openFixture(fixturePath("reference", name));
        const checkpoint = await openCheckpoint(`${fixture.dir}/checkpoint`);
        const runtime = await NanoVLMRuntime.load(checkpoint, { kernels: "microsoft", cacheDir });
        try {
          const embeds = (await golden(fixture, "lm.inputs_embeds"))!;
          const length = goldenShape(fixture, "lm.inputs_embeds")[1];
          const all = [...Array(length).keys()];
          const prefill = await runtime.decode({
            embeds,
            batch: 1,
            tokens: length,
            attentionMask: all.map(() => 1),
            positionIds: all,
            logitsIndex: all,
          });
          const c = compareTensors(
            "lm.logits",
            prefill.logits,
            (await golden(fixture, "lm.logits"))!,
          );
          assert(c.pass, `lm.logits rel ${c.rel}`);
          const prompt = { embeds, batch: 1, length, attentionMask: [all.map(() => 1)] };
          const { ids } = await greedyDecode(runtime, prompt, 12);
          assertEquals(
            ids[0],
            fixture.manifest.cases.greedy.raw_argmax_ids ??
              fixture.manifest.cases.greedy.generated_ids,
          );
          // Left padding cannot be expressed to GroupQueryAttention: refused, not silently wrong.
          await assertRejects(
            () =>
              runtime.decode({
                embeds,
                batch: 1,
                tokens: length,
                attentionMask: all.map((i) => i === 0 ? 0 : 1),
                positionIds: all,
              }),
            EngineError,
            /left padding/,
          );
        } finally {
          await runtime.release();
        }
      });
    },
  );
}
