/**
 * Runs one request through the inspect-flavour graphs and keeps what the options ask for:
 * `traceModel` (behind `model.trace`). The options are resolved in `trace_options.ts`, the request
 * prepared in `trace_request.ts`, and the trace held to its memory limit by `trace_budget.ts`
 * (`estimateTrace`, behind `model.estimateTrace`, says what a trace costs before anything runs).
 *
 * @module
 */
import type * as ort from "onnxruntime-node";
import { greedyDecode, mergeImageEmbeddings, type NanoVLM, type Request } from "../pipeline/mod.ts";
import type { NanoVLMRuntime } from "../runtime/mod.ts";
import { type RawTensor, Trace } from "./trace.ts";
import { checkBudget, requestCost } from "./trace_budget.ts";
import { dimsOf, resolveOptions, tapsFor } from "./trace_options.ts";
import { layoutOf, prepareRequest, tileCount, tilePixels } from "./trace_request.ts";
import { TRACE_STAGES, type TraceOptions, type TraceStage } from "./types.ts";

/** A graph output as the trace keeps it. */
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
  const tiles = tileCount(prepared);
  checkBudget(requestCost(model, o, prepared), o.maxBytes);
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
