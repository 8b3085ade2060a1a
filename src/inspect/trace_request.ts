/**
 * A traced request made ready: its images decoded and preprocessed, its prompt built, the answer
 * (or continuation) to append as ids; then its token layout and the pixel values of its tiles.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import {
  buildPrompt,
  concatFloat32,
  type EncodedPrompt,
  loadImage,
  type NanoTokenizer,
  type NanoVLM,
  type PreprocessedImage,
  preprocessImage,
  type Request,
} from "../pipeline/mod.ts";
import { traceLayout } from "./layout.ts";
import type { ResolvedOptions } from "./trace_options.ts";
import type { TraceLayout } from "./types.ts";

/** A request's images decoded and preprocessed, and its prompt built. */
export interface PreparedRequest {
  /** Each image's original size and its preprocessed tiles. */
  pictures: { width: number; height: number; pre: PreprocessedImage }[];
  /** The prompt's ids and image layout. */
  prompt: EncodedPrompt;
  /** The ids appended after the prompt: the answer's, or the request's continuation. */
  appendedIds: number[];
}

/** Decodes and preprocesses a request's images and builds its prompt (no graph runs). */
export async function prepareRequest(
  model: NanoVLM,
  request: Request,
  o: ResolvedOptions,
): Promise<PreparedRequest> {
  const pictures = [];
  for (const input of request.images) {
    const image = await loadImage(input);
    pictures.push({
      width: image.width,
      height: image.height,
      pre: preprocessImage(image, model.config),
    });
  }
  const prompt = buildPrompt(model.tokenizer, model.config, {
    text: request.text,
    images: pictures.map((p) => p.pre.grid),
    assistantPrefix: request.assistantPrefix,
  });
  if (o.answer !== undefined && request.continuation?.length) {
    throw new InputError(
      "the request has a continuation and the trace an answer: one would be lost",
      "give the answer either as text (answer) or as ids (request.continuation)",
    );
  }
  const appendedIds = o.answer !== undefined
    ? model.tokenizer.encode(o.answer, { addSpecialTokens: false })
    : [...(request.continuation ?? [])];
  if (o.answer !== undefined && appendedIds.length === 0) {
    throw new InputError("the answer is empty", 'pass the answer text, e.g. answer: " a cat"');
  }
  return { pictures, prompt, appendedIds };
}

/** The layout of the traced tokens: roles, pieces, and where each image's tiles lie. */
export function layoutOf(
  model: NanoVLM,
  prepared: PreparedRequest,
  ids: readonly number[],
  appended: "answer" | "generated",
): TraceLayout {
  const tokenizer: NanoTokenizer = model.tokenizer;
  const markerIds = new Set(
    [...tokenizer.extraTokenIds].filter(([key]) => key !== "image_token").map(([, id]) => id),
  );
  return traceLayout({
    config: model.config,
    ids,
    promptIds: prepared.prompt.ids.length,
    appended,
    imageLayout: prepared.prompt.layout,
    images: prepared.prompt.images.map((image, i) => ({
      width: prepared.pictures[i].width,
      height: prepared.pictures[i].height,
      grid: [image.grid[0], image.grid[1]],
      tiles: image.tiles,
      globalTile: image.globalTile,
    })),
    piece: (id) => tokenizer.decode([id], { skipSpecialTokens: false }),
    markerIds,
  });
}

/** The tiles the prompt's images use, in all. */
export function tileCount(prepared: PreparedRequest): number {
  return prepared.prompt.images.reduce((a, image) => a + image.tiles, 0);
}

/** The pixel values of the tiles the prompt uses (a config without a global token drops it). */
export function tilePixels(prepared: PreparedRequest, tileValues: number): Float32Array {
  return concatFloat32(prepared.prompt.images.map((image, i) => {
    const { pixelValues, shape } = prepared.pictures[i].pre;
    return pixelValues.subarray((shape[0] - image.tiles) * tileValues);
  }));
}
