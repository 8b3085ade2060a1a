import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
  BYTE_LEVEL_TOKENIZER,
  fixtureConfig,
  fixtureManifest,
  fixtureTest,
  MINI_BPE_TOKENIZER,
  withTempDir,
} from "../../testing/mod.ts";
import { ConfigError, InputError } from "../../errors.ts";
import type { NanoVLMConfig } from "../../checkpoint/mod.ts";
import { createTokenizer } from "./tokenizer.ts";
import { loadTokenizer, readTokenizerFiles } from "./tokenizer_files.ts";

/** A minimal config for tokenizer tests (only the fields the tokenizer reads matter). */
function miniConfig(overrides: Partial<NanoVLMConfig>): NanoVLMConfig {
  return {
    generation: "current",
    lm_tokenizer: "HuggingFaceTB/SmolLM2-360M-Instruct",
    lm_vocab_size: 400,
    ...overrides,
  } as NanoVLMConfig;
}

fixtureTest("tokenizer: fixture prompt texts encode to the manifests' ids", async () => {
  for (const fixture of ["v0.1-tiny", "v0.2-tiny", "head-tiny"]) {
    const manifest = fixtureManifest(fixture);
    const tokenizer = await loadTokenizer(BYTE_LEVEL_TOKENIZER, fixtureConfig(fixture));
    const single = manifest.cases.single;
    assertEquals(tokenizer.encode(single.prompt_text), single.input_ids, fixture);
  }
});

fixtureTest("tokenizer: extra tokens get ids after the base vocab in config order", async () => {
  const manifest = fixtureManifest("head-tiny");
  const config = fixtureConfig("head-tiny");
  const tokenizer = await loadTokenizer(BYTE_LEVEL_TOKENIZER, config);
  assertEquals(Object.fromEntries(tokenizer.extraTokenIds), manifest.tokens.extra_token_ids);
  assertEquals(tokenizer.imageTokenId, manifest.tokens.image_token_id);
  assertEquals(tokenizer.size, config.lm_vocab_size);
  for (const [key, content] of Object.entries(config.vlm_extra_tokens!)) {
    assertEquals(tokenizer.encode(`a${content}b`), [97, manifest.tokens.extra_token_ids[key], 98]);
  }
});

fixtureTest("tokenizer: eos and pad per generation match the manifests", async () => {
  const v01 = await loadTokenizer(BYTE_LEVEL_TOKENIZER, fixtureConfig("v0.1-tiny"));
  assertEquals([v01.eosToken, v01.eosTokenId, v01.padTokenId], ["<|endoftext|>", 0, 0]);
  assertEquals(v01.imageTokenId, undefined);
  for (const fixture of ["v0.2-tiny", "head-tiny"]) {
    const { tokens } = fixtureManifest(fixture);
    const tokenizer = await loadTokenizer(BYTE_LEVEL_TOKENIZER, fixtureConfig(fixture));
    assertEquals(tokenizer.eosToken, "<|im_end|>");
    assertEquals([tokenizer.eosTokenId, tokenizer.padTokenId], [
      tokens.eos_token_id,
      tokens.pad_token_id,
    ]);
  }
});

fixtureTest("tokenizer: decode skips special tokens by default", async () => {
  const tokenizer = await loadTokenizer(BYTE_LEVEL_TOKENIZER, fixtureConfig("head-tiny"));
  const ids = fixtureManifest("head-tiny").cases.single.input_ids;
  assertEquals(tokenizer.decode(ids), "user\nWhat is this?\nassistant\n");
  const raw = tokenizer.decode(ids, { skipSpecialTokens: false });
  assert(raw.startsWith("<|im_start|>user\n<|global_image|><|image|>"), raw.slice(0, 60));
  assertEquals(tokenizer.decode([]), "");
  assertThrows(() => tokenizer.decode([322]), InputError, /id 322/);
  assertThrows(() => tokenizer.decode([1.5]), InputError, /id 1.5/);
});

Deno.test("tokenizer: a SmolLM2-shaped byte-level BPE encodes by its merges and decodes bytes", async () => {
  // mini_bpe: specials 0..2, GPT-2 byte symbols at 3..258 in byte order, merges at 259.. in rank
  // order (th, the, Ġc, Ġca, Ġcat, Ġi, Ġis). Byte b maps to id 3 + b.
  const tokenizer = await loadTokenizer(MINI_BPE_TOKENIZER, miniConfig({ generation: "v0.2" }));
  const the = 260, cat = 263, is = 265;
  assertEquals(tokenizer.encode("the cat is"), [the, cat, is]);
  // "é" is bytes C3 A9; "!" is 0x21.
  assertEquals(tokenizer.encode("é!"), [3 + 0xc3, 3 + 0xa9, 3 + 0x21]);
  assertEquals(tokenizer.decode([the, cat, is, 3 + 0xc3, 3 + 0xa9, 2]), "the cat isé");
  // tokenizer_config.json names eos <|im_end|>; extra tokens follow the 266 ids present.
  assertEquals(tokenizer.eosTokenId, 2);
  assertEquals(tokenizer.specialTokensMap.bos_token, "<|im_start|>");
});

Deno.test("tokenizer: extra tokens already present keep their ids; new ones follow the largest id", () => {
  const tokenizerJson = JSON.parse(Deno.readTextFileSync(`${BYTE_LEVEL_TOKENIZER}/tokenizer.json`));
  const config = miniConfig({
    generation: "v0.2",
    lm_vocab_size: 258,
    vlm_extra_tokens: { end: "<|im_end|>", image_token: "<|image|>", letter: "A", other: "<x>" },
  });
  const tokenizer = createTokenizer({ tokenizerJson }, config);
  assertEquals(Object.fromEntries(tokenizer.extraTokenIds), {
    end: 2,
    image_token: 256,
    letter: 65,
    other: 257,
  });
  assert(
    tokenizer.specialTokenIds.has(65),
    "an extra token found in the vocabulary becomes special",
  );
  assertEquals(tokenizer.decode([66, 65, 67]), "BC");
  assertThrows(
    () => createTokenizer({ tokenizerJson }, { ...config, lm_vocab_size: 257 }),
    ConfigError,
    /258 ids .* lm_vocab_size is 257/,
  );
});

Deno.test("tokenizer: an explicit eos token overrides; an unknown one is an InputError", () => {
  const tokenizerJson = JSON.parse(Deno.readTextFileSync(`${BYTE_LEVEL_TOKENIZER}/tokenizer.json`));
  const config = miniConfig({ generation: "v0.1", lm_vocab_size: 256 });
  assertEquals(
    createTokenizer({ tokenizerJson }, config, { eosToken: "<|im_end|>" }).padTokenId,
    2,
  );
  assertThrows(
    () => createTokenizer({ tokenizerJson }, config, { eosToken: "<|eot|>" }),
    InputError,
    /<\|eot\|> is not in its vocabulary/,
  );
});

Deno.test("tokenizer: missing or broken tokenizer files are InputErrors naming the Hub repo", async () => {
  const config = miniConfig({ lm_tokenizer: "HuggingFaceTB/cosmo2-tokenizer" });
  const missing = await assertRejects(
    () => loadTokenizer(undefined, config),
    InputError,
    /no tokenizer given/,
  );
  assert(
    (missing as InputError).hint?.includes("https://huggingface.co/HuggingFaceTB/cosmo2-tokenizer"),
    "the hint names the repo",
  );
  await assertRejects(
    () => loadTokenizer("/nonexistent/tok.json", config),
    InputError,
    /not found/,
  );
  await withTempDir(async (dir) => {
    await assertRejects(() => loadTokenizer(dir, config), InputError, /has no tokenizer.json/);
    await Deno.writeTextFile(`${dir}/tokenizer.json`, "{ not json");
    await assertRejects(() => loadTokenizer(dir, config), InputError, /not valid JSON/);
    await Deno.writeTextFile(`${dir}/tokenizer.json`, '{"version": "1.0"}');
    await assertRejects(() => loadTokenizer(dir, config), InputError, /no "model" object/);
  });
});

Deno.test("tokenizer: a file path loads without configs; a folder merges its configs", async () => {
  const config = miniConfig({ generation: "v0.2" });
  const file = await readTokenizerFiles(`${MINI_BPE_TOKENIZER}/tokenizer.json`, config);
  assertEquals(file.tokenizerConfig, undefined);
  const folder = await readTokenizerFiles(MINI_BPE_TOKENIZER, config);
  assertEquals(folder.tokenizerConfig?.eos_token, "<|im_end|>");
  assertEquals(folder.source, `${MINI_BPE_TOKENIZER}/tokenizer.json`);
});
