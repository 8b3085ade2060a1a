/**
 * Where the image embeddings go in a prompt, per generation (spec §6.2-§6.4), computed from the
 * token ids so that it stays right after truncation and padding.
 *
 * @module
 */
import type { Generation } from "../../checkpoint/mod.ts";
import { InputError } from "../../errors.ts";

/**
 * The image slots of one prompt, in the prompt's own token coordinates.
 *
 * - `prepended` (v0.1): `count` image embeddings go before the first token; token `i` of the text
 *   sits at LM position `count + i` (plus any padding between them in a batch).
 * - `run` (v0.2): the `length` ids from `start` (the first `<|image|>`) are replaced by the image
 *   embeddings, as the original's `_replace_img_tokens_with_embd`.
 * - `placeholders` (current): every `<|image|>` position, in order; they receive the embeddings of
 *   all tiles of all images, flattened in order.
 */
export type ImageLayout =
  | { kind: "prepended"; count: number }
  | { kind: "run"; start: number; length: number }
  | { kind: "placeholders"; positions: number[] };

/** What {@link imageLayoutOf} needs to know about the model. */
export interface LayoutParams {
  /** The generation whose layout rules apply. */
  generation: Generation;
  /** Image embeddings per image tile (`mp_image_token_length`, or the v0.1 geometry). */
  tokensPerImage: number;
  /** The `<|image|>` id (v0.2 and current). */
  imageTokenId?: number;
  /** Number of image tiles the prompt must hold slots for. */
  tiles: number;
}

/**
 * Computes and checks the image layout of a prompt from its ids: the number of `<|image|>` slots
 * must equal `tiles * tokensPerImage` (v0.2: one contiguous run). A mismatch is an
 * {@link InputError}, since the original would silently overwrite the wrong positions.
 */
export function imageLayoutOf(ids: readonly number[], params: LayoutParams): ImageLayout {
  const expected = params.tiles * params.tokensPerImage;
  if (params.generation === "v0.1") return { kind: "prepended", count: expected };
  if (params.imageTokenId === undefined) {
    throw new InputError(
      "the tokenizer has no <|image|> token",
      "load the tokenizer with the model's config so that its vlm_extra_tokens are added",
    );
  }
  const positions: number[] = [];
  ids.forEach((id, i) => {
    if (id === params.imageTokenId) positions.push(i);
  });
  if (positions.length !== expected) {
    throw new InputError(
      `the prompt holds ${positions.length} <|image|> tokens but its ${params.tiles} image tile(s) ` +
        `need ${expected} (${params.tokensPerImage} each)`,
      "do not write image tokens into the prompt text yourself, and give one image per image slot",
    );
  }
  if (params.generation === "current") return { kind: "placeholders", positions };
  const start = positions[0] ?? 0;
  if (positions.length > 0 && positions[positions.length - 1] !== start + expected - 1) {
    throw new InputError(
      `the prompt's ${expected} <|image|> tokens are not one contiguous run (v0.2 fills ` +
        `the ${expected} positions from the first one)`,
      "keep the image tokens together at the start of the prompt",
    );
  }
  return { kind: "run", start, length: expected };
}

/**
 * The token span `[start, end)` that truncation must keep whole: from the first to the last image
 * slot or image marker token (`<|global_image|>`, `<row_i_col_j>`); empty (`[0, 0)`) when the
 * prompt holds none (v0.1, text-only prompts).
 */
export function imageSpanOf(
  ids: readonly number[],
  imageTokenIds: ReadonlySet<number>,
): [number, number] {
  let start = -1;
  let end = 0;
  ids.forEach((id, i) => {
    if (!imageTokenIds.has(id)) return;
    if (start < 0) start = i;
    end = i + 1;
  });
  return start < 0 ? [0, 0] : [start, end];
}

/** The layout after `offset` tokens were inserted before the prompt (padding) or removed (< 0). */
export function shiftLayout(layout: ImageLayout, offset: number): ImageLayout {
  switch (layout.kind) {
    case "prepended":
      return layout;
    case "run":
      return { ...layout, start: layout.start + offset };
    case "placeholders":
      return { kind: "placeholders", positions: layout.positions.map((p) => p + offset) };
  }
}

/** Number of image embeddings the layout receives. */
export function layoutSlotCount(layout: ImageLayout): number {
  switch (layout.kind) {
    case "prepended":
      return layout.count;
    case "run":
      return layout.length;
    case "placeholders":
      return layout.positions.length;
  }
}
