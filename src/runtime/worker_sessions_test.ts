import { openCheckpoint } from "../checkpoint/mod.ts";
import { EngineError } from "../errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  fixturePath,
  fixtureTest,
  withTempDir,
} from "../testing/mod.ts";
import { eventLoopDelay } from "./event_loop.ts";
import { NanoVLMRuntime } from "./model.ts";

/** A prefill step of `batch` rows of `tokens` tokens (text-only embeddings), built once. */
function prefillStep(runtime: NanoVLMRuntime, batch: number, tokens: number) {
  const d = runtime.config.lm_hidden_dim;
  return {
    embeds: new Float32Array(batch * tokens * d).map((_, i) => Math.sin(i) * 0.1),
    batch,
    tokens,
    attentionMask: new Array(batch * tokens).fill(1),
    positionIds: Array.from({ length: batch * tokens }, (_, i) => i % tokens),
  };
}

/** Runs a prefill (inputs built before, so that only the run is measured). */
function prefill(runtime: NanoVLMRuntime, batch: number, tokens: number) {
  const step = prefillStep(runtime, batch, tokens);
  return () => runtime.decode(step);
}

fixtureTest(
  "worker: same logits as in this thread; the event loop keeps running during a long prefill; release ends it",
  async () => {
    await withTempDir(async (cacheDir) => {
      const checkpoint = await openCheckpoint(fixturePath("reference", "v0.1-tiny", "checkpoint"));
      const local = await NanoVLMRuntime.load(checkpoint, { cacheDir });
      const remote = await NanoVLMRuntime.load(checkpoint, { cacheDir, worker: true });
      try {
        assertEquals(remote.inWorker, true);
        assertEquals(remote.threads, local.threads);
        const a = await prefill(local, 2, 9)();
        const b = await prefill(remote, 2, 9)();
        assertEquals(Array.from(b.logits), Array.from(a.logits));
        // Grow the prefill until it blocks this thread for a while when run here ...
        let tokens = 256;
        let blocked = await eventLoopDelay(prefill(local, 8, tokens));
        while (blocked.ms < 250 && tokens < 8192) {
          tokens *= 2;
          blocked = await eventLoopDelay(prefill(local, 8, tokens));
        }
        assert(blocked.ms >= 250, `a prefill of 8 x ${tokens} took only ${blocked.ms} ms`);
        // ... then the same prefill in the Worker leaves the event loop free.
        const free = await eventLoopDelay(prefill(remote, 8, tokens));
        console.log(
          `prefill 8 x ${tokens}: in this thread ${blocked.ms.toFixed(0)} ms, event-loop delay ${
            blocked.maxDelayMs.toFixed(0)
          } ms; in a Worker ${free.ms.toFixed(0)} ms, delay ${
            free.maxDelayMs.toFixed(1)
          } ms (${free.ticks} ticks)`,
        );
        // The run itself is one synchronous call here: one tick is late by most of its time.
        assert(
          blocked.maxDelayMs >= 0.5 * blocked.ms,
          `the in-thread run should block the loop (delay ${blocked.maxDelayMs} of ${blocked.ms} ms)`,
        );
        // < 50 ms on a machine with a core to spare; on an overloaded one the main thread also waits
        // for a core, so the bound grows with the run (still far below blocking for all of it).
        assert(
          free.maxDelayMs < Math.max(50, 0.25 * free.ms),
          `event-loop delay ${free.maxDelayMs} ms during a ${free.ms} ms run in a Worker`,
        );
        assert(free.ticks > 0, "no timer fired while the Worker ran");
      } finally {
        await local.release();
        await remote.release();
      }
      await assertRejects(prefill(remote, 1, 2), EngineError, /released/);
    });
  },
);
