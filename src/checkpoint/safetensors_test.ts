import { assertEquals, fixturePath, fixtureTest } from "../testing/mod.ts";
import { indexSafetensorsBytes, readSafetensorsIndex, readTensorF32 } from "./safetensors.ts";

fixtureTest("safetensors: reads the v0.1 fixture's index and tied-head metadata", async () => {
  const index = await readSafetensorsIndex(
    fixturePath("reference/v0.1-tiny/checkpoint/model.safetensors"),
  );
  assertEquals(index.headerLength, 5176);
  assertEquals(index.tensors.size, 51);
  assertEquals(index.metadata, { "decoder.token_embedding.weight": "decoder.head.weight" });
  assertEquals(index.tensors.get("MP.proj.weight")!.shape, [64, 256]);
  assertEquals(index.tensors.get("MP.proj.weight")!.offset, 8 + 5176);
  const invFreq = await readTensorF32(index, "decoder.rotary_embd.inv_freq");
  // inv_freq[i] = 1 / 100000^(2i/16) for head_dim 16: the first is exactly 1.
  assertEquals(invFreq.length, 8);
  assertEquals(invFreq[0], 1);
  assertEquals(Math.abs(invFreq[1] - 1 / 100000 ** (2 / 16)) < 1e-7, true);
});

Deno.test("safetensors: an empty tensor is accepted before or after the tensor at its offset", () => {
  const empty = { dtype: "F32", shape: [0], data_offsets: [0, 0] };
  const full = { dtype: "F32", shape: [2], data_offsets: [0, 8] };
  for (const header of [{ e: empty, f: full }, { f: full, e: empty }]) {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const bytes = new Uint8Array(8 + json.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    const index = indexSafetensorsBytes(bytes);
    assertEquals([...index.tensors.keys()], ["e", "f"]);
  }
});
