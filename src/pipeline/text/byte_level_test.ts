import {
  assertEquals,
  BYTE_LEVEL_TOKENIZER,
  fixtureConfig,
  fixtureManifest,
  fixtureTest,
} from "../../testing/mod.ts";
import { byteLevelTokenizerFiles, byteLevelTokenizerJson } from "./byte_level.ts";
import { loadTokenizer } from "./tokenizer_files.ts";

Deno.test("byte-level tokenizer: equals the committed tokenizer.json the fixture tests load", () => {
  const committed = JSON.parse(Deno.readTextFileSync(`${BYTE_LEVEL_TOKENIZER}/tokenizer.json`));
  assertEquals(byteLevelTokenizerJson(), committed);
});

Deno.test("byte-level tokenizer: specials at 0..2, every other character at its code point", async () => {
  const config = fixtureLikeConfig();
  const tokenizer = await loadTokenizer(byteLevelTokenizerFiles(), config);
  // Hand-derived: "<|im_start|>" = 1, "H" = 72, "i" = 105, "\n" = 10, "<|im_end|>" = 2.
  assertEquals(tokenizer.encode("<|im_start|>Hi\n<|im_end|>"), [1, 72, 105, 10, 2]);
  assertEquals(tokenizer.decode([72, 105, 33]), "Hi!");
});

fixtureTest(
  "byte-level tokenizer: encodes the fixtures' prompts to the manifests' ids",
  async () => {
    for (const fixture of ["v0.1-tiny", "v0.2-tiny", "head-tiny"]) {
      const single = fixtureManifest(fixture).cases.single;
      const tokenizer = await loadTokenizer(byteLevelTokenizerFiles(), fixtureConfig(fixture));
      assertEquals(tokenizer.encode(single.prompt_text), single.input_ids, fixture);
    }
  },
);

function fixtureLikeConfig() {
  return {
    generation: "current" as const,
    lm_tokenizer: "HuggingFaceTB/SmolLM2-360M-Instruct",
    lm_vocab_size: 256,
    vlm_extra_tokens: {},
  };
}
