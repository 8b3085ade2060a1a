import { ConfigError, InputError } from "../errors.ts";
import { assertEquals, assertRejects, withTempDir } from "../testing/mod.ts";
import { presetConfig } from "./presets.ts";
import { checkSynthSize } from "./synth_size.ts";
import { synthesizeCheckpoint } from "./synthetic.ts";
import { expectedTensors } from "./tensor_layout.ts";

const noDiskCheck = { freeSpace: () => undefined };

/** Bytes of tensor data in a safetensors file: its size less the 8-byte length and the header. */
async function dataBytes(path: string): Promise<number> {
  const bytes = await Deno.readFile(path);
  return bytes.length - 8 - Number(new DataView(bytes.buffer).getBigUint64(0, true));
}

Deno.test("synth size: the planned bytes are the tensor data synth writes", async () => {
  await withTempDir(async (dir) => {
    for (const preset of ["tiny-v0.1", "tiny-current"]) {
      const config = presetConfig(preset);
      await synthesizeCheckpoint(config, `${dir}/${preset}`);
      assertEquals(
        checkSynthSize(expectedTensors(config), `${dir}/x`, noDiskCheck),
        await dataBytes(`${dir}/${preset}/model.safetensors`),
      );
    }
  });
});

/** Entries of `dir` (hidden partials included). */
const entries = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name);

Deno.test("synth size: a config of 137 GB is refused before anything is written", async () => {
  await withTempDir(async (dir) => {
    // lm_hidden_dim and lm_vocab_size at their bounds: the (tied) head alone is
    // 2^21 x 2^14 float32 = 2^37 bytes (137 GB), past the 16 GiB synth writes by default.
    const config = { ...presetConfig("tiny-v0.1"), lm_hidden_dim: 1 << 14, lm_vocab_size: 1 << 21 };
    await assertRejects(
      () => synthesizeCheckpoint(config, `${dir}/out`, noDiskCheck),
      ConfigError,
      /decoder\.head\.weight \[2097152, 16384\], 137 GB\), over the 16 GiB synth writes at most/,
    );
    assertEquals(entries(dir), []);
  });
});

Deno.test("synth size: a checkpoint larger than the free space is refused first", async () => {
  await withTempDir(async (dir) => {
    // About 1 MB of weights plus the 1 MiB kept for the header and config.json.
    const seen: string[] = [];
    const freeSpace = (path: string) => (seen.push(path), 1000);
    await assertRejects(
      () => synthesizeCheckpoint(presetConfig("tiny-v0.1"), `${dir}/out`, { freeSpace }),
      InputError,
      /out needs 2\.0 MB but its filesystem has 1\.0 kB free/,
    );
    assertEquals(seen, [`${dir}/out`]);
    assertEquals(entries(dir), []);
    // Within the free space it writes.
    await synthesizeCheckpoint(presetConfig("tiny-v0.1"), `${dir}/out`, {
      freeSpace: () => 1 << 30,
    });
    assertEquals(entries(dir), ["out"]);
  });
});
