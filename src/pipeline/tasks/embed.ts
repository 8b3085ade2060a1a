/**
 * The `embed` task: the model as a feature extractor. One vector per input, pooled from one of
 * three places:
 *
 * | source      | reads                                   | width           | flavour        |
 * | ----------- | --------------------------------------- | --------------- | -------------- |
 * | `vision`    | the ViT's final output `vit.output`     | `vit_hidden_dim`| `inspect` only |
 * | `projector` | the projected image tokens              | `lm_hidden_dim` | any            |
 * | `decoder`   | the decoder's final hidden states       | `lm_hidden_dim` | `inspect` only |
 *
 * `vision` and `projector` embed images: their tokens over every tile the prompt uses (the
 * current generation's global tile first, then the grid, image after image). `decoder` embeds an
 * image through its whole prompt (the caption prompt unless another is given; every position,
 * image slots included) or a text on its own (tokenized as a plain prompt, no images). Pooling:
 * `mean` over those positions, or `last` (the last one: the last token of the last tile, or the
 * prompt's last position, which is the state that predicts the answer).
 *
 * The fast flavour's fused graphs expose only the projector output; a source that needs internal
 * outputs is an {@link InputError} there: load the model with `flavour: "inspect"`.
 *
 * @module
 */
import { InputError } from "../../errors.ts";
import type { NanoVLM } from "../nanovlm.ts";
import type { PrepareOptions } from "../prepare.ts";
import { captionRequest, type TaskPromptOptions } from "./caption.ts";
import type { TaskImages } from "./images.ts";

/** Where the features come from (see the module doc). */
export type EmbedSource = "vision" | "projector" | "decoder";

/** How the per-position vectors become one. */
export type EmbedPool = "mean" | "last";

/** What to embed: image(s), or a text. */
export type EmbedInput = { image: TaskImages } | { text: string };

/** Options of {@link embed}. */
export interface EmbedOptions extends TaskPromptOptions {
  /** Default `projector` for images, `decoder` for texts. */
  source?: EmbedSource;
  /** Default `mean`. */
  pool?: EmbedPool;
  /** Image decoding options. */
  prepare?: Pick<PrepareOptions, "image">;
}

/** One pooled feature vector. */
export interface Embedding {
  /** The pooled vector. */
  vector: Float32Array;
  /** Where it came from. */
  source: EmbedSource;
  /** How it was pooled. */
  pool: EmbedPool;
  /** How many position vectors were pooled. */
  positions: number;
}

/** The graph output each source reads. */
export const EMBED_OUTPUTS: Readonly<
  Record<EmbedSource, { graph: "vision" | "decoder"; output: string }>
> = {
  vision: { graph: "vision", output: "vit.output" },
  projector: { graph: "vision", output: "image_embeds" },
  decoder: { graph: "decoder", output: "lm.hidden" },
};

/** Pools `rows` vectors of width `dim` (row-major in `data`) to one. */
export function poolRows(data: Float32Array, dim: number, pool: EmbedPool): Float32Array {
  const rows = data.length / dim;
  if (rows === 0) {
    throw new InputError(
      "nothing to embed: the input has no positions",
      "give an image or a non-empty text",
    );
  }
  if (pool === "last") return data.slice((rows - 1) * dim, rows * dim);
  const sums = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++) sums[d] += data[r * dim + d];
  }
  return Float32Array.from(sums, (s) => s / rows);
}

function checkSettings(source: EmbedSource, pool: EmbedPool): void {
  if (!(source in EMBED_OUTPUTS)) {
    throw new InputError(
      `unknown embedding source "${source}"`,
      "use vision, projector or decoder",
    );
  }
  if (pool !== "mean" && pool !== "last") {
    throw new InputError(`unknown pooling "${pool}"`, "use mean or last");
  }
}

function requireOutput(model: NanoVLM, source: EmbedSource, input: "image" | "text"): string {
  const { graph, output } = EMBED_OUTPUTS[source];
  if (!model.runtime.outputNames(graph).includes(output)) {
    // Only images have a source the fast flavour exposes (projector); a text has decoder alone.
    const alternative = input === "image" ? ', or use source "projector"' : "";
    throw new InputError(
      `embedding source "${source}" reads the ${graph} graph's "${output}" output, which the ` +
        `${model.runtime.options.flavour} flavour does not expose`,
      `load the model with flavour "inspect" (CLI: --flavour inspect)${alternative}`,
    );
  }
  return output;
}

/** The decoder's final hidden states over a whole merged sequence (one row, no padding). */
async function decoderHidden(
  model: NanoVLM,
  embeds: Float32Array,
  length: number,
): Promise<Float32Array> {
  const output = EMBED_OUTPUTS.decoder.output;
  const { taps } = await model.runtime.decode({
    embeds,
    batch: 1,
    tokens: length,
    attentionMask: new Array<number>(length).fill(1),
    positionIds: Array.from({ length }, (_, i) => i),
    taps: [output],
  });
  return taps[output].data as Float32Array;
}

/** The per-position vectors of an image input, with their width. */
async function imageFeatures(
  model: NanoVLM,
  images: TaskImages,
  source: EmbedSource,
  options: EmbedOptions,
): Promise<{ data: Float32Array; dim: number }> {
  const visionTaps = source === "vision" ? [requireOutput(model, source, "image")] : [];
  if (source === "decoder") requireOutput(model, source, "image");
  const prepared = await model.prepare([captionRequest(model, images, options)], {
    ...options.prepare,
    visionTaps,
  });
  const config = model.config;
  switch (source) {
    case "vision":
      return {
        data: prepared.visionTaps[visionTaps[0]].data as Float32Array,
        dim: config.vit_hidden_dim,
      };
    case "projector":
      return { data: prepared.imageEmbeds, dim: config.lm_hidden_dim };
    case "decoder":
      return {
        data: await decoderHidden(model, prepared.prompt.embeds, prepared.prompt.length),
        dim: config.lm_hidden_dim,
      };
  }
}

/** The per-position decoder vectors of a text on its own. */
async function textFeatures(model: NanoVLM, text: string, source: EmbedSource) {
  if (source !== "decoder") {
    throw new InputError(
      `embedding source "${source}" embeds images; a text has only the decoder source`,
      'use source "decoder" for texts',
    );
  }
  requireOutput(model, source, "text");
  const ids = model.tokenizer.encode(text, {
    addSpecialTokens: model.config.generation !== "current",
  });
  if (ids.length === 0) {
    throw new InputError("cannot embed an empty text", "give a non-empty text");
  }
  const embeds = await model.runtime.embedTokens([ids]);
  return { data: await decoderHidden(model, embeds, ids.length), dim: model.config.lm_hidden_dim };
}

/**
 * Embeds an image or a text as one pooled feature vector.
 *
 * @example
 * ```ts
 * const model = await NanoVLM.load("checkpoint", { tokenizer: "tok.json", flavour: "inspect" });
 * const image = await embed(model, { image: "cat.jpg" }, { source: "vision" });
 * const text = await embed(model, { text: "a cat" }, { source: "decoder", pool: "last" });
 * ```
 */
export async function embed(
  model: NanoVLM,
  input: EmbedInput,
  options: EmbedOptions = {},
): Promise<Embedding> {
  const isText = "text" in input;
  const { source = isText ? "decoder" : "projector", pool = "mean" } = options;
  checkSettings(source, pool);
  const { data, dim } = isText
    ? await textFeatures(model, input.text, source)
    : await imageFeatures(model, input.image, source, options);
  return { vector: poolRows(data, dim, pool), source, pool, positions: data.length / dim };
}
