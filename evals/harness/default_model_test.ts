import { CheckpointError, openCheckpoint } from "../../src/mod.ts";
import { assert, assertEquals, assertRejects, withTempDir } from "../../src/testing/mod.ts";
import { DEFAULT_MODEL, defaultModel } from "./default_model.ts";

Deno.test("defaultModel: the repository's shapes-nano folder and its tokenizer, from any working directory", async () => {
  const here = Deno.cwd();
  await withTempDir(async (dir) => {
    Deno.chdir(dir);
    try {
      const { model, tokenizer } = await defaultModel();
      const root = decodeURIComponent(new URL("../../", import.meta.url).pathname);
      assertEquals(model, `${root}${DEFAULT_MODEL.path}`);
      assertEquals(tokenizer, `${model}/tokenizer.json`);
      // A v0.1 checkpoint whose vocabulary is its own tokenizer's (not the byte-level stand-in).
      const checkpoint = await openCheckpoint(model);
      assertEquals(checkpoint.config.generation, "v0.1");
      const vocab = JSON.parse(await Deno.readTextFile(tokenizer)).model.vocab;
      assertEquals(Object.keys(vocab).length, checkpoint.config.lm_vocab_size);
      assert(DEFAULT_MODEL.description.includes("ShapesBench"));
    } finally {
      Deno.chdir(here);
    }
  });
});

Deno.test("defaultModel: a missing folder or file is a CheckpointError naming it and the fix", async () => {
  await withTempDir(async (dir) => {
    const root = new URL(`file://${dir}/`);
    const missing = await assertRejects(() => defaultModel({ root }), CheckpointError);
    assertEquals(
      missing.message,
      `the embedded default model shapes-nano is incomplete: no ${dir}/${DEFAULT_MODEL.path}/config.json`,
    );
    // Everything but the tokenizer: the tokenizer is named.
    await Deno.mkdir(`${dir}/${DEFAULT_MODEL.path}`, { recursive: true });
    for (const file of ["config.json", "model.safetensors"]) {
      await Deno.writeTextFile(`${dir}/${DEFAULT_MODEL.path}/${file}`, "");
    }
    const error = await assertRejects(() => defaultModel({ root }), CheckpointError);
    assert(error.message.endsWith(`no ${dir}/${DEFAULT_MODEL.tokenizer}`), error.message);
    assert((error as CheckpointError).hint?.includes("git checkout"));
  });
});
