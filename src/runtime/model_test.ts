import { openCheckpoint } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import { assertRejects, fixturePath, fixtureTest, withTempDir } from "../testing/mod.ts";
import { NanoVLMRuntime } from "./model.ts";

fixtureTest(
  "runtime: wrong shapes, ragged ids, non-integer positions and missing outputs are named errors",
  async () => {
    await withTempDir(async (cacheDir) => {
      const runtime = await NanoVLMRuntime.load(
        await openCheckpoint(fixturePath("reference", "v0.1-tiny", "checkpoint")),
        { cacheDir },
      );
      try {
        const d = runtime.config.lm_hidden_dim;
        await assertRejects(
          () => runtime.encodeImages(new Float32Array(10), 1),
          InputError,
          /pixel values: 10 values/,
        );
        await assertRejects(
          () => runtime.embedTokens([[1, 2], [3]]),
          InputError,
          /different lengths/,
        );
        const embeds = new Float32Array(2 * d);
        await assertRejects(
          () =>
            runtime.decode({
              embeds,
              batch: 1,
              tokens: 2,
              attentionMask: [1],
              positionIds: [0, 1],
            }),
          InputError,
          /attention mask: 1 values, expected 2/,
        );
        await assertRejects(
          () =>
            runtime.decode({
              embeds,
              batch: 1,
              tokens: 2,
              attentionMask: [1, 1],
              positionIds: [0, 0.5],
            }),
          InputError,
          /integers/,
        );
        await assertRejects(
          () =>
            runtime.decode({
              embeds,
              batch: 1,
              tokens: 2,
              attentionMask: [1, 1],
              positionIds: [0, 1],
              logitsIndex: [2],
            }),
          InputError,
          /logits index out of range/,
        );
        await assertRejects(
          () =>
            runtime.decode({
              embeds,
              batch: 1,
              tokens: 2,
              attentionMask: [1, 1],
              positionIds: [0, 1],
              taps: ["lm.block0"],
            }),
          InputError,
          /has no output lm.block0/,
        );
      } finally {
        await runtime.release();
      }
    });
  },
);
