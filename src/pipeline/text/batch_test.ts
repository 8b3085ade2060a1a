import {
  assert,
  assertEquals,
  assertThrows,
  BYTE_LEVEL_TOKENIZER,
  fixtureConfig,
  fixtureManifest,
  fixtureTest,
} from "../../testing/mod.ts";
import { InputError } from "../../errors.ts";
import { loadTokenizer } from "./tokenizer_files.ts";
import { buildPrompt, type EncodedPrompt } from "./prompt.ts";
import { batchPrompts, truncatePrompt } from "./batch.ts";

/** Row 1's prompt text per fixture (fixtures README, "Padded batch"). */
const ROW1_TEXT: Record<string, string> = {
  "v0.1-tiny": "Color?",
  "v0.2-tiny": "Color?",
  "head-tiny": "Describe it.",
};

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

async function fixturePrompts(fixture: string) {
  const config = fixtureConfig(fixture);
  const tokenizer = await loadTokenizer(BYTE_LEVEL_TOKENIZER, config);
  const grids = fixtureManifest(fixture).cases.padded_batch.grids_rows_cols ?? [[1, 1], [1, 1]];
  const prompts = [
    buildPrompt(tokenizer, config, { text: "What is this?", images: [grids[0]] }),
    buildPrompt(tokenizer, config, { text: ROW1_TEXT[fixture], images: [grids[1]] }),
  ];
  return { tokenizer, prompts };
}

fixtureTest(
  "batch: the padded batches of all fixtures are reproduced from prompt text",
  async () => {
    for (const fixture of ["v0.1-tiny", "v0.2-tiny", "head-tiny"]) {
      const expected = fixtureManifest(fixture).cases.padded_batch;
      const { tokenizer, prompts } = await fixturePrompts(fixture);
      assertEquals(tokenizer.padTokenId, expected.pad_id, fixture);
      const batch = batchPrompts(prompts, { padId: tokenizer.padTokenId });
      assertEquals(batch.inputIds, expected.input_ids, fixture);
      assertEquals(
        batch.attentionMask,
        expected.attention_mask_text ?? expected.attention_mask,
        fixture,
      );
      assertEquals(batch.lmAttentionMask, expected.valid_lm_positions, fixture);
      const lmLength = expected.valid_lm_positions[0].length;
      assertEquals(batch.lmLength, lmLength, fixture);
      // "RoPE positions are 0..T-1 regardless of padding".
      assertEquals(batch.positionIds, [range(lmLength), range(lmLength)], fixture);
    }
  },
);

fixtureTest("batch: row layouts move with the left padding", async () => {
  const { tokenizer, prompts } = await fixturePrompts("head-tiny");
  const batch = batchPrompts(prompts, { padId: tokenizer.padTokenId });
  const [row0, row1] = batch.layouts;
  assert(row0.kind === "placeholders" && row1.kind === "placeholders");
  assertEquals(row0.positions, fixtureManifest("head-tiny").cases.single.image_token_positions);
  // Row 1: 52 pads, then "<|im_start|>user\n<|global_image|>" (7 ids), then image_b's 4 tiles.
  assertEquals(batch.padding, [0, 52]);
  assertEquals(row1.positions.length, 4 * 16);
  assertEquals(row1.positions[0], 52 + 7);
  for (const p of row1.positions) assertEquals(batch.inputIds[1][p], 256);

  const v02 = await fixturePrompts("v0.2-tiny");
  const b02 = batchPrompts(v02.prompts, { padId: 2 });
  assertEquals(b02.layouts, [{ kind: "run", start: 0, length: 16 }, {
    kind: "run",
    start: 7,
    length: 16,
  }]);
});

fixtureTest("batch: mask-aware positions count real tokens only (HF generate)", async () => {
  const v01 = await fixturePrompts("v0.1-tiny");
  const batch = batchPrompts(v01.prompts, { padId: 0, positions: "mask-aware" });
  // Row 1 (v0.1): 16 image embeddings, 7 pads (position 1, as HF's masked_fill), 24 text tokens.
  assertEquals(batch.positionIds[1], [...range(16), ...new Array(7).fill(1), ...range(24, 16)]);
  assertEquals(batch.positionIds[0], range(47));
  const head = await fixturePrompts("head-tiny");
  const hb = batchPrompts(head.prompts, { padId: 2, positions: "mask-aware" });
  assertEquals(hb.positionIds[1], [...new Array(52).fill(1), ...range(99)]);
});

fixtureTest("batch: right padding puts pads last and keeps layouts", async () => {
  const { prompts } = await fixturePrompts("v0.2-tiny");
  const batch = batchPrompts(prompts, { padId: 2, paddingSide: "right" });
  assertEquals(batch.inputIds[1], [...prompts[1].ids, ...new Array(7).fill(2)]);
  assertEquals(batch.attentionMask[1], [...new Array(40).fill(1), ...new Array(7).fill(0)]);
  assertEquals(batch.layouts[1], { kind: "run", start: 0, length: 16 });
});

fixtureTest("batch: truncation cuts text only, from the chosen side, and warns", async () => {
  const v01 = (await fixturePrompts("v0.1-tiny")).prompts[0];
  const ids = v01.ids; // 31 text ids after 16 prepended image embeddings
  const warnings: string[] = [];
  const left = batchPrompts([v01], { padId: 0, maxLength: 40, onWarning: (m) => warnings.push(m) });
  assertEquals(left.inputIds[0], ids.slice(7));
  assertEquals(left.lmLength, 40);
  assertEquals(left.truncated, [7]);
  assertEquals(warnings, ["prompt 0: cut 7 token(s) from the left to fit the maximum length 40"]);
  const right = batchPrompts([v01], {
    padId: 0,
    maxLength: 40,
    truncationSide: "right",
    onWarning: () => {},
  });
  assertEquals(right.inputIds[0], ids.slice(0, 24));
  assertEquals(truncatePrompt(v01, 16).prompt.ids, []);
  assertThrows(
    () => truncatePrompt(v01, 15),
    InputError,
    /image positions alone need 16 of the 15/,
  );

  const v02 = (await fixturePrompts("v0.2-tiny")).prompts[0];
  const cut02 = truncatePrompt(v02, 40, "left").prompt;
  assertEquals(cut02.ids, [...v02.ids.slice(0, 16), ...v02.ids.slice(23)]);
  assertEquals(cut02.layout, { kind: "run", start: 0, length: 16 });

  // head: 151 ids; the image span runs from <|global_image|> (index 6) to the last <|image|>
  // (index 124). Left truncation to 140 cuts the 6 ids before it, then 5 after it ("What ").
  const head = (await fixturePrompts("head-tiny")).prompts[0];
  const cutHead = truncatePrompt(head, 140, "left");
  assertEquals(cutHead.removed, 11);
  assertEquals(cutHead.prompt.ids, [...head.ids.slice(6, 125), ...head.ids.slice(130)]);
  assert(cutHead.prompt.layout.kind === "placeholders" && head.layout.kind === "placeholders");
  assertEquals(cutHead.prompt.layout.positions, head.layout.positions.map((p) => p - 6));
  assertEquals(cutHead.prompt.imageSpan, [0, 119]);
  assertEquals(truncatePrompt(head, 119).prompt.ids, head.ids.slice(6, 125));
  assertThrows(
    () => truncatePrompt(head, 118),
    InputError,
    /need 119 of the 118 allowed \(112 image/,
  );
  assertThrows(() => truncatePrompt(head, 0), InputError, /maxLength must be a positive integer/);
});

fixtureTest("batch: empty or mixed batches are InputErrors", async () => {
  assertThrows(() => batchPrompts([], { padId: 0 }), InputError, /zero prompts/);
  const a: EncodedPrompt = (await fixturePrompts("v0.1-tiny")).prompts[0];
  const b: EncodedPrompt = (await fixturePrompts("v0.2-tiny")).prompts[0];
  assertThrows(
    () => batchPrompts([a, b], { padId: 0 }),
    InputError,
    /prompt 1 was built for a different config/,
  );
});
