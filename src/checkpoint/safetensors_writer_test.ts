import { CheckpointError } from "../errors.ts";
import {
  assertEquals,
  assertRejects,
  fixturePath,
  fixtureTest,
  REFERENCE_FIXTURES,
  withTempDir,
} from "../testing/mod.ts";
import { readSafetensorsIndex, readTensorBytes } from "./safetensors.ts";
import { type TensorSource, writeSafetensors } from "./safetensors_writer.ts";

const bytesOf = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);

for (const fixture of REFERENCE_FIXTURES) {
  fixtureTest(`safetensors writer: rewriting ${fixture}'s weights is byte-identical`, async () => {
    const path = fixturePath("reference", fixture, "checkpoint", "model.safetensors");
    const index = await readSafetensorsIndex(path);
    const sources: TensorSource[] = [];
    for (const entry of index.tensors.values()) {
      const data = await readTensorBytes(index, entry.name);
      // Two chunks each, to exercise streaming.
      const half = Math.floor(data.length / 8) * 4;
      sources.push({ ...entry, chunks: () => [data.subarray(0, half), data.subarray(half)] });
    }
    sources.reverse(); // input order must not matter
    await withTempDir(async (dir) => {
      await writeSafetensors(`${dir}/out.safetensors`, sources, { metadata: index.metadata });
      assertEquals(await Deno.readFile(`${dir}/out.safetensors`), await Deno.readFile(path));
    });
  });
}

Deno.test("safetensors writer: header layout by hand (sorting, padding, offsets)", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/x.safetensors`;
    await writeSafetensors(path, [
      { name: "b", dtype: "F32", shape: [2], chunks: () => [bytesOf([1, 2])] },
      { name: "a", dtype: "F32", shape: [1], chunks: () => [bytesOf([3])] },
      { name: "h", dtype: "F16", shape: [1], chunks: () => [new Uint8Array([0, 0x3c])] },
    ], { metadata: { k: "v" } });
    const json = '{"__metadata__":{"k":"v"},' +
      '"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},' +
      '"h":{"dtype":"F16","shape":[1],"data_offsets":[12,14]}}';
    const padded = Math.ceil(json.length / 8) * 8;
    const bytes = await Deno.readFile(path);
    assertEquals(Number(new DataView(bytes.buffer).getBigUint64(0, true)), padded);
    assertEquals(
      new TextDecoder().decode(bytes.subarray(8, 8 + padded)),
      json + " ".repeat(padded - json.length),
    );
    assertEquals(bytes.subarray(8 + padded), new Uint8Array([...bytesOf([3, 1, 2]), 0, 0x3c]));
  });
});

Deno.test("safetensors writer: a source of the wrong length fails and leaves nothing", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      () =>
        writeSafetensors(`${dir}/x.safetensors`, [
          { name: "w", dtype: "F32", shape: [3], chunks: () => [bytesOf([1, 2])] },
        ]),
      CheckpointError,
      /tensor "w" produced 8 bytes, its shape \[3\] x F32 needs 12/,
    );
    assertEquals([...Deno.readDirSync(dir)], []);
  });
});
