/**
 * Runs one request through the inspect-flavour graphs and keeps what the options ask for:
 * `traceModel` (behind `model.trace`) and `estimateTrace` (behind `model.estimateTrace`), which
 * says what a trace costs before anything is computed. A trace over the memory limit is refused
 * with a {@link TraceBudgetError} that names the largest stages.
 *
 * @module
 */
import type * as ort from "onnxruntime-node";
import { InputError } from "../errors.ts";
import {
  buildPrompt,
  concatFloat32,
  type EncodedPrompt,
  greedyDecode,
  loadImage,
  mergeImageEmbeddings,
  type NanoTokenizer,
  type NanoVLM,
  type PreprocessedImage,
  preprocessImage,
  type Request,
} from "../pipeline/mod.ts";
import type { NanoVLMRuntime } from "../runtime/mod.ts";
import { traceLayout } from "./layout.ts";
import { type RawTensor, Trace, type TraceDims } from "./trace.ts";
import {
  type IndexSelection,
  type StageCost,
  TRACE_STAGES,
  type TraceEstimate,
  type TraceLayout,
  type TraceOptions,
  type TraceStage,
} from "./types.ts";

/** A trace would keep more than its memory limit (`maxBytes`). */
export class TraceBudgetError extends InputError {}

/** Default memory limit of a trace: 2 GiB of kept tensors. */
export const DEFAULT_TRACE_BYTES = 2 * 1024 ** 3;

/** Options with defaults filled in and selections checked. */
interface ResolvedOptions {
  stages: Set<TraceStage>;
  vitLayers: number[];
  vitHeads: number[];
  layers: number[];
  heads: number[];
  topK: number;
  maxBytes: number;
  maxNewTokens: number;
  answer?: string;
}

function selection(
  what: string,
  value: IndexSelection | undefined,
  count: number,
): number[] {
  if (value === undefined || value === "all") return [...Array(count).keys()];
  const picked = [...new Set(value)].sort((a, b) => a - b);
  for (const i of picked) {
    if (!Number.isInteger(i) || i < 0 || i >= count) {
      throw new InputError(
        `${what} ${i} is out of range: the model has ${count} (0..${count - 1})`,
        `pick ${what}s 0..${count - 1}, or "all"`,
      );
    }
  }
  return picked;
}

function resolveOptions(dims: TraceDims, options: TraceOptions): ResolvedOptions {
  const stages = new Set(options.stages ?? TRACE_STAGES);
  for (const s of stages) {
    if (!TRACE_STAGES.includes(s)) {
      throw new InputError(
        `unknown trace stage ${JSON.stringify(s)}`,
        `stages are ${TRACE_STAGES.join(", ")}`,
      );
    }
  }
  if (options.answer !== undefined && options.generate) {
    throw new InputError(
      "a trace takes either an answer (teacher-forced) or generate, not both",
      "drop one of the two options",
    );
  }
  const maxNewTokens = options.generate?.maxNewTokens ?? 0;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new InputError(
      `generate.maxNewTokens must be a whole number >= 0, got ${maxNewTokens}`,
      "pass e.g. generate: { maxNewTokens: 10 }",
    );
  }
  const topK = options.topK ?? 5;
  if (!Number.isInteger(topK) || topK < 1 || topK > dims.vocab) {
    throw new InputError(`topK must be 1..${dims.vocab}, got ${topK}`, "pass e.g. topK: 5");
  }
  const maxBytes = options.maxBytes ?? DEFAULT_TRACE_BYTES;
  if (!(maxBytes > 0)) {
    throw new InputError(`maxBytes must be positive, got ${maxBytes}`, "pass e.g. 2 ** 31");
  }
  return {
    stages,
    vitLayers: selection("ViT layer", options.vitLayers, dims.vitLayers),
    vitHeads: selection("ViT head", options.vitHeads, dims.vitHeads),
    layers: selection("decoder layer", options.layers, dims.layers),
    heads: selection("decoder head", options.heads, dims.heads),
    topK,
    maxBytes,
    maxNewTokens,
    answer: options.answer,
  };
}

/** The dimensions of a model's config. */
function dimsOf(model: NanoVLM): TraceDims {
  const c = model.config;
  return {
    vitLayers: c.vit_n_blocks,
    vitHeads: c.vit_n_heads,
    layers: c.lm_n_blocks,
    heads: c.lm_n_heads,
    kvHeads: c.lm_n_kv_heads,
    vocab: c.lm_vocab_size,
  };
}

/** What each stage keeps for a prompt of `positions` decoder positions and `tiles` tiles. */
function stageCosts(
  model: NanoVLM,
  o: ResolvedOptions,
  positions: number,
  tiles: number,
): TraceEstimate {
  const c = model.config;
  const s = c.vit_img_size;
  const patches = (s / c.vit_patch_size) ** 2;
  const tokens = patches / c.mp_pixel_shuffle_factor ** 2;
  const rows: [TraceStage, string[], number[], number][] = [
    ["pixels", ["tile", "channel", "y", "x"], [tiles, 3, s, s], 1],
    ["patches", ["tile", "patch", "channel"], [tiles, patches, c.vit_hidden_dim], 1],
    [
      "vit.residual",
      ["tile", "patch", "channel"],
      [tiles, patches, c.vit_hidden_dim],
      o.vitLayers.length + 1,
    ],
    ["vit.attention", ["tile", "head", "query", "key"], [
      tiles,
      o.vitHeads.length,
      patches,
      patches,
    ], o.vitLayers.length],
    ["projector", ["tile", "token", "channel"], [tiles, tokens, c.lm_hidden_dim], 1],
    ["decoder.input", ["position", "channel"], [positions, c.lm_hidden_dim], 1],
    ["decoder.residual", ["position", "channel"], [positions, c.lm_hidden_dim], o.layers.length],
    [
      "decoder.attention",
      ["head", "query", "key"],
      [o.heads.length, positions, positions],
      o.layers.length,
    ],
    ["logits", ["position", "vocab"], [positions, c.lm_vocab_size], 1],
  ];
  const stages: StageCost[] = rows.filter(([stage]) => o.stages.has(stage)).map(
    ([stage, dims, shape, count]) => ({
      stage,
      dims,
      shape,
      count,
      bytes: 4 * count * shape.reduce((a, b) => a * b, 1),
    }),
  );
  return { stages, bytes: stages.reduce((a, s) => a + s.bytes, 0), positions, tiles };
}

/** A request's images decoded and preprocessed, and its prompt built. */
interface PreparedRequest {
  pictures: { width: number; height: number; pre: PreprocessedImage }[];
  prompt: EncodedPrompt;
  appendedIds: number[];
}

async function prepareRequest(
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

function layoutOf(
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

function tileCount(prepared: PreparedRequest): number {
  return prepared.prompt.images.reduce((a, image) => a + image.tiles, 0);
}

/**
 * What a trace of `request` would keep, stage by stage, before computing anything (images are
 * decoded and the prompt is built; no graph runs). With `generate`, positions count
 * `maxNewTokens` generated tokens.
 */
export async function estimateTrace(
  model: NanoVLM,
  request: Request,
  options: TraceOptions = {},
): Promise<TraceEstimate> {
  const o = resolveOptions(dimsOf(model), options);
  const prepared = await prepareRequest(model, request, o);
  const imageSlots = prepared.prompt.layout.kind === "prepended" ? prepared.prompt.layout.count : 0;
  const positions = imageSlots + prepared.prompt.ids.length + prepared.appendedIds.length +
    o.maxNewTokens;
  return stageCosts(model, o, positions, tileCount(prepared));
}

function checkBudget(estimate: TraceEstimate, maxBytes: number): void {
  if (estimate.bytes <= maxBytes) return;
  const mib = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MiB`;
  const largest = [...estimate.stages].sort((a, b) => b.bytes - a.bytes).slice(0, 3)
    .map((s) => `${s.stage} ${mib(s.bytes)}`).join(", ");
  throw new TraceBudgetError(
    `the trace would keep ${mib(estimate.bytes)}, over its limit of ${mib(maxBytes)} ` +
      `(largest: ${largest})`,
    "trace fewer layers or heads (layers, heads, vitLayers, vitHeads), drop stages " +
      "(e.g. vit.attention), or raise maxBytes",
  );
}

/** The pixel values of the tiles the prompt uses (a config without a global token drops it). */
function tilePixels(prepared: PreparedRequest, tileValues: number): Float32Array {
  return concatFloat32(prepared.prompt.images.map((image, i) => {
    const { pixelValues, shape } = prepared.pictures[i].pre;
    return pixelValues.subarray((shape[0] - image.tiles) * tileValues);
  }));
}

function raw(tensor: ort.Tensor): RawTensor {
  return { data: tensor.data as Float32Array, dims: tensor.dims };
}

/** Keeps the selected heads (axis `axis`) of an attention tensor. */
function keepHeads(tensor: ort.Tensor, axis: number, heads: number[], all: number): RawTensor {
  const t = raw(tensor);
  if (heads.length === all) return t;
  const outer = t.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(outer * heads.length * inner);
  for (let o = 0; o < outer; o++) {
    heads.forEach((h, k) => {
      const from = (o * all + h) * inner;
      out.set(t.data.subarray(from, from + inner), (o * heads.length + k) * inner);
    });
  }
  const dims = [...t.dims];
  dims[axis] = heads.length;
  return { data: out, dims };
}

/** Runs the decoder over a whole sequence, fetching `taps`. */
async function prefill(
  runtime: NanoVLMRuntime,
  embeds: Float32Array,
  length: number,
  logitsIndex: number[],
  taps: string[],
) {
  const all = [...Array(length).keys()];
  return await runtime.decode({
    embeds,
    batch: 1,
    tokens: length,
    attentionMask: all.map(() => 1),
    positionIds: all,
    logitsIndex,
    taps,
  });
}

/** The graph outputs a trace with these options fetches, per graph. */
function tapsFor(o: ResolvedOptions): { vision: string[]; decoder: string[] } {
  const has = (s: TraceStage) => o.stages.has(s);
  return {
    vision: [
      ...(has("patches") ? ["vit.patch_embeds"] : []),
      ...(has("vit.residual") ? [...o.vitLayers.map((i) => `vit.block${i}`), "vit.output"] : []),
      ...(has("vit.attention") ? o.vitLayers.map((i) => `vit.attn_probs.layer${i}`) : []),
    ],
    decoder: [
      ...(has("decoder.input") ? ["lm.inputs_embeds"] : []),
      ...(has("decoder.residual") ? o.layers.map((i) => `lm.block${i}`) : []),
      ...(has("decoder.attention") ? o.layers.map((i) => `lm.attn_probs.layer${i}`) : []),
    ],
  };
}

/**
 * The internal outputs (graph taps) a trace with these options needs: what
 * `model.inspectRuntime(taps)` builds its graphs with.
 */
export function traceTaps(model: NanoVLM, options: TraceOptions = {}): string[] {
  const { vision, decoder } = tapsFor(resolveOptions(dimsOf(model), options));
  return [...vision, ...decoder];
}

/**
 * Traces one request: see {@link Trace}. `model.trace(request, options)` calls this; it runs on
 * the model's inspect-flavour sessions whose graphs hold just the internals asked for.
 */
export async function traceModel(
  model: NanoVLM,
  request: Request,
  options: TraceOptions = {},
): Promise<Trace> {
  const dims = dimsOf(model);
  const o = resolveOptions(dims, options);
  const prepared = await prepareRequest(model, request, o);
  const imageSlots = prepared.prompt.layout.kind === "prepended" ? prepared.prompt.layout.count : 0;
  const tiles = tileCount(prepared);
  checkBudget(
    stageCosts(
      model,
      o,
      imageSlots + prepared.prompt.ids.length + prepared.appendedIds.length + o.maxNewTokens,
      tiles,
    ),
    o.maxBytes,
  );
  const c = model.config;
  const has = (s: TraceStage) => o.stages.has(s);
  const { vision: visionTaps, decoder: decoderTaps } = tapsFor(o);
  const runtime = await model.inspectRuntime([...visionTaps, ...decoderTaps]);
  const tileValues = 3 * c.vit_img_size ** 2;
  const pixels = tilePixels(prepared, tileValues);
  const vision = await runtime.encodeImages(pixels, tiles, visionTaps);

  const merge = async (ids: number[]) =>
    mergeImageEmbeddings({
      generation: c.generation,
      tokenEmbeds: await runtime.embedTokens([ids]),
      ids: [ids],
      imageEmbeds: vision.embeds,
      tokensPerImage: runtime.geometry.imageTokensPerImage,
      dim: c.lm_hidden_dim,
      imageTokenId: model.tokenizer.imageTokenId,
    });
  let ids = [...prepared.prompt.ids, ...prepared.appendedIds];
  let embeds = await merge(ids);
  if (o.maxNewTokens > 0) {
    const length = embeds.length / c.lm_hidden_dim;
    const { ids: generated } = await greedyDecode(runtime, {
      embeds,
      batch: 1,
      length,
      attentionMask: [Array(length).fill(1)],
    }, o.maxNewTokens);
    const eos = generated[0].indexOf(model.tokenizer.eosTokenId);
    ids = [...ids, ...(eos < 0 ? generated[0] : generated[0].slice(0, eos + 1))];
    embeds = await merge(ids);
  }
  const layout = layoutOf(model, prepared, ids, o.maxNewTokens > 0 ? "generated" : "answer");
  const length = layout.tokens.length;
  const logitsPositions = has("logits") ? [...Array(length).keys()] : [];
  const out = await prefill(
    runtime,
    embeds,
    length,
    logitsPositions.length ? logitsPositions : [length - 1],
    decoderTaps,
  );

  const tensors = new Map<string, RawTensor>();
  if (has("pixels")) {
    tensors.set("pixel_values", { data: pixels, dims: [tiles, 3, c.vit_img_size, c.vit_img_size] });
  }
  // Attention keeps only the selected heads; the rest is wrapped as the graph returned it.
  const kept = (name: string, tensor: ort.Tensor, heads: number[], all: number) =>
    tensors.set(
      name,
      name.includes(".attn_probs.") ? keepHeads(tensor, 1, heads, all) : raw(tensor),
    );
  for (const name of visionTaps) kept(name, vision.taps[name], o.vitHeads, dims.vitHeads);
  if (has("projector")) {
    const tokens = runtime.geometry.imageTokensPerImage;
    tensors.set("mp.output", { data: vision.embeds, dims: [tiles, tokens, c.lm_hidden_dim] });
  }
  for (const name of decoderTaps) kept(name, out.taps[name], o.heads, dims.heads);
  if (has("logits")) tensors.set("lm.logits", { data: out.logits, dims: [1, length, dims.vocab] });
  return new Trace({
    layout,
    dims,
    stages: TRACE_STAGES.filter((s) => o.stages.has(s)),
    vitLayers: has("vit.residual") || has("vit.attention") ? o.vitLayers : [],
    vitHeads: has("vit.attention") ? o.vitHeads : [],
    layers: has("decoder.residual") || has("decoder.attention") ? o.layers : [],
    heads: has("decoder.attention") ? o.heads : [],
    tensors,
    logitsPositions,
    topK: o.topK,
    piece: (id) => model.tokenizer.decode([id], { skipSpecialTokens: false }),
    label: runtime.options.precision.decoder,
  });
}
