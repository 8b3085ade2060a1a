/**
 * From user inputs (images and text) to the decoder's input: images decoded and preprocessed as
 * the original, prompts built and tokenized per generation, a padded batch, the vision encoder run
 * on every tile, and the image embeddings merged into the token embeddings.
 *
 * @module
 */
import type * as ort from "onnxruntime-node";
import { InputError } from "../errors.ts";
import { mergeImageEmbeddings } from "../model/merge.ts";
import { concatFloat32 } from "./concat.ts";
import type { NanoVLMRuntime } from "../runtime/model.ts";
import { type BatchOptions, batchPrompts, type PromptBatch } from "./batch.ts";
import type { DecoderPrompt } from "./generate.ts";
import { type ImageInput, loadImage, type LoadImageOptions } from "./image_load.ts";
import { preprocessImage } from "./image_preprocess.ts";
import { buildPrompt, type ImageGrid } from "./prompt.ts";
import type { NanoTokenizer } from "./tokenizer.ts";

/** One prompt: its images and its text. */
export interface Request {
  /** Images of the prompt (v0.1/v0.2: exactly one). */
  images: readonly ImageInput[];
  /** The user's text (question or instruction). */
  text: string;
  /** current generation: text the assistant turn starts with (e.g. `"Answer:"`). */
  assistantPrefix?: string;
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

/** Decodes and preprocesses the images of one request; returns tiles and grids. */
async function requestPixels(
  runtime: NanoVLMRuntime,
  request: Request,
  options: LoadImageOptions | undefined,
): Promise<{ pixels: Float32Array[]; tiles: number[]; grids: ImageGrid[] }> {
  const pixels: Float32Array[] = [], tiles: number[] = [], grids: ImageGrid[] = [];
  for (const input of request.images) {
    const image = preprocessImage(await loadImage(input, options), runtime.config);
    pixels.push(image.pixelValues);
    tiles.push(image.shape[0]);
    grids.push(image.grid);
  }
  return { pixels, tiles, grids };
}

/** Prepares a batch of requests for {@link NanoVLMRuntime.decode}. */
export async function prepareBatch(
  runtime: NanoVLMRuntime,
  tokenizer: NanoTokenizer,
  requests: readonly Request[],
  options: PrepareOptions = {},
): Promise<PreparedBatch> {
  const config = runtime.config;
  const tileSize = 3 * config.vit_img_size ** 2;
  const allTiles: Float32Array[] = [];
  const prompts = [];
  for (const request of requests) {
    const { pixels, tiles, grids } = await requestPixels(runtime, request, options.image);
    const built = buildPrompt(tokenizer, config, {
      text: request.text,
      images: grids,
      assistantPrefix: request.assistantPrefix,
    });
    const prompt = request.continuation
      ? { ...built, ids: [...built.ids, ...request.continuation] }
      : built;
    prompt.images.forEach((image, i) => {
      // A config without <|global_image|> takes the tiles only: drop the global thumbnail.
      const drop = tiles[i] - image.tiles;
      if (drop < 0) {
        throw new InputError(
          `image ${i} gave ${tiles[i]} tiles, the prompt needs ${image.tiles}`,
          "check the config's image settings",
        );
      }
      allTiles.push(pixels[i].subarray(drop * tileSize));
    });
    prompts.push(prompt);
  }
  const batch = batchPrompts(prompts, { ...options, padId: tokenizer.padTokenId });
  const pixels = concatFloat32(allTiles);
  const count = pixels.length / tileSize;
  const { embeds: imageEmbeds, taps: visionTaps } = count > 0
    ? await runtime.encodeImages(pixels, count, options.visionTaps)
    : { embeds: new Float32Array(0), taps: {} };
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
