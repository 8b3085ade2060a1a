import { InputError } from "../errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  BYTE_LEVEL_TOKENIZER,
  fixtureManifest,
  fixturePath,
  fixtureTest,
  REFERENCE_FIXTURES,
  withTempDir,
} from "../testing/mod.ts";
import { openCheckpoint } from "../checkpoint/mod.ts";
import { NanoVLMRuntime } from "../runtime/mod.ts";
import { NanoVLM } from "./nanovlm.ts";
import { prepareBatch } from "./prepare.ts";
import { generateText } from "./generation/mod.ts";
import { loadTokenizer } from "./text/mod.ts";

/** The prompt texts the fixtures were made from (fixtures README: single and padded batch). */
const TEXTS: Record<string, [string, string]> = {
  "v0.1-tiny": ["What is this?", "Color?"],
  "v0.2-tiny": ["What is this?", "Color?"],
  "head-tiny": ["What is this?", "Describe it."],
};

async function withModel(name: string, fn: (model: NanoVLM) => Promise<void>) {
  await withTempDir(async (cacheDir) => {
    const model = await NanoVLM.load(fixturePath("reference", name, "checkpoint"), {
      tokenizer: BYTE_LEVEL_TOKENIZER,
      cacheDir,
    });
    try {
      await fn(model);
    } finally {
      await model.release();
    }
  });
}

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `pipeline ${name}: image files + prompt text reproduce the 12 greedy tokens, single and padded batch`,
    async () => {
      const manifest = fixtureManifest(name);
      const image = (file: string) => fixturePath("reference", name, file);
      await withModel(name, async (model) => {
        const [single] = await model.generate([{
          images: [image("image_a.png")],
          text: TEXTS[name][0],
        }], { maxNewTokens: 12 });
        assertEquals(
          single.tokens,
          manifest.cases.greedy.raw_argmax_ids ?? manifest.cases.greedy.generated_ids,
        );
        const batch = await model.generate([
          { images: [image("image_a.png")], text: TEXTS[name][0] },
          { images: [image("image_b.png")], text: TEXTS[name][1] },
        ], { maxNewTokens: 12 });
        const expected = manifest.cases.padded_batch.greedy_raw_argmax_ids ??
          manifest.cases.padded_batch.greedy_generated_ids;
        assertEquals(batch.map((r) => r.tokens), expected);
        assertEquals(batch[0].text, model.tokenizer.decode(expected[0]));
      });
    },
  );
}

fixtureTest(
  "pipeline: stop strings cut the text, streaming yields the same text, max_new_tokens limits",
  async () => {
    await withModel("head-tiny", async (model) => {
      const request = {
        images: [fixturePath("reference", "head-tiny", "image_a.png")],
        text: "What is this?",
      };
      const [full] = await model.generate([request], { maxNewTokens: 12 });
      // Pretend the 4th greedy token is a stop string: decoding stops right there.
      const stop = model.tokenizer.decode([full.tokens[3]]);
      assert(stop.length > 0, "the 4th greedy token decodes to no text: pick another stop token");
      const [cut] = await model.generate([request], { maxNewTokens: 12, stopStrings: [stop] });
      assertEquals(cut.stopReason, "stop_string");
      assert(!cut.text.includes(stop), `"${cut.text}" still holds the stop string "${stop}"`);
      assert(cut.tokens.length <= 4);
      let streamed = "";
      const stream = model.stream(request, { maxNewTokens: 12 });
      for await (const chunk of stream) streamed += chunk;
      assertEquals(streamed, full.text);
      const [limited] = await model.generate([request], { maxNewTokens: 3 });
      assertEquals(limited.tokens, full.tokens.slice(0, 3));
      assertEquals(limited.stopReason, "length");
    });
  },
);

fixtureTest(
  "pipeline: a row that emits EOS stops there; the other row of the batch runs on",
  async () => {
    await withTempDir(async (cacheDir) => {
      const name = "head-tiny";
      const manifest = fixtureManifest(name);
      const [rowA, rowB] = manifest.cases.padded_batch.greedy_raw_argmax_ids as number[][];
      // Make row A's 4th greedy token the end-of-sequence token (it does not occur in row B).
      const eosId = rowA[3];
      assert(!rowB.includes(eosId) && !rowA.slice(0, 3).includes(eosId));
      const checkpoint = await openCheckpoint(fixturePath("reference", name, "checkpoint"));
      const base = await loadTokenizer(BYTE_LEVEL_TOKENIZER, checkpoint.config);
      const eosToken = [...base.extraTokenIds.entries()].find(([, id]) => id === eosId)?.[0] ??
        base.decode([eosId], { skipSpecialTokens: false });
      const tokenizer = await loadTokenizer(BYTE_LEVEL_TOKENIZER, checkpoint.config, { eosToken });
      assertEquals(tokenizer.eosTokenId, eosId);
      const runtime = await NanoVLMRuntime.load(checkpoint, { cacheDir });
      try {
        const image = (file: string) => fixturePath("reference", name, file);
        // Pad with the original pad id (2) so that the prompts match the fixture's batch.
        const prepared = await prepareBatch(runtime, tokenizer, [
          { images: [image("image_a.png")], text: TEXTS[name][0] },
          { images: [image("image_b.png")], text: TEXTS[name][1] },
        ]);
        const mask = manifest.cases.padded_batch.attention_mask as number[][];
        prepared.batch.inputIds.forEach((row, r) =>
          assertEquals(
            row,
            manifest.cases.padded_batch.input_ids[r].map((id: number, i: number) =>
              mask[r][i] ? id : eosId
            ),
          )
        );
        // Record the batch size of every decoder run: finished rows must stop costing work.
        const decode = runtime.decode.bind(runtime);
        const batchSizes: number[] = [];
        runtime.decode = (step) => {
          batchSizes.push(step.batch);
          return decode(step);
        };
        const [a, b] = await generateText(runtime, tokenizer, prepared, { maxNewTokens: 12 });
        // Prefill + 3 steps for both rows, then row B alone until its 12th token.
        assertEquals(batchSizes, [2, 2, 2, 2, ...Array(8).fill(1)]);
        assertEquals(a.tokens, rowA.slice(0, 4));
        assertEquals(a.stopReason, "eos");
        assertEquals(b.tokens, rowB);
        assertEquals(b.stopReason, "length");
      } finally {
        await runtime.release();
      }
    });
  },
);

fixtureTest("pipeline: seeded sampling is reproducible, and the seed matters", async () => {
  await withModel("v0.2-tiny", async (model) => {
    const request = {
      images: [fixturePath("reference", "v0.2-tiny", "image_a.png")],
      text: "What is this?",
    };
    const sample = async (seed: number) =>
      (await model.generate([request], {
        doSample: true,
        temperature: 1.5,
        seed,
        maxNewTokens: 12,
      }))[0].tokens;
    assertEquals(await sample(7), await sample(7));
    const others = await Promise.all([1, 2, 3].map(sample));
    assert(
      others.some((t) => JSON.stringify(t) !== JSON.stringify(others[0])),
      "three seeds gave the same tokens",
    );
    // A very low temperature concentrates sampling on the greedy path.
    const [greedy] = await model.generate([request], { maxNewTokens: 12 });
    assertEquals(
      (await model.generate([request], {
        doSample: true,
        temperature: 1e-4,
        seed: 3,
        maxNewTokens: 12,
      }))[0].tokens,
      greedy.tokens,
    );
  });
});

fixtureTest(
  "pipeline: --original-sampling is the original generate()'s sampling (spec §8.2)",
  async () => {
    await withModel("v0.2-tiny", async (model) => {
      const request = {
        images: [fixturePath("reference", "v0.2-tiny", "image_a.png")],
        text: "What is this?",
      };
      const tokens = async (options: Record<string, unknown>) =>
        (await model.generate([request], { maxNewTokens: 12, seed: 11, ...options }))[0].tokens;
      // v0.2's generate(): top_k 50, top_p 0.9, temperature 0.5, filtered in that order on raw logits.
      const spelledOut = await tokens({
        doSample: true,
        topK: 50,
        topP: 0.9,
        temperature: 0.5,
        order: "nanovlm",
      });
      assertEquals(await tokens({ originalSampling: true }), spelledOut);
      // Explicit options win over the preset.
      assertEquals(
        await tokens({ originalSampling: true, temperature: 1 }),
        await tokens({ doSample: true, topK: 50, topP: 0.9, temperature: 1, order: "nanovlm" }),
      );
    });
  },
);

fixtureTest("pipeline: bad requests are named errors", async () => {
  await withModel("v0.1-tiny", async (model) => {
    const image = fixturePath("reference", "v0.1-tiny", "image_a.png");
    await assertRejects(
      () => model.generate([{ images: [image, image], text: "Two?" }]),
      InputError,
      /image/,
    );
    await assertRejects(
      () => model.generate([{ images: [image], text: "x" }], { topP: 1.5, doSample: true }),
      InputError,
      /top_p|topP/,
    );
    await assertRejects(
      () => model.generate([{ images: [image], text: "x" }], { numBeams: 0 }),
      InputError,
      /num_beams/,
    );
    await assertRejects(
      () => model.generate([{ images: [image], text: "x" }], { maxNewTokens: -1 }),
      InputError,
      /max_new_tokens/,
    );
    await assertRejects(
      () => model.generate([{ images: [image], text: "x" }], { numBeams: 2, stopStrings: ["."] }),
      InputError,
      /beam search does not apply stop strings/,
    );
    await assertRejects(
      async () => {
        for await (
          const _ of model.stream({ images: [image], text: "x" }, { numReturnSequences: 2 })
        ) {
          // never reached
        }
      },
      InputError,
      /num_return_sequences/,
    );
  });
});

fixtureTest(
  "pipeline: a batch that repeats an image encodes it once, with the same result",
  async () => {
    await withModel("head-tiny", async (model) => {
      const path = fixturePath("reference", "head-tiny", "image_a.png");
      const bytes = await Deno.readFile(path);
      const runtime = model.runtime;
      const encode = runtime.encodeImages.bind(runtime);
      const encoded: number[] = [];
      runtime.encodeImages = (pixels, count, taps) => {
        encoded.push(count);
        return encode(pixels, count, taps);
      };
      const shared = await model.prepare([{ images: [path], text: "What is this?" }, {
        images: [path],
        text: "Color?",
      }]);
      const separate = await model.prepare([
        { images: [bytes], text: "What is this?" },
        { images: [bytes.slice()], text: "Color?" },
      ]);
      assertEquals(encoded, [7, 14]); // 7 tiles once; then two distinct inputs, 7 tiles each
      assertEquals(shared.prompt.embeds, separate.prompt.embeds);
    });
  },
);
