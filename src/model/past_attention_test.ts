import { type Checkpoint, openCheckpoint } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import { type KVCache, NanoVLMRuntime } from "../runtime/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  fixturePath,
  fixtureTest,
  withTempDir,
} from "../testing/mod.ts";

/** The largest |a − b| over the largest |b| (plus one). */
function relativeGap(a: Float32Array, b: Float32Array): number {
  assertEquals(a.length, b.length);
  let gap = 0, scale = 1;
  for (let i = 0; i < a.length; i++) {
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return gap / scale;
}

/** Runs `fn` with v0.2-tiny (grouped-query attention: 4 heads, 2 KV heads) loaded fast and inspect. */
async function withBothFlavours(
  fn: (checkpoint: Checkpoint, fast: NanoVLMRuntime, inspect: NanoVLMRuntime) => Promise<void>,
): Promise<void> {
  await withTempDir(async (cacheDir) => {
    const checkpoint = await openCheckpoint(fixturePath("reference", "v0.2-tiny", "checkpoint"));
    const fast = await NanoVLMRuntime.load(checkpoint, { cacheDir, flavour: "fast" });
    const inspect = await NanoVLMRuntime.load(checkpoint, { cacheDir, flavour: "inspect" });
    try {
      await fn(checkpoint, fast, inspect);
    } finally {
      await fast.release();
      await inspect.release();
    }
  });
}

fixtureTest(
  "past attention: the fast decoder over a long, left-padded cache equals the original's explicit attention",
  async () => {
    await withBothFlavours(async (checkpoint, fast, inspect) => {
      assert(!fast.outputNames("decoder").some((n) => n.startsWith("present.")));
      assert(fast.outputNames("decoder").includes("added.0.key"));
      assert(fast.outputNames("decoder").includes("added.all"));
      const d = checkpoint.config.lm_hidden_dim;
      // Two rows: the second starts with 20 padding positions.
      const pad = 20, first = 100, second = 50;
      const mask = (length: number) =>
        [0, 1].flatMap((row) => Array.from({ length }, (_, i) => row === 1 && i < pad ? 0 : 1));
      const positions = (from: number, tokens: number) =>
        [0, 1].flatMap((row) =>
          Array.from({ length: tokens }, (_, i) => Math.max(0, from + i - (row ? pad : 0)))
        );
      let seed = 7;
      const embeds = (tokens: number) =>
        new Float32Array(2 * tokens * d).map(() => {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          return seed / 2 ** 31 - 0.5;
        });
      const caches: Record<string, KVCache | undefined> = {};
      const logits: Record<string, Float32Array[]> = { fast: [], inspect: [] };
      // A prefill, a second chunk of new tokens on the cache (a causal mask among them), then
      // single tokens on a cache of 150 positions.
      const steps = [
        { embeds: embeds(first), tokens: first, from: 0, logitsIndex: [first - 1] },
        {
          embeds: embeds(second),
          tokens: second,
          from: first,
          logitsIndex: [...Array(second).keys()],
        },
        ...[0, 1, 2].map((i) => ({
          embeds: embeds(1),
          tokens: 1,
          from: first + second + i,
          logitsIndex: [0],
        })),
      ];
      for (const step of steps) {
        for (const [name, runtime] of [["fast", fast], ["inspect", inspect]] as const) {
          const out = await runtime.decode({
            embeds: step.embeds,
            batch: 2,
            tokens: step.tokens,
            attentionMask: mask(step.from + step.tokens),
            positionIds: positions(step.from, step.tokens),
            logitsIndex: step.logitsIndex,
            cache: caches[name],
          });
          caches[name] = out.cache;
          logits[name].push(out.logits);
        }
      }
      logits.fast.forEach((l, i) => {
        const gap = relativeGap(l, logits.inspect[i]);
        assert(gap < 1e-4, `step ${i}: logits differ by ${gap} of their scale`);
      });
      // The cache grown outside the graph equals the inspect graph's present outputs.
      assertEquals(caches.fast!.length, first + second + 3);
      for (const i of [0, checkpoint.config.lm_n_blocks - 1]) {
        for (const kind of ["key", "value"] as const) {
          const gap = relativeGap(
            caches.fast!.layers[i][kind].data as Float32Array,
            caches.inspect!.layers[i][kind].data as Float32Array,
          );
          assert(gap < 1e-4, `block ${i} ${kind}s differ by ${gap}`);
        }
      }
    });
  },
);

fixtureTest(
  "past attention: a cache with spare slots from a fast decoder, given to a decoder that returns whole caches, is a named error",
  async () => {
    await withBothFlavours(async (checkpoint, fast, inspect) => {
      const d = checkpoint.config.lm_hidden_dim;
      const step = (cache?: KVCache) => ({
        embeds: new Float32Array(3 * d).fill(0.1),
        batch: 1,
        tokens: 3,
        attentionMask: Array((cache?.length ?? 0) + 3).fill(1),
        positionIds: [0, 1, 2].map((i) => (cache?.length ?? 0) + i),
        cache,
        arena: fast.cacheArena(1, 100),
      });
      const { cache } = await fast.decode(step());
      assert(cache.slots > cache.length, `slots ${cache.slots}, length ${cache.length}`);
      await assertRejects(() => inspect.decode(step(cache)), InputError, /spare slots/);
    });
  },
);
