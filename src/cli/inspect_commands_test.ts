import sharp from "sharp";
import { InputError } from "../errors.ts";
import { NanoVLM } from "../pipeline/mod.ts";
import { golden, openFixture, runParity } from "../parity/mod.ts";
import { compareTraces } from "../inspect/mod.ts";
import { NanoVLMRuntime } from "../runtime/mod.ts";
import { openCheckpoint } from "../checkpoint/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  BYTE_LEVEL_TOKENIZER,
  fixturePath,
  fixtureTest,
  withTempDir,
} from "../testing/mod.ts";
import { attentionCommand } from "./attention.ts";
import { driftCommand } from "./drift.ts";
import { lensCommand } from "./lens.ts";
import { runCaptured } from "./score_testing.ts";
import { fixtureFile, modelArgs } from "./task_testing.ts";

const ASK = ["--question", "What is this?"];

for (const name of ["v0.1-tiny", "head-tiny"]) {
  fixtureTest(
    `attention ${name} --json: the golden attention rows of the last prompt position, per tile`,
    async () => {
      const fixture = await openFixture(fixturePath("reference", name));
      await withTempDir(async (dir) => {
        const { code, stdout } = await runCaptured(attentionCommand, [
          ...modelArgs(name, dir),
          "--image",
          fixtureFile(name, "image_a.png"),
          ...ASK,
          "--layer",
          "all",
          "--head",
          "all",
          "--json",
        ]);
        assertEquals(code, 0);
        const out = JSON.parse(stdout);
        assertEquals(out.inputIds, fixture.manifest.cases.single.input_ids);
        const t = out.tokens.length;
        const query = t - 1;
        assertEquals(out.maps.length, 2 * 4);
        for (const map of out.maps) {
          assertEquals(map.query, query);
          const want = (await golden(fixture, `lm.attn_probs.layer${map.layer}`))!;
          const row = want.subarray((map.head * t + query) * t, (map.head * t + query + 1) * t);
          out.tiles.forEach((tile: { positions: number[]; grid: number[] }, i: number) => {
            const values: number[] = map.tiles[i].flat();
            assertEquals(values.length, tile.grid[0] * tile.grid[1]);
            values.forEach((v, k) =>
              assert(
                Math.abs(v - row[tile.positions[k]]) < 1e-5,
                `${v} vs ${row[tile.positions[k]]}`,
              )
            );
          });
        }
        if (name === "head-tiny") {
          assertEquals(out.tiles.map((x: { name: string }) => x.name), [
            "global",
            "r1c1",
            "r1c2",
            "r1c3",
            "r2c1",
            "r2c2",
            "r2c3",
          ]);
          assertEquals(out.tiles[2].box, [50, 0, 100, 45]);
        } else {
          assertEquals(out.tiles.map((x: { name: string; box: number[] }) => [x.name, x.box]), [[
            "image",
            [0, 0, 150, 90],
          ]]);
          assertEquals(out.tiles[0].positions, [...Array(16).keys()]);
        }
      });
    },
  );
}

fixtureTest(
  "attention --out writes the heat map at the picture's size; bad layer, head, query are named errors",
  async () => {
    const name = "head-tiny";
    await withTempDir(async (dir) => {
      const base = [...modelArgs(name, dir), "--image", fixtureFile(name, "image_a.png"), ...ASK];
      const { code } = await runCaptured(attentionCommand, [
        ...base,
        "--layer",
        "1",
        "--out",
        `${dir}/map.png`,
      ]);
      assertEquals(code, 0);
      const meta = await sharp(`${dir}/map.png`).metadata();
      assertEquals([meta.width, meta.height], [150, 90]);
      await assertRejects(
        () => runCaptured(attentionCommand, [...base, "--layer", "2"]),
        InputError,
        /decoder layer 2 is out of range: the model has 2 \(0\.\.1\)/,
      );
      await assertRejects(
        () => runCaptured(attentionCommand, [...base, "--head", "4"]),
        InputError,
        /decoder head 4 is out of range/,
      );
      await assertRejects(
        () => runCaptured(attentionCommand, [...base, "--query", "zebra"]),
        InputError,
        /"zebra" is not in the prompt or the answer/,
      );
      await assertRejects(
        () => runCaptured(attentionCommand, [...base, "--head", "some"]),
        InputError,
        /--head takes a head number, mean, max or all/,
      );
    });
  },
);

fixtureTest(
  "lens --json: the last layer's top token at the last prompt position is the first greedy token",
  async () => {
    const name = "head-tiny";
    const fixture = await openFixture(fixturePath("reference", name));
    const greedy = fixture.manifest.cases.greedy;
    await withTempDir(async (dir) => {
      const { code, stdout } = await runCaptured(lensCommand, [
        ...modelArgs(name, dir),
        "--image",
        fixtureFile(name, "image_a.png"),
        ...ASK,
        "--json",
      ]);
      assertEquals(code, 0);
      const lens = JSON.parse(stdout);
      assertEquals(lens.layers, [0, 1]);
      assertEquals(lens.positions, [150]);
      assertEquals(lens.cells[1][0].top[0].id, (greedy.raw_argmax_ids ?? greedy.generated_ids)[0]);
    });
  },
);

fixtureTest("drift of a run against itself is zero; greedy identical", async () => {
  const name = "v0.1-tiny";
  await withTempDir(async (dir) => {
    const { code, stdout } = await runCaptured(driftCommand, [
      ...modelArgs(name, dir),
      "--image",
      fixtureFile(name, "image_a.png"),
      ...ASK,
      "--a",
      "fp32",
      "--b",
      "fp32",
      "--steps",
      "4",
      "--json",
    ]);
    assertEquals(code, 0);
    const report = JSON.parse(stdout);
    assert(report.stages.length >= 13);
    for (const s of report.stages) assertEquals([s.name, s.maxAbs], [s.name, 0]);
    assertEquals(report.logits.kl, { mean: 0, p99: 0, max: 0 });
    assertEquals(report.logits.top1Agreement, 1);
    assertEquals(report.firstDivergence, null);
  });
});

fixtureTest(
  "fp16 drift of the logits matches parity --precision fp16 (within fp32's own parity error)",
  async () => {
    const name = "v0.1-tiny";
    const fixture = await openFixture(fixturePath("reference", name));
    await withTempDir(async (cacheDir) => {
      const checkpointDir = fixturePath("reference", name, "checkpoint");
      const checkpoint = await openCheckpoint(checkpointDir);
      const parityAt = async (precision: "fp32" | "fp16") => {
        const runtime = await NanoVLMRuntime.load(checkpoint, {
          flavour: "inspect",
          precision,
          cacheDir,
        });
        try {
          return (await runParity(fixture, runtime, precision)).stages.find((s) =>
            s.name === "lm.logits"
          )!;
        } finally {
          await runtime.release();
        }
      };
      const [p32, p16] = [await parityAt("fp32"), await parityAt("fp16")];
      const request = { images: [fixtureFile(name, "image_a.png")], text: "What is this?" };
      const traces = [];
      for (const precision of ["fp32", "fp16"] as const) {
        const model = await NanoVLM.load(checkpointDir, {
          tokenizer: BYTE_LEVEL_TOKENIZER,
          cacheDir,
          precision,
        });
        try {
          traces.push(await model.trace(request, { stages: ["logits"] }));
        } finally {
          await model.release();
        }
      }
      const drift = compareTraces(traces[0], traces[1]).stages.find((s) => s.name === "lm.logits")!;
      // |‖fp16 − fp32‖ − ‖fp16 − golden‖| <= ‖fp32 − golden‖ (triangle inequality on max-abs).
      assert(drift.maxAbs > 0, "fp16 differs from fp32");
      assert(
        Math.abs(drift.maxAbs - p16.maxAbs) <= p32.maxAbs + 1e-7,
        `${drift.maxAbs} vs ${p16.maxAbs} ± ${p32.maxAbs}`,
      );
      assert(Math.abs(drift.cosine - p16.cosine) < 1e-5, `${drift.cosine} vs ${p16.cosine}`);
    });
  },
);
