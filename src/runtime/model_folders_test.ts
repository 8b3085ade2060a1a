/**
 * Real model folders (issue 13 §2): the same synthesized checkpoint, arranged as users get it —
 * a Hugging Face cache (snapshot symlinks into blobs/), a symlinked folder, hard links, a
 * read-only folder, a path with spaces and non-ASCII characters — loads and generates exactly the
 * tokens of the plain folder, in fp32 (weights read in place) and fp16 (converted into the cache).
 */
import { presetConfig, synthesizeCheckpoint } from "../checkpoint/mod.ts";
import { byteLevelTokenizerFiles, NanoVLM } from "../pipeline/mod.ts";
import { assertEquals, withTempDir } from "../testing/mod.ts";

const IMAGE = decodeURIComponent(
  new URL("../../data/photos/images/chelsea.jpg", import.meta.url).pathname,
);

async function tokens(dir: string, cacheDir: string, fp16 = false): Promise<number[]> {
  const model = await NanoVLM.load(dir, {
    tokenizer: byteLevelTokenizerFiles(),
    cacheDir,
    ...(fp16 ? { precision: "fp16" as const } : {}),
  });
  try {
    const [result] = await model.generate([{ images: [IMAGE], text: "What is this?" }], {
      maxNewTokens: 4,
    });
    return result.tokens;
  } finally {
    await model.release();
  }
}

/** Lays `plain`'s two files out as the Hugging Face hub cache does; returns the snapshot. */
async function hubCache(plain: string, root: string): Promise<string> {
  const repo = `${root}/hub/models--lab--nanoVLM`;
  await Deno.mkdir(`${repo}/blobs`, { recursive: true });
  await Deno.mkdir(`${repo}/snapshots/0123abcd`, { recursive: true });
  for (const [file, blob] of [["model.safetensors", "9f8e7d"], ["config.json", "1a2b3c"]]) {
    await Deno.copyFile(`${plain}/${file}`, `${repo}/blobs/${blob}`);
    await Deno.symlink(`../../blobs/${blob}`, `${repo}/snapshots/0123abcd/${file}`);
  }
  return `${repo}/snapshots/0123abcd`;
}

Deno.test("model folders: HF cache symlinks, symlinked folder, hard links, read-only, odd names", async () => {
  await withTempDir(async (root) => {
    const plain = `${root}/plain`;
    await synthesizeCheckpoint(presetConfig("tiny-current"), plain, { seed: 3 });
    const cache = `${root}/cache`;
    const expected = await tokens(plain, cache);

    const snapshot = await hubCache(plain, root);
    assertEquals(await tokens(snapshot, cache), expected, "Hugging Face cache layout");
    assertEquals(await tokens(snapshot, cache, true), await tokens(plain, cache, true), "fp16");

    await Deno.symlink(snapshot, `${root}/linked`);
    assertEquals(await tokens(`${root}/linked`, cache), expected, "a symlinked folder");

    await Deno.mkdir(`${root}/hard`);
    for (const file of ["model.safetensors", "config.json"]) {
      await Deno.link(`${plain}/${file}`, `${root}/hard/${file}`);
    }
    assertEquals(await tokens(`${root}/hard`, cache), expected, "hard-linked files");

    const odd = `${root}/dir with space/ünïcødé 模型`;
    await Deno.mkdir(odd, { recursive: true });
    for (const file of ["model.safetensors", "config.json"]) {
      await Deno.copyFile(`${plain}/${file}`, `${odd}/${file}`);
      await Deno.chmod(`${odd}/${file}`, 0o444);
    }
    await Deno.chmod(odd, 0o555);
    try {
      assertEquals(
        await tokens(odd, `${root}/cache ü`),
        expected,
        "a read-only folder with spaces and non-ASCII characters (also in the cache path)",
      );
    } finally {
      await Deno.chmod(odd, 0o755);
    }
  });
});
