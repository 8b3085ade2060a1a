import { openCheckpoint } from "../../checkpoint/mod.ts";
import { NanoVLMRuntime } from "../../runtime/mod.ts";
import { assert, assertEquals, fixturePath, fixtureTest, withTempDir } from "../../testing/mod.ts";
import { greedyDecode } from "./generate.ts";

fixtureTest(
  "generation loop: the preallocated cache and the Worker (cache lent each step) give the same ids and logits as fresh tensors",
  async () => {
    await withTempDir(async (cacheDir) => {
      const checkpoint = await openCheckpoint(fixturePath("reference", "v0.1-tiny", "checkpoint"));
      const local = await NanoVLMRuntime.load(checkpoint, { cacheDir });
      const remote = await NanoVLMRuntime.load(checkpoint, { cacheDir, worker: true });
      try {
        const d = local.config.lm_hidden_dim;
        const length = 7;
        const prompt = {
          embeds: new Float32Array(2 * length * d).map((_, i) => Math.cos(i) * 0.2),
          batch: 2,
          length,
          attentionMask: [[0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]],
        };
        // The truth: a loop of its own, every step on fresh onnxruntime-allocated tensors.
        const vocab = local.config.lm_vocab_size;
        const expected: number[][] = [[], []];
        const masks = prompt.attentionMask.map((m) => [...m]);
        let step = await local.decode({
          embeds: prompt.embeds,
          batch: 2,
          tokens: length,
          attentionMask: masks.flat(),
          positionIds: masks.flatMap((m) => m.map((_, i) => i)),
        });
        const steps = 12;
        const expectedLogits: number[] = [];
        for (let s = 0; s < steps; s++) {
          const ids = [0, 1].map((row) => {
            const logits = step.logits.subarray(row * vocab, (row + 1) * vocab);
            expectedLogits.push(...logits);
            return logits.indexOf(Math.max(...logits));
          });
          ids.forEach((id, row) => expected[row].push(id));
          masks.forEach((m) => m.push(1));
          step = await local.decode({
            ids: ids.map((id) => [id]),
            batch: 2,
            tokens: 1,
            attentionMask: masks.flat(),
            positionIds: [length + s, length + s],
            cache: step.cache,
          });
        }
        const runs = [];
        for (const runtime of [local, remote]) {
          const { ids, stepLogits } = await greedyDecode(runtime, prompt, steps);
          assertEquals(ids, expected);
          // greedyDecode stores [step, batch, vocab]; the loop above pushed in the same order.
          // The arena's spare slots are masked positions: they change the order of the sums in
          // the attention, not what it computes.
          let gap = 0, scale = 1;
          stepLogits.forEach((x, i) => {
            gap = Math.max(gap, Math.abs(x - expectedLogits[i]));
            scale = Math.max(scale, Math.abs(expectedLogits[i]));
          });
          assert(gap / scale < 1e-5, `logits differ by ${gap / scale} of their scale`);
          runs.push(Array.from(stepLogits));
        }
        // The Worker (its cache lent to it and back each step) computes exactly what this thread does.
        assertEquals(runs[1], runs[0]);
      } finally {
        await local.release();
        await remote.release();
      }
    });
  },
);
