// RoPE's dynamic scaling past lm_max_position_embeddings, against the float64 reference model (which
// models the original's scaling per call, see src/testing/reference_model.ts).
import {
  type Checkpoint,
  openCheckpoint,
  presetConfig,
  synthesizeCheckpoint,
} from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import { greedyDecode } from "../pipeline/mod.ts";
import { NanoVLMRuntime, type RuntimeOptions } from "../runtime/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  referenceGreedy,
  referenceLogits,
  withTempDir,
} from "../testing/mod.ts";

/** A limit that is not a power of two, so the float32 rounding of `end / limit` matters. */
const LIMIT = 12;

/** Largest |a - b| over the largest |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let [diff, scale] = [0, 0];
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

const ids = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (i * 37 + seed) % 256);

/** Tiny checkpoints of one generation, same weights, with the limit and without it in reach. */
async function checkpoints(
  dir: string,
  preset: string,
): Promise<{ limited: Checkpoint; unlimited: Checkpoint }> {
  const config = presetConfig(preset);
  await synthesizeCheckpoint({ ...config, lm_max_position_embeddings: LIMIT }, `${dir}/limited`, {
    seed: 3,
  });
  await synthesizeCheckpoint(config, `${dir}/unlimited`, { seed: 3 });
  return {
    limited: await openCheckpoint(`${dir}/limited`),
    unlimited: await openCheckpoint(`${dir}/unlimited`),
  };
}

const VARIANTS: [string, RuntimeOptions][] = [
  ["fast", { flavour: "fast" }],
  ["inspect", { flavour: "inspect" }],
  ["com.microsoft", { kernels: "microsoft" }],
];

for (const preset of ["tiny-v0.1", "tiny-v0.2", "tiny-current"]) {
  Deno.test(`RoPE dynamic scaling ${preset}: a prefill past the limit equals the reference`, async () => {
    await withTempDir(async (dir) => {
      const { limited, unlimited } = await checkpoints(dir, preset);
      const tokens = 20; // > LIMIT: every position's frequencies are divided by float32(20 / 12)
      const all = [...Array(tokens).keys()];
      const expected = await referenceLogits(limited, await embed(limited, ids(tokens, 1)), tokens);
      const unscaled = await referenceLogits(
        unlimited,
        await embed(unlimited, ids(tokens, 1)),
        tokens,
      );
      // The scaling is not a rounding matter: without it the logits are far off.
      assert(relativeError(unscaled, expected) > 1e-2, "the scaling should change the logits");
      for (const [name, options] of VARIANTS) {
        const runtime = await NanoVLMRuntime.load(limited, {
          ...options,
          cacheDir: `${dir}/cache`,
        });
        try {
          const { logits } = await runtime.decode({
            embeds: await runtime.embedTokens([ids(tokens, 1)]),
            batch: 1,
            tokens,
            attentionMask: all.map(() => 1),
            positionIds: all,
            logitsIndex: all,
          });
          const error = relativeError(logits, expected);
          assert(error < 1e-5, `${name}: prefill logits relative error ${error}`);
        } finally {
          await runtime.release();
        }
      }
    });
  });
}

for (const preset of ["tiny-v0.2", "tiny-current"]) {
  Deno.test(`RoPE dynamic scaling ${preset}: KV-cached decode steps past the limit equal the reference`, async () => {
    await withTempDir(async (dir) => {
      const { limited } = await checkpoints(dir, preset);
      const [length, steps] = [9, 8]; // decode steps at positions 9..15 cross the limit of 12
      const prompt = {
        embeds: await embed(limited, ids(length, 5)),
        batch: 1,
        length,
        attentionMask: [Array(length).fill(1)],
      };
      const expected = await referenceGreedy(limited, prompt.embeds, length, steps);
      for (const [name, options] of VARIANTS) {
        const runtime = await NanoVLMRuntime.load(limited, {
          ...options,
          cacheDir: `${dir}/cache`,
        });
        try {
          const got = await greedyDecode(runtime, prompt, steps);
          const error = relativeError(got.stepLogits, expected.stepLogits);
          assert(error < 1e-5, `${name}: step logits relative error ${error}`);
          assertEquals(got.ids, expected.ids, `${name}: greedy ids`);
        } finally {
          await runtime.release();
        }
      }
    });
  });
}

Deno.test("RoPE dynamic scaling tiny-v0.1: a KV-cached step past the limit is refused, not wrong", async () => {
  await withTempDir(async (dir) => {
    const { limited } = await checkpoints(dir, "tiny-v0.1");
    const length = 9;
    const prompt = {
      embeds: await embed(limited, ids(length, 5)),
      batch: 1,
      length,
      attentionMask: [Array(length).fill(1)],
    };
    const runtime = await NanoVLMRuntime.load(limited, { cacheDir: `${dir}/cache` });
    try {
      // Up to the limit the cached steps are exact: positions 9, 10, 11 end at 12.
      const within = await greedyDecode(runtime, prompt, 4);
      const expected = await referenceGreedy(limited, prompt.embeds, length, 4);
      assert(relativeError(within.stepLogits, expected.stepLogits) < 1e-5);
      // v0.1 re-encodes everything each step, so past it every cached key would need re-rotating.
      await assertRejects(
        () => greedyDecode(runtime, prompt, 5),
        InputError,
        /lm_max_position_embeddings \(12\)/,
      );
    } finally {
      await runtime.release();
    }
  });
});

/** Token embeddings as the graphs receive them (float32 rows of the tied table). */
async function embed(ckpt: Checkpoint, row: number[]): Promise<Float32Array> {
  const d = ckpt.config.lm_hidden_dim;
  const table = await ckpt.readF32("decoder.head.weight");
  const out = new Float32Array(row.length * d);
  row.forEach((id, t) => out.set(table.subarray(id * d, (id + 1) * d), t * d));
  return out;
}
