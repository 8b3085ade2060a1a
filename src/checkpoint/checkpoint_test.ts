import {
  assert,
  assertEquals,
  fixturePath,
  fixtureTest,
  REFERENCE_FIXTURES,
  withTempDir,
} from "../testing/mod.ts";
import { openCheckpoint } from "./checkpoint.ts";
import { presetConfig } from "./presets.ts";
import { writeSafetensors } from "./safetensors_writer.ts";
import { synthesizeCheckpoint, syntheticTensors } from "./synthetic.ts";

const EXPECTED_GENERATION = { "v0.1-tiny": "v0.1", "v0.2-tiny": "v0.2", "head-tiny": "current" };

/** Reads float32 values straight from the file bytes, at offsets computed here from the header. */
function rawFloats(bytes: Uint8Array, name: string, indices: number[]): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const start = 8 + headerLength + header[name].data_offsets[0];
  return indices.map((i) => view.getFloat32(start + 4 * i, true));
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

for (const fixture of REFERENCE_FIXTURES) {
  fixtureTest(
    `checkpoint: ${fixture} opens with the manifest's tensors, counts and values`,
    async () => {
      const dir = fixturePath("reference", fixture, "checkpoint");
      const manifest = JSON.parse(
        await Deno.readTextFile(fixturePath("reference", fixture, "manifest.json")),
      );
      const expected = manifest.checkpoint["model.safetensors"];
      const bytes = await Deno.readFile(`${dir}/model.safetensors`);
      assertEquals(
        await sha256(bytes),
        expected.sha256,
        "the file is the one the manifest describes",
      );

      const ckpt = await openCheckpoint(dir);
      assertEquals(ckpt.config.generation, EXPECTED_GENERATION[fixture]);
      assertEquals(ckpt.warnings, []);
      assertEquals(ckpt.index.tensors.size, expected.n_tensors);
      assertEquals(ckpt.index.headerLength, expected.header_bytes);
      assertEquals(ckpt.index.metadata, expected.__metadata__);
      const shapes = Object.fromEntries([...ckpt.index.tensors].map(([n, e]) => [n, e.shape]));
      assertEquals(shapes, expected.tensors);
      for (const entry of ckpt.index.tensors.values()) assertEquals(entry.dtype, "F32", entry.name);
      assertEquals(ckpt.parameters.total, manifest.checkpoint.n_parameters_unique);
      assertEquals(
        ckpt.parameters.vision + ckpt.parameters.projector + ckpt.parameters.decoder,
        ckpt.parameters.total,
      );

      // Tied embedding: the alias resolves to the stored head.
      assertEquals(ckpt.tensor("decoder.token_embedding.weight").name, "decoder.head.weight");
      assert(ckpt.has("decoder.token_embedding.weight"));

      // Values: spot checks against bytes read at independently computed offsets.
      for (
        const name of ["MP.proj.weight", "decoder.head.weight", "vision_encoder.layer_norm.bias"]
      ) {
        const values = await ckpt.readF32(name);
        const picks = [0, 1, 17, values.length - 1];
        assertEquals(picks.map((i) => values[i]), rawFloats(bytes, name, picks), name);
      }
      const embedding = await ckpt.readF32("decoder.token_embedding.weight");
      assertEquals(embedding[5], rawFloats(bytes, "decoder.head.weight", [5])[0]);

      // inv_freq = 1 / 100000^(2i/16), as float32.
      const invFreq = await ckpt.readF32("decoder.rotary_embd.inv_freq");
      for (let i = 0; i < 8; i++) {
        assert(
          Math.abs(invFreq[i] - 1 / 100000 ** (2 * i / 16)) <=
            1e-7 * (1 / 100000 ** (2 * i / 16)) + 1e-12,
        );
      }
    },
  );
}

Deno.test("checkpoint: a file holding decoder.token_embedding.weight instead of the head", async () => {
  await withTempDir(async (dir) => {
    const config = presetConfig("tiny-v0.1");
    await synthesizeCheckpoint(config, dir);
    const renamed = syntheticTensors(config).map((t) =>
      t.name === "decoder.head.weight" ? { ...t, name: "decoder.token_embedding.weight" } : t
    );
    await writeSafetensors(`${dir}/model.safetensors`, renamed);
    const ckpt = await openCheckpoint(dir);
    assertEquals(ckpt.tensor("decoder.head.weight").name, "decoder.token_embedding.weight");
    assertEquals(ckpt.tensor("decoder.head.weight").shape, [256, 64]);
    assertEquals(ckpt.parameters.total, 235648);
  });
});
