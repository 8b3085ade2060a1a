/**
 * How image embeddings join the text, per generation (the host-side part of nanoVLM's
 * `VisionLanguageModel`):
 *
 * - v0.1: the image embeddings are **prepended** to the text embeddings (no placeholder tokens);
 * - v0.2: the `tokensPerImage` positions starting at each row's **first** `<|image|>` are
 *   overwritten with that row's image;
 * - current: **every** `<|image|>` position, row-major over the batch, is overwritten in order with
 *   the flattened image embeddings `[image0 tok0.., image1 tok0.., ...]`.
 *
 * @module
 */
import type { Generation } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";

/** Inputs of {@link mergeImageEmbeddings}. */
export interface MergeInputs {
  /** The code generation: v0.1 prepends the image embeddings, later ones overwrite `<|image|>` positions. */
  generation: Generation;
  /** Token embeddings `[batch, tokens, dim]`. */
  tokenEmbeds: Float32Array;
  /** The token ids, `batch` rows of `tokens` ids. */
  ids: readonly (readonly number[])[];
  /** Image embeddings `[images, tokensPerImage, dim]`. */
  imageEmbeds: Float32Array;
  /** Projected tokens per image. */
  tokensPerImage: number;
  /** Model width. */
  dim: number;
  /** The `<|image|>` id (v0.2, current). */
  imageTokenId?: number;
}

/** Returns the decoder input `[batch, length, dim]` (v0.1: length = tokensPerImage + tokens). */
export function mergeImageEmbeddings(inputs: MergeInputs): Float32Array {
  const { generation, tokenEmbeds, ids, imageEmbeds, tokensPerImage, dim } = inputs;
  const batch = ids.length;
  const tokens = batch ? ids[0].length : 0;
  const imageSize = tokensPerImage * dim;
  const images = imageEmbeds.length / imageSize;
  if (generation === "v0.1") {
    if (images !== batch) {
      throw new InputError(
        `v0.1 takes one image per prompt: got ${images} images for ${batch} prompts`,
        "pass exactly one image per prompt",
      );
    }
    const length = tokensPerImage + tokens;
    const out = new Float32Array(batch * length * dim);
    for (let r = 0; r < batch; r++) {
      out.set(imageEmbeds.subarray(r * imageSize, (r + 1) * imageSize), r * length * dim);
      out.set(
        tokenEmbeds.subarray(r * tokens * dim, (r + 1) * tokens * dim),
        (r * length + tokensPerImage) * dim,
      );
    }
    return out;
  }
  const imageToken = inputs.imageTokenId;
  if (imageToken === undefined) {
    throw new InputError(
      `${generation} needs the <|image|> token id`,
      "load the tokenizer with the config's extra tokens",
    );
  }
  const out = tokenEmbeds.slice();
  if (generation === "v0.2") {
    if (images !== batch) {
      throw new InputError(
        `v0.2 takes one image per prompt: got ${images} images for ${batch} prompts`,
        "pass exactly one image per prompt",
      );
    }
    ids.forEach((row, r) => {
      const start = row.indexOf(imageToken);
      if (
        start < 0 || start + tokensPerImage > tokens ||
        row.slice(start, start + tokensPerImage).some((t) => t !== imageToken)
      ) {
        throw new InputError(
          `prompt ${r} must hold ${tokensPerImage} consecutive <|image|> tokens (v0.2 layout)`,
          "build the prompt with the v0.2 prompt builder",
        );
      }
      out.set(imageEmbeds.subarray(r * imageSize, (r + 1) * imageSize), (r * tokens + start) * dim);
    });
    return out;
  }
  let filled = 0;
  const slots = ids.reduce((n, row) => n + row.filter((t) => t === imageToken).length, 0);
  if (slots !== images * tokensPerImage) {
    throw new InputError(
      `the prompts hold ${slots} <|image|> tokens but ${images} images need ${
        images * tokensPerImage
      }`,
      "build the prompt with the image grids of exactly these images",
    );
  }
  ids.forEach((row, r) =>
    row.forEach((t, p) => {
      if (t !== imageToken) return;
      out.set(imageEmbeds.subarray(filled * dim, (filled + 1) * dim), (r * tokens + p) * dim);
      filled++;
    })
  );
  return out;
}
