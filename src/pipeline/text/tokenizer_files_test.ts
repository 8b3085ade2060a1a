import { assertEquals, withTempDir } from "../../testing/mod.ts";
import { byteLevelTokenizerJson } from "./byte_level.ts";
import { readTokenizerFiles, tokenizerBeside } from "./tokenizer_files.ts";

Deno.test("tokenizerBeside: a model folder with tokenizer.json is its own tokenizer; others are not", async () => {
  await withTempDir(async (dir) => {
    assertEquals(await tokenizerBeside(dir), undefined, "no tokenizer.json yet");
    await Deno.mkdir(`${dir}/tokenizer.json`);
    assertEquals(await tokenizerBeside(dir), undefined, "a folder named tokenizer.json is not one");
    await Deno.remove(`${dir}/tokenizer.json`);
    await Deno.writeTextFile(`${dir}/tokenizer.json`, JSON.stringify(byteLevelTokenizerJson()));
    assertEquals(await tokenizerBeside(`${dir}/`), `${dir}/`);
    const files = await readTokenizerFiles((await tokenizerBeside(dir))!, { lm_tokenizer: "x" });
    assertEquals(files.tokenizerJson, byteLevelTokenizerJson());
  });
});
