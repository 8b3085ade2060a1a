import { ConfigError } from "../errors.ts";
import {
  assert,
  assertEquals,
  assertThrows,
  fixturePath,
  fixtureTest,
  REFERENCE_FIXTURES,
} from "../testing/mod.ts";
import { configToJson, defaultConfig, loadConfig, parseConfig } from "./config.ts";
import { geometryOf } from "./config_types.ts";

const EXPECTED_GENERATION = { "v0.1-tiny": "v0.1", "v0.2-tiny": "v0.2", "head-tiny": "current" };

for (const fixture of REFERENCE_FIXTURES) {
  fixtureTest(`config: ${fixture} is read, detected and rewritten byte-identically`, async () => {
    const path = fixturePath("reference", fixture, "checkpoint", "config.json");
    const { config, warnings } = await loadConfig(fixturePath("reference", fixture, "checkpoint"));
    assertEquals(config.generation, EXPECTED_GENERATION[fixture]);
    assertEquals(warnings, []);
    const manifest = JSON.parse(
      await Deno.readTextFile(fixturePath("reference", fixture, "manifest.json")),
    );
    for (const [name, value] of Object.entries(manifest.config)) {
      assertEquals((config as unknown as Record<string, unknown>)[name], value, name);
    }
    assertEquals(configToJson(config), await Deno.readTextFile(path));
    assertEquals(geometryOf(config).imageTokensPerImage, 16);
  });
}

Deno.test("config: the v0.1 defaults serialise to the 916-byte 222M config.json (spec §1.2)", () => {
  const text = configToJson(defaultConfig("v0.1"));
  assertEquals(new TextEncoder().encode(text).length, 916);
  assert(text.startsWith('{\n    "vit_hidden_dim": 768,\n    "vit_inter_dim": 3072,'));
  assert(text.includes('\n    "vit_ln_eps": 1e-06,\n'));
  assert(text.includes('\n    "lm_re_base": 100000,\n'));
  assert(text.endsWith('\n    "vlm_checkpoint_path": "checkpoints/nanoVLM-222M"\n}'));
});

Deno.test("config: current defaults hold the 66 extra tokens in order", () => {
  const config = defaultConfig("current");
  const keys = Object.keys(config.vlm_extra_tokens!);
  assertEquals(keys.length, 66);
  assertEquals(keys.slice(0, 3), ["image_token", "global_image_token", "r1c1"]);
  assertEquals(config.vlm_extra_tokens!.r8c8, "<row_8_col_8>");
  assertEquals(config.vlm_extra_tokens!.r3c5, "<row_3_col_5>");
  assertEquals(config.lm_vocab_size, 49152 + 66);
});

Deno.test("config: an int written as a float stays a float on rewrite", () => {
  const base = JSON.parse(configToJson(defaultConfig("v0.1")));
  const text = JSON.stringify({ ...base, lm_re_base: 100000 }, null, 4)
    .replace('"lm_re_base": 100000', '"lm_re_base": 100000.0')
    .replace('"vit_dropout": 0', '"vit_dropout": 0');
  const { config } = parseConfig(text);
  const out = configToJson(config);
  assert(out.includes('"lm_re_base": 100000.0,'));
  assert(out.includes('"vit_dropout": 0,'), "a float field written as int stays an int");
});

Deno.test("config: missing fields take the generation's defaults, with a warning", () => {
  const { config, warnings } = parseConfig('{"lm_eos_token_id": 0, "vit_img_size": 224}');
  assertEquals(config.generation, "v0.1");
  assertEquals(config.lm_vocab_size, 49152);
  assertEquals(warnings.length, 1);
  assert(warnings[0].includes("28 missing field(s) take the v0.1 defaults"), warnings[0]);
  assert(warnings[0].includes("vit_ln_eps=1e-06"), warnings[0]);
});

Deno.test("config: unknown fields are dropped with a warning that lists them", () => {
  const text = configToJson(defaultConfig("current")).replace(
    "{\n",
    '{\n    "lm_eos_token_id": 0,\n    "my_field": 1,\n',
  );
  const { config, warnings } = parseConfig(text);
  assertEquals(config.generation, "current");
  assertEquals(warnings, [
    "config.json: ignoring 2 field(s) unknown to the current VLMConfig: lm_eos_token_id, my_field",
  ]);
  assertEquals(configToJson(config), configToJson(defaultConfig("current")));
});

Deno.test("config: generation detection from the fields", () => {
  const detect = (fields: Record<string, unknown>) =>
    parseConfig(JSON.stringify(fields)).config.generation;
  assertEquals(detect({ lm_eos_token_id: 0 }), "v0.1");
  assertEquals(detect({ hf_repo_name: "x" }), "v0.2");
  assertEquals(detect({ max_img_size: 2048 }), "current");
});

function withField(name: string, value: unknown, generation: "v0.1" | "v0.2" | "current" = "v0.2") {
  const base = JSON.parse(configToJson(defaultConfig(generation)));
  return JSON.stringify({ ...base, [name]: value });
}

Deno.test("config: invalid values are ConfigErrors naming the field, the value and the fix", () => {
  const cases: [string, unknown, RegExp][] = [
    ["vit_hidden_dim", 0, /vit_hidden_dim = 0 is not a positive integer/],
    ["lm_n_blocks", 2.5, /lm_n_blocks = 2.5 is not a positive integer/],
    ["lm_hidden_dim", 577, /lm_hidden_dim = 577 is not divisible by lm_n_heads = 9/],
    ["lm_n_kv_heads", 2, /lm_n_heads = 9 is not divisible by lm_n_kv_heads = 2/],
    ["vit_img_size", 250, /vit_img_size = 250 is not divisible by vit_patch_size = 16/],
    [
      "mp_pixel_shuffle_factor",
      3,
      /mp_pixel_shuffle_factor = 3 does not divide the 16x16 patch grid/,
    ],
    [
      "mp_image_token_length",
      49,
      /mp_image_token_length = 49 but each image gives \(16\/2\)\^2 = 64/,
    ],
    ["lm_vocab_size", 49152, /lm_vocab_size = 49152 does not cover the 1 extra tokens/],
    ["vit_ln_eps", -1, /vit_ln_eps = -1 must be a positive number/],
    ["vit_cls_flag", true, /vit_cls_flag = true/],
    ["vit_n_heads", "12", /field vit_n_heads = "12" is not a number/],
  ];
  for (const [field, value, pattern] of cases) {
    const error = assertThrows(() => parseConfig(withField(field, value)), ConfigError, pattern);
    assert((error as ConfigError).hint, `${field}: a fix is given`);
  }
  assertThrows(
    () => parseConfig(withField("max_img_size", 1000, "current")),
    ConfigError,
    /max_img_size = 1000 is not a multiple of the 512-pixel tile/,
  );
});

Deno.test("config: several invalid values are reported together", () => {
  const base = JSON.parse(configToJson(defaultConfig("v0.1")));
  const text = JSON.stringify({ ...base, vit_patch_size: 0, lm_n_heads: 8 });
  assertThrows(
    () => parseConfig(text),
    ConfigError,
    /2 invalid values:\n {2}- vit_patch_size = 0.*\n {2}- lm_n_heads = 8 is not divisible by lm_n_kv_heads = 3/s,
  );
});

Deno.test("config: bad JSON and a non-object are ConfigErrors", () => {
  assertThrows(
    () => parseConfig('{"vit_hidden_dim": 768,', { where: "x/config.json" }),
    ConfigError,
    /x\/config.json: not valid JSON/,
  );
  assertThrows(() => parseConfig("[1, 2]"), ConfigError, /top level is not a JSON object/);
});
