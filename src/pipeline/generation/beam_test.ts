import { openCheckpoint } from "../../checkpoint/mod.ts";
import { InputError } from "../../errors.ts";
import { golden, goldenShape, openFixture } from "../../parity/mod.ts";
import { NanoVLMRuntime } from "../../runtime/mod.ts";
import {
  assertClose,
  assertEquals,
  assertThrows,
  fixturePath,
  fixtureTest,
  withTempDir,
} from "../../testing/mod.ts";
import { beamSearch, logSoftmax, validateBeamOptions } from "./beam.ts";
import type { DecoderPrompt } from "./generate.ts";

/** Every two-token continuation of the prompt scored by a full recompute (no KV cache, no beams). */
async function exhaustiveTwoTokens(runtime: NanoVLMRuntime, prompt: DecoderPrompt) {
  const vocab = runtime.config.lm_vocab_size;
  const dim = runtime.config.lm_hidden_dim;
  const first = logSoftmax(
    (await runtime.decode({
      ...prompt,
      tokens: prompt.length,
      attentionMask: prompt.attentionMask[0],
      positionIds: [...Array(prompt.length).keys()],
    })).logits,
  );
  const rows = [...Array(vocab).keys()];
  const tokenEmbeds = await runtime.embedTokens(rows.map((t) => [t]));
  const length = prompt.length + 1;
  const embeds = new Float32Array(vocab * length * dim);
  for (const t of rows) {
    embeds.set(prompt.embeds, t * length * dim);
    embeds.set(tokenEmbeds.subarray(t * dim, (t + 1) * dim), (t * length + prompt.length) * dim);
  }
  const { logits } = await runtime.decode({
    embeds,
    batch: vocab,
    tokens: length,
    attentionMask: rows.flatMap(() => Array(length).fill(1)),
    positionIds: rows.flatMap(() => [...Array(length).keys()]),
  });
  return { first, second: (t: number) => logSoftmax(logits.subarray(t * vocab, (t + 1) * vocab)) };
}

async function withFixtureRuntime(
  fn: (runtime: NanoVLMRuntime, prompt: DecoderPrompt) => Promise<void>,
) {
  await withTempDir(async (cacheDir) => {
    const fixture = await openFixture(fixturePath("reference", "v0.1-tiny"));
    const runtime = await NanoVLMRuntime.load(await openCheckpoint(`${fixture.dir}/checkpoint`), {
      cacheDir,
    });
    try {
      const length = goldenShape(fixture, "lm.inputs_embeds")[1];
      const prompt = {
        embeds: (await golden(fixture, "lm.inputs_embeds"))!,
        batch: 1,
        length,
        attentionMask: [Array(length).fill(1)],
      };
      await fn(runtime, prompt);
    } finally {
      await runtime.release();
    }
  });
}

fixtureTest(
  "beam search with beams covering the space equals exhaustive search (2 tokens, top 3)",
  async () => {
    await withFixtureRuntime(async (runtime, prompt) => {
      const vocab = runtime.config.lm_vocab_size;
      const { first, second } = await exhaustiveTwoTokens(runtime, prompt);
      const all: { tokens: number[]; logProb: number }[] = [];
      for (let a = 0; a < vocab; a++) {
        const next = second(a);
        for (let b = 0; b < vocab; b++) all.push({ tokens: [a, b], logProb: first[a] + next[b] });
      }
      all.sort((x, y) => y.logProb - x.logProb);
      const beams = await beamSearch(runtime, prompt, {
        numBeams: vocab,
        maxNewTokens: 2,
        numReturnSequences: 3,
      });
      assertEquals(beams.map((b) => b.tokens), all.slice(0, 3).map((h) => h.tokens));
      beams.forEach((b, i) => assertClose(b.logProb, all[i].logProb, 1e-4));
    });
  },
);

fixtureTest(
  "beam search with EOS: finished hypotheses are length-normalised against longer ones",
  async () => {
    await withFixtureRuntime(async (runtime, prompt) => {
      const vocab = runtime.config.lm_vocab_size;
      const { first, second } = await exhaustiveTwoTokens(runtime, prompt);
      const eos = 62; // the greedy first token of this fixture, so the EOS path really competes
      const lengthPenalty = 1;
      const all: { tokens: number[]; score: number }[] = [{ tokens: [eos], score: first[eos] }];
      for (let a = 0; a < vocab; a++) {
        if (a === eos) continue;
        const next = second(a);
        for (let b = 0; b < vocab; b++) {
          all.push({ tokens: [a, b], score: (first[a] + next[b]) / 2 ** lengthPenalty });
        }
      }
      all.sort((x, y) => y.score - x.score);
      const beams = await beamSearch(runtime, prompt, {
        numBeams: vocab,
        maxNewTokens: 2,
        numReturnSequences: 2,
        eosTokenIds: [eos],
        lengthPenalty,
      });
      assertEquals(beams.map((b) => b.tokens), all.slice(0, 2).map((h) => h.tokens));
      assertEquals(
        all[0].tokens,
        [eos],
        "the EOS hypothesis should win here, or this test checks nothing about EOS",
      );
    });
  },
);

Deno.test("beam options: bad values are named errors", () => {
  assertThrows(
    () => validateBeamOptions({ numBeams: 0, maxNewTokens: 5 }),
    InputError,
    /num_beams/,
  );
  assertThrows(
    () => validateBeamOptions({ numBeams: 2, maxNewTokens: -1 }),
    InputError,
    /max_new_tokens/,
  );
  assertThrows(
    () => validateBeamOptions({ numBeams: 2, maxNewTokens: 5, numReturnSequences: 3 }),
    InputError,
    /num_return_sequences/,
  );
});
