/**
 * From user inputs (images and text) to the decoder's input: images decoded and preprocessed as
 * the original, prompts built and tokenized per generation, a padded batch, the vision encoder run
 * on every tile, and the image embeddings merged into the token embeddings.
 *
 * @module
 */
import type * as ort from "onnxruntime-node";
import { InputError } from "../errors.ts";
import { mergeImageEmbeddings } from "./merge.ts";
import { concatFloat32 } from "./concat.ts";
import type { NanoVLMRuntime } from "../runtime/mod.ts";
import {
  type BatchOptions,
  batchPrompts,
  boundText,
  buildPrompt,
  type NanoTokenizer,
  type PromptBatch,
  textCharBound,
} from "./text/mod.ts";
import type { DecoderPrompt } from "./generation/mod.ts";
import { type ImageInput, loadImage, type LoadImageOptions, preprocessImage } from "./image/mod.ts";

/** One prompt: its images and its text. */
export interface Request {
  /** Images of the prompt (v0.1/v0.2: exactly one). */
  images: readonly ImageInput[];
  /** The user's text (question or instruction). */
  text: string;
  /** current generation: text the assistant turn starts with (e.g. `"Answer:"`). */
  assistantPrefix?: string;
  /** Match special tokens typed in {@link text} as control tokens (default false: plain text). */
  allowSpecialTokens?: boolean;
  /**
   * Token ids appended after the prompt's ids, e.g. an answer whose log-likelihood is scored.
   * They follow every image slot, so the image layout is unchanged.
   */
  continuation?: readonly number[];
}

/** Options of {@link prepareBatch}. */
export interface PrepareOptions extends Omit<BatchOptions, "padId"> {
  /** Image decoding limits and EXIF handling. */
  image?: LoadImageOptions;
  /** Internal outputs of the vision graph to fetch (inspect flavour), e.g. `vit.output`. */
  visionTaps?: string[];
}

/** A batch ready for generation. */
export interface PreparedBatch {
  /** The padded token batch (ids, masks, positions, layouts). */
  batch: PromptBatch;
  /** The decoder input with image embeddings merged. */
  prompt: DecoderPrompt;
  /** The projected image embeddings of every tile, `[tiles, tokensPerImage, dim]`. */
  imageEmbeds: Float32Array;
  /** The vision-graph outputs asked for with {@link PrepareOptions.visionTaps}, by name. */
  visionTaps: Record<string, ort.Tensor>;
}

/** A preprocessed image, shared by every request of a batch that names the same input. */
type Preprocessed = ReturnType<typeof preprocessImage>;

/** Decodes and preprocesses the images of one request (each distinct input once per batch). */
async function requestPixels(
  runtime: NanoVLMRuntime,
  request: Request,
  options: LoadImageOptions | undefined,
  seen: Map<ImageInput, Preprocessed>,
): Promise<Preprocessed[]> {
  const images = [];
  for (const input of request.images) {
    let image = seen.get(input);
    if (!image) {
      image = preprocessImage(await loadImage(input, options), runtime.config);
      seen.set(input, image);
    }
    images.push(image);
  }
  return images;
}

/**
 * Encodes the tiles with the vision graph, each distinct tile array once (requests that share an
 * image — choice options, retrieval pairs — share its embeddings); returns them in `tiles` order.
 */
async function encodeTiles(
  runtime: NanoVLMRuntime,
  tiles: readonly Float32Array[],
  tileSize: number,
  taps: string[] | undefined,
): Promise<{ embeds: Float32Array; taps: Record<string, ort.Tensor> }> {
  if (tiles.length === 0) return { embeds: new Float32Array(0), taps: {} };
  const unique = taps?.length ? [...tiles] : [...new Set(tiles)];
  const pixels = concatFloat32(unique);
  const encoded = await runtime.encodeImages(pixels, pixels.length / tileSize, taps);
  if (unique.length === tiles.length) return encoded;
  const perTile = encoded.embeds.length / (pixels.length / tileSize);
  const firstTile = new Map<Float32Array, number>();
  let tileIndex = 0;
  for (const u of unique) {
    firstTile.set(u, tileIndex);
    tileIndex += u.length / tileSize;
  }
  const parts = tiles.map((t) => {
    const start = firstTile.get(t)! * perTile;
    return encoded.embeds.subarray(start, start + (t.length / tileSize) * perTile);
  });
  return { embeds: concatFloat32(parts), taps: encoded.taps };
}

/** Prepares a batch of requests for {@link NanoVLMRuntime.decode}. */
export async function prepareBatch(
  runtime: NanoVLMRuntime,
  tokenizer: NanoTokenizer,
  requests: readonly Request[],
  options: PrepareOptions = {},
): Promise<PreparedBatch> {
  const config = runtime.config;
  // Prompts never exceed the model's positions: cut (with a warning) or refused, by option.
  const maxLength = options.maxLength ?? config.lm_max_position_embeddings;
  const side = options.truncationSide ?? "left";
  const tileSize = 3 * config.vit_img_size ** 2;
  const allTiles: Float32Array[] = [];
  const prompts = [];
  const seen = new Map<ImageInput, Preprocessed>();
  const tileViews = new Map<Preprocessed, Map<number, Float32Array>>();
  for (const request of requests) {
    const images = await requestPixels(runtime, request, options.image, seen);
    const built = buildPrompt(tokenizer, config, {
      text: boundText(request.text, textCharBound(maxLength, tokenizer.maxTokenLength), side),
      images: images.map((image) => image.grid),
      assistantPrefix: request.assistantPrefix,
      allowSpecialTokens: request.allowSpecialTokens,
    });
    const prompt = request.continuation
      ? { ...built, ids: [...built.ids, ...request.continuation] }
      : built;
    prompt.images.forEach((image, i) => {
      // A config without <|global_image|> takes the tiles only: drop the global thumbnail.
      const { pixelValues, shape } = images[i];
      const drop = shape[0] - image.tiles;
      if (drop < 0) {
        throw new InputError(
          `image ${i} gave ${shape[0]} tiles, the prompt needs ${image.tiles}`,
          "check the config's image settings",
        );
      }
      // One view object per (image, drop), so that encodeTiles can recognise repeats.
      const views = tileViews.get(images[i]) ?? new Map<number, Float32Array>();
      tileViews.set(images[i], views);
      if (!views.has(drop)) views.set(drop, pixelValues.subarray(drop * tileSize));
      allTiles.push(views.get(drop)!);
    });
    prompts.push(prompt);
  }
  const batch = batchPrompts(prompts, {
    ...options,
    maxLength,
    padId: tokenizer.padTokenId,
  });
  const { embeds: imageEmbeds, taps: visionTaps } = await encodeTiles(
    runtime,
    allTiles,
    tileSize,
    options.visionTaps,
  );
  const embeds = mergeImageEmbeddings({
    generation: config.generation,
    tokenEmbeds: await runtime.embedTokens(batch.inputIds),
    ids: batch.inputIds,
    imageEmbeds,
    tokensPerImage: runtime.geometry.imageTokensPerImage,
    dim: config.lm_hidden_dim,
    imageTokenId: tokenizer.imageTokenId,
  });
  return {
    batch,
    imageEmbeds,
    visionTaps,
    prompt: {
      embeds,
      batch: batch.batchSize,
      length: batch.lmLength,
      attentionMask: batch.lmAttentionMask,
      positionIds: batch.positionIds,
    },
  };
}
