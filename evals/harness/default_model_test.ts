import { openCheckpoint } from "../../src/mod.ts";
import { assert, assertEquals, withTempDir } from "../../src/testing/mod.ts";
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
