import {
  assert,
  assertEquals,
  assertThrows,
  BYTE_LEVEL_TOKENIZER,
  fixtureConfig,
  fixtureManifest,
  fixtureTest,
} from "../../testing/mod.ts";
import { ConfigError, InputError } from "../../errors.ts";
import type { NanoVLMConfig } from "../../checkpoint/mod.ts";
import { loadTokenizer } from "./tokenizer_files.ts";
import { buildPrompt, type ImageGrid, promptText } from "./prompt.ts";

const IMG = "<|image|>".repeat(16);

async function setup(fixture: string, edit: (c: NanoVLMConfig) => NanoVLMConfig = (c) => c) {
  const config = edit(fixtureConfig(fixture));
  return { config, tokenizer: await loadTokenizer(BYTE_LEVEL_TOKENIZER, config) };
}

fixtureTest(
  "prompt: the single cases' texts, ids and image slots equal the manifests",
  async () => {
    for (const fixture of ["v0.1-tiny", "v0.2-tiny", "head-tiny"]) {
      const { config, tokenizer } = await setup(fixture);
      const single = fixtureManifest(fixture).cases.single;
      const grid: ImageGrid = single.grid_rows_cols ?? [1, 1];
      const prompt = buildPrompt(tokenizer, config, { text: "What is this?", images: [grid] });
      assertEquals(prompt.text, single.prompt_text, fixture);
      assertEquals(prompt.ids, single.input_ids, fixture);
      const positions = single.image_token_positions;
      if (fixture === "v0.1-tiny") {
        assertEquals(prompt.layout, { kind: "prepended", count: single.n_image_tokens });
        assertEquals(prompt.ids.length + single.n_image_tokens, single.lm_seq_len);
      } else if (fixture === "v0.2-tiny") {
        assertEquals(prompt.layout, { kind: "run", start: positions[0], length: positions.length });
      } else {
        assertEquals(prompt.layout, { kind: "placeholders", positions });
        assertEquals(prompt.images, [{ grid: [2, 3], tiles: 7, globalTile: true }]);
      }
    }
  },
);

fixtureTest(
  "prompt: several images get <image: idx> prefixes; a (1,1) grid has no separate global",
  async () => {
    const { config, tokenizer } = await setup("head-tiny");
    const text = promptText(config, { text: "Compare.", images: [[1, 1], [1, 2]] });
    const expected = "<|im_start|>user\n" +
      `<image: 0><|global_image|>${IMG}` +
      `<image: 1><|global_image|>${IMG}<row_1_col_1>${IMG}<row_1_col_2>${IMG}` +
      "Compare.<|im_end|>\n<|im_start|>assistant\n";
    assertEquals(text, expected);
    const prompt = buildPrompt(tokenizer, config, { text: "Compare.", images: [[1, 1], [1, 2]] });
    assertEquals(prompt.images.map((i) => [i.tiles, i.globalTile]), [[1, false], [3, true]]);
    assert(prompt.layout.kind === "placeholders");
    assertEquals(prompt.layout.positions.length, 4 * 16);
    // "<image: 0>" is plain text: 1 "user\n" 5 ids, then 10 byte ids, then <|global_image|> = 257.
    assertEquals(
      prompt.ids.slice(6, 17),
      [..."<image: 0>"].map((c) => c.charCodeAt(0)).concat(257),
    );
  },
);

fixtureTest(
  "prompt: current without <|global_image|> (C0 tokenizers) uses row/col markers only",
  async () => {
    const { config, tokenizer } = await setup("head-tiny", (c) => {
      const { global_image_token: _, ...rest } = c.vlm_extra_tokens!;
      return { ...c, vlm_extra_tokens: rest, lm_vocab_size: 321 };
    });
    const prompt = buildPrompt(tokenizer, config, { text: "Hi", images: [[2, 2]] });
    assert(
      prompt.text.startsWith(`<|im_start|>user\n<row_1_col_1>${IMG}<row_1_col_2>`),
      prompt.text.slice(0, 40),
    );
    assertEquals(prompt.images, [{ grid: [2, 2], tiles: 4, globalTile: false }]);
  },
);

fixtureTest(
  "prompt: an assistant prefix follows the generation prompt (current only)",
  async () => {
    const { config, tokenizer } = await setup("head-tiny");
    const prompt = buildPrompt(tokenizer, config, {
      text: "Q",
      images: [],
      assistantPrefix: "Answer:",
    });
    assertEquals(prompt.text, "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\nAnswer:");
    assertEquals(prompt.layout, { kind: "placeholders", positions: [] });
    const v02 = await setup("v0.2-tiny");
    assertThrows(
      () =>
        buildPrompt(v02.tokenizer, v02.config, {
          text: "Q",
          images: [[1, 1]],
          assistantPrefix: "A",
        }),
      InputError,
      /assistantPrefix/,
    );
  },
);

fixtureTest("prompt: bad image counts, grids and configs are clear errors", async () => {
  const v01 = await setup("v0.1-tiny");
  assertThrows(
    () => buildPrompt(v01.tokenizer, v01.config, { text: "Q", images: [[1, 1], [1, 1]] }),
    InputError,
    /exactly one image, got 2/,
  );
  const v02 = await setup("v0.2-tiny");
  assertThrows(
    () => buildPrompt(v02.tokenizer, v02.config, { text: "Q", images: [] }),
    InputError,
    /exactly one image, got 0/,
  );
  assertThrows(
    () =>
      buildPrompt(v02.tokenizer, v02.config, {
        text: "<|image|> Q",
        images: [[1, 1]],
        allowSpecialTokens: true,
      }),
    InputError,
    /17 <\|image\|> tokens but its 1 image tile\(s\) need 16/,
  );
  const head = await setup("head-tiny");
  assertThrows(
    () => buildPrompt(head.tokenizer, head.config, { text: "Q", images: [[9, 1]] }),
    InputError,
    /image 0: a 9x1 tile grid needs the token r9c1/,
  );
  assertThrows(
    () => buildPrompt(head.tokenizer, head.config, { text: "Q", images: [[0, 2]] }),
    InputError,
    /not two positive integers/,
  );
  assertThrows(
    () => buildPrompt(head.tokenizer, head.config, { text: "Q", images: [[1, 2], [1, 9]] }),
    InputError,
    /image 1: a 1x9 tile grid needs the token r1c9/,
  );
  assertThrows(
    () =>
      buildPrompt(head.tokenizer, { ...head.config, mp_image_token_length: 64 }, {
        text: "Q",
        images: [],
      }),
    ConfigError,
    /mp_image_token_length is 64 but the vision geometry gives 16/,
  );
  assertThrows(
    () =>
      buildPrompt(head.tokenizer, { ...head.config, lm_chat_template: undefined }, {
        text: "Q",
        images: [],
      }),
    ConfigError,
    /no lm_chat_template/,
  );
  assertThrows(
    () => buildPrompt(v02.tokenizer, head.config, { text: "Q", images: [] }),
    InputError,
    /built for a v0.2 config/,
  );
});
