/**
 * The corpus of malformed checkpoints: each input must give a named error that says what is wrong
 * and where, without crashing, hanging or allocating a declared size.
 */
import { CheckpointError, ConfigError } from "../errors.ts";
import { assert, assertRejects, withTempDir } from "../testing/mod.ts";
import { openCheckpoint } from "./checkpoint.ts";
import { configToJson } from "./config.ts";
import { presetConfig } from "./presets.ts";
import { readSafetensorsIndex } from "./safetensors.ts";
import { writeSafetensors } from "./safetensors_writer.ts";
import { synthesizeCheckpoint, syntheticTensors } from "./synthetic.ts";

/** A safetensors file from a raw header text and a data region of `dataBytes` zero bytes. */
function rawFile(header: string | Uint8Array, dataBytes: number, declared?: bigint): Uint8Array {
  const json = typeof header === "string" ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

function fileCase(name: string, bytes: Uint8Array, pattern: RegExp) {
  Deno.test(`malformed: ${name}`, async () => {
    await withTempDir(async (dir) => {
      const path = `${dir}/model.safetensors`;
      await Deno.writeFile(path, bytes);
      const error = await assertRejects(() => readSafetensorsIndex(path), CheckpointError, pattern);
      assert(error.message.startsWith(path), `the message names the file: ${error.message}`);
    });
  });
}

const entry = (dtype: string, shape: number[], begin: number, end: number) =>
  JSON.stringify({ dtype, shape, data_offsets: [begin, end] });

fileCase("file shorter than the length field", new Uint8Array(5), /file is 5 bytes, shorter than/);
fileCase(
  "header length beyond the file",
  rawFile('{"a":' + entry("F32", [1], 0, 4) + "}", 4, 1000n),
  /declared header length 1000 bytes exceeds the \d+ bytes after the length field/,
);
fileCase(
  "absurd header length (2^63, never allocated)",
  rawFile("{}", 0, 2n ** 63n),
  /declared header length 9223372036854775808 bytes exceeds/,
);
fileCase("bad JSON header", rawFile('{"a": {"dtype": "F32",', 0), /header is not valid JSON/);
fileCase(
  "non-UTF-8 header",
  rawFile(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 0),
  /header is not valid UTF-8/,
);
fileCase("header is not an object", rawFile("[1,2,3]", 0), /header JSON is not an object/);
fileCase(
  "unknown dtype",
  rawFile(`{"w":${entry("F33", [1], 0, 4)}}`, 4),
  /tensor "w": unknown dtype "F33"/,
);
fileCase(
  "dtype x shape disagrees with the byte length",
  rawFile(`{"w":${entry("F32", [3], 0, 8)}}`, 8),
  /tensor "w": shape \[3\] x F32 is 12 bytes but data_offsets span 8/,
);
fileCase(
  "offsets out of range",
  rawFile(`{"w":${entry("F32", [100], 0, 400)}}`, 16),
  /tensor "w": data_offsets \[0, 400\] run past the 16-byte data region/,
);
fileCase(
  "overlapping offsets",
  rawFile(`{"a":${entry("F32", [2], 0, 8)},"b":${entry("F32", [2], 4, 12)}}`, 12),
  /tensor "b" overlaps tensor "a"/,
);
fileCase(
  "negative or reversed offsets",
  rawFile(`{"w":${entry("F32", [0], 8, 4)}}`, 8),
  /tensor "w": data_offsets \[8,4\] is not \[begin, end\]/,
);
fileCase(
  "bytes that belong to no tensor",
  rawFile(`{"w":${entry("F32", [1], 0, 4)}}`, 12),
  /the last 8 bytes of the file belong to no tensor/,
);
fileCase(
  "non-string metadata",
  rawFile(`{"__metadata__":{"k":1},"w":${entry("F32", [1], 0, 4)}}`, 4),
  /__metadata__\["k"\] is not a string/,
);

/** Synthesizes tiny-v0.1 into `dir/ckpt` and returns the folder. */
async function tinyCheckpoint(dir: string, preset = "tiny-v0.1"): Promise<string> {
  await synthesizeCheckpoint(presetConfig(preset), `${dir}/ckpt`);
  return `${dir}/ckpt`;
}

Deno.test("malformed: truncated weights file", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await tinyCheckpoint(dir);
    const bytes = await Deno.readFile(`${ckpt}/model.safetensors`);
    await Deno.writeFile(`${ckpt}/model.safetensors`, bytes.subarray(0, bytes.length >> 1));
    await assertRejects(
      () => openCheckpoint(ckpt),
      CheckpointError,
      /model\.safetensors: tensor ".*": data_offsets \[\d+, \d+\] run past the \d+-byte data region \(truncated file\?\)/,
    );
  });
});

Deno.test("malformed: missing tensors are all named in one error", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await tinyCheckpoint(dir);
    const config = presetConfig("tiny-v0.1");
    const keep = syntheticTensors(config).filter((t) =>
      t.name !== "MP.proj.weight" && t.name !== "decoder.norm.weight"
    );
    await writeSafetensors(`${ckpt}/model.safetensors`, keep, {
      metadata: { "decoder.token_embedding.weight": "decoder.head.weight" },
    });
    await assertRejects(
      () => openCheckpoint(ckpt),
      CheckpointError,
      /does not match the v0\.1 config\.json \(2 problem\(s\)\):\n {2}- missing tensor decoder\.norm\.weight \[64\]\n {2}- missing tensor MP\.proj\.weight \[64, 256\]/,
    );
  });
});

Deno.test("malformed: wrongly shaped and unexpected tensors are all named", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await tinyCheckpoint(dir);
    const config = presetConfig("tiny-v0.1");
    const tensors = syntheticTensors({ ...config, vit_inter_dim: 128 });
    tensors.push({
      name: "extra.weight",
      dtype: "F32",
      shape: [1],
      chunks: () => [new Uint8Array(4)],
    });
    await writeSafetensors(`${ckpt}/model.safetensors`, tensors);
    const error = await assertRejects(
      () => openCheckpoint(ckpt),
      CheckpointError,
      /\(7 problem\(s\)\)/,
    );
    for (
      const line of [
        "unexpected tensor extra.weight [1]",
        "tensor vision_encoder.blocks.0.mlp.fc1.weight has shape [128, 64], config expects [256, 64]",
        "tensor vision_encoder.blocks.1.mlp.fc2.weight has shape [64, 128], config expects [64, 256]",
        "tensor vision_encoder.blocks.1.mlp.fc1.bias has shape [128], config expects [256]",
      ]
    ) assert(error.message.includes(line), `"${line}" in ${error.message}`);
  });
});

Deno.test("malformed: v0.1 tensors with a v0.2 config.json", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await tinyCheckpoint(dir, "tiny-v0.1");
    await Deno.writeTextFile(`${ckpt}/config.json`, configToJson(presetConfig("tiny-v0.2")));
    await assertRejects(
      () => openCheckpoint(ckpt),
      CheckpointError,
      /the tensors are those of a v0\.1 checkpoint \(256 vocabulary rows, the base vocabulary alone: v0\.1 has no extra tokens\) but config\.json is a v0\.2 config .*\n {2}- tensor decoder\.head\.weight has shape \[256, 64\], config expects \[257, 64\]/s,
    );
  });
});

Deno.test("malformed: v0.2 tensors with a v0.1 config.json name v0.2's one extra token", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await tinyCheckpoint(dir, "tiny-v0.2");
    await Deno.writeTextFile(`${ckpt}/config.json`, configToJson(presetConfig("tiny-v0.1")));
    await assertRejects(
      () => openCheckpoint(ckpt),
      CheckpointError,
      /the tensors are those of a v0\.2 checkpoint \(257 vocabulary rows: 256 \+ 1 extra token\) but config\.json is a v0\.1 config/,
    );
  });
});

Deno.test("malformed: current tensors with a v0.1 config.json", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await tinyCheckpoint(dir, "tiny-current");
    await Deno.writeTextFile(`${ckpt}/config.json`, configToJson(presetConfig("tiny-v0.1")));
    await assertRejects(
      () => openCheckpoint(ckpt),
      CheckpointError,
      /the tensors are those of a current checkpoint .* but config\.json is a v0\.1 config/,
    );
  });
});

Deno.test("malformed: invalid config values", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await tinyCheckpoint(dir);
    await Deno.writeTextFile(
      `${ckpt}/config.json`,
      configToJson({ ...presetConfig("tiny-v0.1"), vit_patch_size: 7 }),
    );
    const error = await assertRejects(
      () => openCheckpoint(ckpt),
      ConfigError,
      /config\.json: vit_img_size = 64 is not divisible by vit_patch_size = 7/,
    );
    assert((error as ConfigError).hint?.includes("multiple of 7"));
  });
});

Deno.test("malformed: config.json is not JSON", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await tinyCheckpoint(dir);
    await Deno.writeTextFile(`${ckpt}/config.json`, "{ vit_hidden_dim: 768 }");
    await assertRejects(() => openCheckpoint(ckpt), ConfigError, /config\.json: not valid JSON/);
  });
});

Deno.test("malformed: empty folder", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      () => openCheckpoint(dir),
      CheckpointError,
      /empty folder, not a checkpoint/,
    );
  });
});

Deno.test("malformed: folder without config.json", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await tinyCheckpoint(dir);
    await Deno.remove(`${ckpt}/config.json`);
    await assertRejects(
      () => openCheckpoint(ckpt),
      CheckpointError,
      /ckpt: no config\.json in the checkpoint folder \(found: model\.safetensors\)/,
    );
  });
});

Deno.test("malformed: a folder that does not exist, and a file instead of a folder", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      () => openCheckpoint(`${dir}/nope`),
      CheckpointError,
      /no such checkpoint folder/,
    );
    await Deno.writeTextFile(`${dir}/f`, "x");
    await assertRejects(() => openCheckpoint(`${dir}/f`), CheckpointError, /f: not a folder/);
  });
});

Deno.test("malformed: integer tensors in a checkpoint", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await tinyCheckpoint(dir);
    const tensors = syntheticTensors(presetConfig("tiny-v0.1")).map((t) =>
      t.name === "decoder.norm.weight" ? { ...t, dtype: "I32" as const } : t
    );
    await writeSafetensors(`${ckpt}/model.safetensors`, tensors);
    await assertRejects(
      () => openCheckpoint(ckpt),
      CheckpointError,
      /tensor decoder\.norm\.weight has dtype I32; nanoVLM tensors are floating point/,
    );
  });
});
