import { InputError } from "../errors.ts";
import {
  assert,
  assertClose,
  assertEquals,
  assertRejects,
  fixturePath,
  fixtureTest,
  withTempDir,
} from "../testing/mod.ts";
import { openCheckpoint } from "./checkpoint.ts";
import { presetConfig } from "./presets.ts";
import { ropeInvFreq, synthesizeCheckpoint, syntheticTensors } from "./synthetic.ts";

const PRESET_OF = {
  "v0.1-tiny": "tiny-v0.1",
  "v0.2-tiny": "tiny-v0.2",
  "head-tiny": "tiny-current",
};

for (const [fixture, preset] of Object.entries(PRESET_OF)) {
  fixtureTest(
    `synthetic: ${preset} has ${fixture}'s exact config.json and tensor layout`,
    async () => {
      await withTempDir(async (dir) => {
        await synthesizeCheckpoint(presetConfig(preset), `${dir}/ckpt`, { seed: 3 });
        const reference = fixturePath("reference", fixture, "checkpoint");
        assertEquals(
          await Deno.readTextFile(`${dir}/ckpt/config.json`),
          await Deno.readTextFile(`${reference}/config.json`),
        );
        const manifest = JSON.parse(
          await Deno.readTextFile(fixturePath("reference", fixture, "manifest.json")),
        );
        const ours = await openCheckpoint(`${dir}/ckpt`);
        const theirs = manifest.checkpoint["model.safetensors"];
        const shapes = Object.fromEntries([...ours.index.tensors].map(([n, e]) => [n, e.shape]));
        assertEquals(shapes, theirs.tensors);
        assertEquals(ours.index.metadata, theirs.__metadata__);
        assertEquals(ours.index.headerLength, theirs.header_bytes);
        assertEquals(ours.index.fileSize, theirs.bytes);
        assertEquals(ours.parameters.total, manifest.checkpoint.n_parameters_unique);
        // The RoPE buffer is bit-identical to the one torch computed for the fixture.
        const reference_ = await openCheckpoint(reference);
        assertEquals(
          await ours.readF32("decoder.rotary_embd.inv_freq"),
          await reference_.readF32("decoder.rotary_embd.inv_freq"),
        );
      });
    },
  );
}

Deno.test("synthetic: reads back bit-identically what was generated", async () => {
  await withTempDir(async (dir) => {
    const config = presetConfig("tiny-v0.2");
    await synthesizeCheckpoint(config, `${dir}/ckpt`, { seed: 11 });
    const ckpt = await openCheckpoint(`${dir}/ckpt`);
    for (const source of syntheticTensors(config, 11)) {
      const parts = [...(source.chunks() as Iterable<Uint8Array>)].map((c) => c.slice());
      const expected = new Float32Array(new Blob(parts).size / 4);
      let at = 0;
      for (const part of parts) {
        expected.set(new Float32Array(part.buffer), at);
        at += part.length / 4;
      }
      assertEquals(await ckpt.readF32(source.name), expected, source.name);
    }
  });
});

Deno.test("synthetic: same seed gives the same bytes, another seed other weights", async () => {
  await withTempDir(async (dir) => {
    const config = presetConfig("tiny-v0.1");
    await synthesizeCheckpoint(config, `${dir}/a`, { seed: 5 });
    await synthesizeCheckpoint(config, `${dir}/b`, { seed: 5 });
    await synthesizeCheckpoint(config, `${dir}/c`, { seed: 6 });
    const a = await Deno.readFile(`${dir}/a/model.safetensors`);
    assertEquals(await Deno.readFile(`${dir}/b/model.safetensors`), a);
    const c = await Deno.readFile(`${dir}/c/model.safetensors`);
    assertEquals(c.length, a.length);
    assert(a.some((x, i) => x !== c[i]), "different seeds give different weights");
  });
});

function stats(values: Float32Array): { mean: number; std: number } {
  let sum = 0, sq = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

Deno.test("synthetic: weights follow the fixtures' perturbation scales", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(presetConfig("tiny-current"), `${dir}/ckpt`, { seed: 2 });
    const ckpt = await openCheckpoint(`${dir}/ckpt`);
    const expect = async (name: string, mean: number, std: number, tol: number) => {
      const s = stats(await ckpt.readF32(name));
      assertClose(s.mean, mean, tol, `${name} mean`);
      assertClose(s.std, std, tol, `${name} std`);
    };
    await expect("decoder.head.weight", 0, 0.5, 0.02); // embedding N(0, 0.5^2), 20608 values
    await expect("decoder.blocks.0.mlp.gate_proj.weight", 0, 2 / Math.sqrt(64), 0.01);
    await expect("vision_encoder.blocks.0.mlp.fc2.weight", 0, 2 / Math.sqrt(256), 0.005);
    await expect("vision_encoder.patch_embedding.conv.weight", 0, 2 / Math.sqrt(192), 0.005);
    await expect("vision_encoder.patch_embedding.position_embedding", 0, 0.1, 0.005);
    await expect("vision_encoder.blocks.0.mlp.fc1.bias", 0, 0.1, 0.02);
    await expect("decoder.blocks.1.norm2.weight", 1, 0.2, 0.08);
  });
});

Deno.test("synthetic: RoPE inv_freq for head_dim 64 follows 1/base^(2i/d) in float32", () => {
  const inv = ropeInvFreq(64, 100000);
  assertEquals(inv.length, 32);
  assertEquals(inv[0], 1);
  for (let i = 0; i < 32; i++) {
    const exact = 1 / 100000 ** (2 * i / 64);
    assertClose(inv[i], exact, exact * 3e-7, `inv_freq[${i}]`);
  }
});

Deno.test("synthetic: refuses a non-empty folder unless forced, then replaces it", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(`${dir}/out/keep.txt`, "x");
    await assertRejects(
      () => synthesizeCheckpoint(presetConfig("tiny-v0.1"), `${dir}/out`),
      InputError,
      /out is not empty; refusing to overwrite it/,
    );
    assertEquals(await Deno.readTextFile(`${dir}/out/keep.txt`), "x");
    await synthesizeCheckpoint(presetConfig("tiny-v0.1"), `${dir}/out`, { force: true });
    assertEquals([...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort(), [
      "config.json",
      "model.safetensors",
    ]);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["out"], "no temporaries left");
  });
});

Deno.test("synthetic: the 222m preset has 222,081,600 parameters in 423 tensors", async () => {
  await withTempDir(async (dir) => {
    const result = await synthesizeCheckpoint(presetConfig("222m"), `${dir}/222m`);
    const ckpt = await openCheckpoint(`${dir}/222m`);
    assertEquals(ckpt.index.tensors.size, 423);
    assertEquals(result.tensors, 423);
    // Spec nanovlm.md §2.1: ViT 85,797,120 + LM 134,515,008 + MP 1,769,472.
    assertEquals(ckpt.parameters, {
      vision: 85_797_120,
      projector: 1_769_472,
      decoder: 134_515_008,
      total: 222_081_600,
    });
    assertEquals(ckpt.index.fileSize, 888_372_464);
    assertEquals(
      new TextEncoder().encode(await Deno.readTextFile(`${dir}/222m/config.json`)).length,
      916,
    );
  });
});

Deno.test("synthetic: Ctrl-C during a write leaves no partial checkpoint", async () => {
  await withTempDir(async (dir) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-sys",
        "--allow-ffi",
        new URL("../cli/main.ts", import.meta.url).pathname,
        "synth",
        "--preset",
        "450m",
        "--out",
        `${dir}/big`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Wait until the temporary folder exists (the write is under way), then interrupt.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && [...Deno.readDirSync(dir)].length === 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGINT");
    const status = await child.status;
    assertEquals(status.code, 130);
    assertEquals([...Deno.readDirSync(dir)], [], "nothing left behind");
  });
});
