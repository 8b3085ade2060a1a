import { openCheckpoint, presetConfig, synthesizeCheckpoint } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
import { compareTensors, type Fixture, golden, goldenShape, openFixture } from "../parity/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { fixturePath, fixtureTest, REFERENCE_FIXTURES } from "./fixtures.ts";
import {
  REFERENCE_MAX_PARAMETERS,
  referenceGreedy,
  referenceInputsEmbeds,
  referenceLogits,
  referenceVision,
} from "./reference_model.ts";
import { withTempDir } from "./temp.ts";

/** The reference runs in float64, so it sits well inside the fp32 parity bound (1e-4). */
const REL = 1e-5;

async function load(name: string) {
  const fixture = await openFixture(fixturePath("reference", name));
  const ckpt = await openCheckpoint(fixturePath("reference", name, "checkpoint"));
  return { fixture, ckpt };
}

async function expectClose(
  fixture: Fixture,
  name: string,
  got: ArrayLike<number>,
  keep?: (i: number) => boolean,
): Promise<number> {
  const c = compareTensors(name, got, (await golden(fixture, name))!, { rel: REL }, keep);
  assert(
    c.pass,
    `${fixture.manifest.fixture} ${name}: reference rel ${c.rel} (max-abs ${c.maxAbs})`,
  );
  return c.rel;
}

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `reference ${name}: vision, projector, merge, logits match the PyTorch goldens`,
    async () => {
      const { fixture, ckpt } = await load(name);
      const pixels = (await golden(fixture, "pixel_values"))!;
      const vision = await referenceVision(ckpt, pixels, goldenShape(fixture, "pixel_values")[0]);
      await expectClose(fixture, "vit.output", vision.vit);
      await expectClose(fixture, "mp.output", vision.projected);

      const ids = fixture.manifest.cases.single.input_ids;
      const merged = await referenceInputsEmbeds(ckpt, [ids], vision.projected);
      await expectClose(fixture, "lm.inputs_embeds", merged.embeds);

      // Logits from the golden decoder input, so the decoder is judged on its own.
      const embeds = (await golden(fixture, "lm.inputs_embeds"))!;
      const tokens = goldenShape(fixture, "lm.inputs_embeds")[1];
      await expectClose(fixture, "lm.logits", await referenceLogits(ckpt, embeds, tokens));
    },
  );

  fixtureTest(`reference ${name}: full-recompute greedy ids equal the PyTorch ones`, async () => {
    const { fixture, ckpt } = await load(name);
    const embeds = (await golden(fixture, "lm.inputs_embeds"))!;
    const tokens = goldenShape(fixture, "lm.inputs_embeds")[1];
    const greedy = fixture.manifest.cases.greedy;
    const run = await referenceGreedy(ckpt, embeds, tokens, greedy.max_new_tokens);
    assertEquals(run.ids[0], greedy.raw_argmax_ids ?? greedy.generated_ids);
  });

  fixtureTest(
    `reference ${name}: padded batch logits and greedy ids match (key mask)`,
    async () => {
      const { fixture, ckpt } = await load(name);
      const batch = fixture.manifest.cases.padded_batch;
      const pixels = (await golden(fixture, "batch.pixel_values"))!;
      const vision = await referenceVision(
        ckpt,
        pixels,
        goldenShape(fixture, "batch.pixel_values")[0],
      );
      const { embeds, length } = await referenceInputsEmbeds(
        ckpt,
        batch.input_ids,
        vision.projected,
      );
      const textMask = (batch.attention_mask ?? batch.attention_mask_text)!;
      const mask = textMask.map((m) => [...Array(length - m.length).fill(1), ...m]);
      const vocab = ckpt.config.lm_vocab_size;
      const valid = (i: number) => {
        const position = Math.floor(i / vocab);
        return batch.valid_lm_positions[Math.floor(position / length)][position % length] === 1;
      };
      await expectClose(
        fixture,
        "batch.logits",
        await referenceLogits(ckpt, embeds, length, mask),
        valid,
      );
      const steps = fixture.manifest.cases.greedy.max_new_tokens;
      const run = await referenceGreedy(ckpt, embeds, length, steps, mask);
      assertEquals(run.ids, batch.greedy_raw_argmax_ids ?? batch.greedy_generated_ids);
    },
  );
}

fixtureTest("reference: a perturbed projector weight is caught on mp.output", async () => {
  const { fixture, ckpt } = await load("v0.2-tiny");
  const pixels = (await golden(fixture, "pixel_values"))!;
  const weights = await ckpt.readF32("MP.proj.weight");
  // The reference reads every tensor through readF32; perturb what it reads.
  const perturbed = {
    ...ckpt,
    readF32: async (n: string) =>
      n === "MP.proj.weight" ? weights.map((v, i) => i === 0 ? v + 0.5 : v) : await ckpt.readF32(n),
  };
  const { projected } = await referenceVision(perturbed, pixels, 1);
  const c = compareTensors("mp.output", projected, (await golden(fixture, "mp.output"))!);
  assert(!c.pass, `perturbation not visible: rel ${c.rel}`);
});

Deno.test("reference refuses checkpoints too large for plain loops", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(presetConfig("tiny-v0.1"), dir);
    const tiny = await openCheckpoint(dir);
    const total = REFERENCE_MAX_PARAMETERS + 1;
    const large = { ...tiny, parameters: { ...tiny.parameters, total } };
    await assertRejects(() => referenceLogits(large, new Float32Array(64), 1), InputError, /tiny/);
  });
});
