import { openCheckpoint, readTensorBytes, writeSafetensors } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";
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
import { compareTensors } from "./compare.ts";
import { golden, goldenShape, openFixture } from "./fixture.ts";
import { type ParityReport, runParity } from "./run.ts";
import type { Flavour, Precision } from "../model/mod.ts";

async function parity(
  name: string,
  flavour: Flavour,
  precision: Precision,
  checkpointDir = fixturePath("reference", name, "checkpoint"),
): Promise<ParityReport> {
  return await withTempDir(async (cacheDir) => {
    const fixture = await openFixture(fixturePath("reference", name));
    const runtime = await NanoVLMRuntime.load(await openCheckpoint(checkpointDir), {
      flavour,
      precision,
      cacheDir,
    });
    try {
      return await runParity(fixture, runtime);
    } finally {
      await runtime.release();
    }
  });
}

/** The image embeddings and prefill logits of the fixture's single case in one flavour. */
async function stageOutputs(name: string, flavour: Flavour) {
  return await withTempDir(async (cacheDir) => {
    const fixture = await openFixture(fixturePath("reference", name));
    const checkpoint = await openCheckpoint(fixturePath("reference", name, "checkpoint"));
    const runtime = await NanoVLMRuntime.load(checkpoint, { flavour, cacheDir });
    try {
      const pixels = (await golden(fixture, "pixel_values"))!;
      const vision = await runtime.encodeImages(pixels, goldenShape(fixture, "pixel_values")[0]);
      const embeds = (await golden(fixture, "lm.inputs_embeds"))!;
      const tokens = goldenShape(fixture, "lm.inputs_embeds")[1];
      const all = [...Array(tokens).keys()];
      const { logits } = await runtime.decode({
        embeds,
        batch: 1,
        tokens,
        attentionMask: all.map(() => 1),
        positionIds: all,
        logitsIndex: all,
      });
      return { imageEmbeds: vision.embeds, logits };
    } finally {
      await runtime.release();
    }
  });
}

function describe(report: ParityReport): string {
  return report.stages.filter((s) => !s.pass).map((s) => `${s.name}: rel ${s.rel}`).join("; ");
}

for (const name of REFERENCE_FIXTURES) {
  fixtureTest(
    `parity ${name}: fp32 inspect — every golden stage within 1e-4, greedy ids identical`,
    async () => {
      const report = await parity(name, "inspect", "fp32");
      assert(report.stages.length >= 19, `only ${report.stages.length} stages compared`);
      for (const stage of ["preprocess.pixel_values", "preprocess.batch.pixel_values"]) {
        const s = report.stages.find((x) => x.name === stage);
        assert(s && s.maxAbs <= 1 / 255, `${stage}: ${s?.maxAbs}`);
      }
      assert(report.stages.every((s) => s.pass), describe(report));
      assertEquals(report.greedy.single.got, report.greedy.single.expected);
      assertEquals(report.greedy.batch.got, report.greedy.batch.expected);
      assert(report.pass);
    },
  );

  fixtureTest(
    `parity ${name}: fp32 fast flavour passes and agrees with inspect within 1e-4`,
    async () => {
      const fast = await parity(name, "fast", "fp32");
      assert(fast.pass, describe(fast));
      const [fastOut, inspectOut] = [
        await stageOutputs(name, "fast"),
        await stageOutputs(name, "inspect"),
      ];
      for (const key of ["imageEmbeds", "logits"] as const) {
        const c = compareTensors(key, fastOut[key], inspectOut[key], { rel: 1e-4 });
        assert(c.pass, `${key}: fast vs inspect rel ${c.rel}`);
      }
    },
  );

  fixtureTest(
    `parity ${name}: fp16 drift is reported per stage; logits keep cosine >= 0.999`,
    async () => {
      const report = await parity(name, "inspect", "fp16");
      const logits = report.stages.filter((s) => s.name.endsWith("logits"));
      assert(logits.length === 4, "all four logits goldens compared");
      for (const s of logits) assert(s.cosine >= 0.999, `${s.name} cosine ${s.cosine}`);
      // fp16 really ran in half precision: drift is far above fp32's.
      assert(
        report.stages.find((s) => s.name === "lm.logits")!.rel > 1e-4,
        "fp16 drift suspiciously small",
      );
      assert(report.pass);
    },
  );

  fixtureTest(
    `parity ${name}: fp16 fast flavour (fused kernels in half precision) keeps cosine >= 0.999`,
    async () => {
      const report = await parity(name, "fast", "fp16");
      const compared = report.stages.filter((s) =>
        s.name.endsWith("logits") || s.name.endsWith("image_embeds")
      );
      assert(compared.length >= 2, `only ${compared.map((s) => s.name)} compared`);
      for (const s of compared) assert(s.cosine >= 0.999, `${s.name} cosine ${s.cosine}`);
      assert(report.pass);
    },
  );
}

fixtureTest("parity fails on a checkpoint with one perturbed weight", async () => {
  await withTempDir(async (dir) => {
    const source = fixturePath("reference", "v0.1-tiny", "checkpoint");
    await Deno.copyFile(`${source}/config.json`, `${dir}/config.json`);
    const bytes = await Deno.readFile(`${source}/model.safetensors`);
    const checkpoint = await openCheckpoint(source);
    const entry = checkpoint.tensor("MP.proj.weight");
    const view = new DataView(bytes.buffer, entry.offset, 4);
    view.setFloat32(0, view.getFloat32(0, true) + 0.5, true);
    await Deno.writeFile(`${dir}/model.safetensors`, bytes);
    const report = await parity("v0.1-tiny", "fast", "fp32", dir);
    assertEquals(report.pass, false);
    assertEquals(report.stages.find((s) => s.name === "mp.output")!.pass, false);
  });
});

Deno.test("compareTensors is the bound used: a 2e-4 relative error fails fp32", () => {
  assertEquals(compareTensors("x", [1.0002], [1]).pass, false);
});

fixtureTest(
  "parity refuses a fixture whose goldens lack a core stage (it would compare too little)",
  async () => {
    await withTempDir(async (dir) => {
      const source = fixturePath("reference", "v0.2-tiny");
      for (const file of ["manifest.json", "image_a.png", "image_b.png"]) {
        await Deno.copyFile(`${source}/${file}`, `${dir}/${file}`);
      }
      const goldens = (await openFixture(source)).goldens;
      const kept = [...goldens.tensors.values()].filter((t) => t.name !== "lm.logits");
      const tensors = await Promise.all(kept.map(async (t) => {
        const bytes = await readTensorBytes(goldens, t.name);
        return { name: t.name, dtype: t.dtype, shape: t.shape, chunks: () => [bytes] };
      }));
      await writeSafetensors(`${dir}/goldens.safetensors`, tensors);
      const runtime = await NanoVLMRuntime.load(await openCheckpoint(`${source}/checkpoint`), {
        cacheDir: `${dir}/cache`,
      });
      try {
        await assertRejects(
          () => openFixture(dir).then((f) => runParity(f, runtime)),
          InputError,
          /lacks lm.logits/,
        );
      } finally {
        await runtime.release();
      }
    });
  },
);
