/**
 * What a trace keeps, stage by stage, before anything is computed ({@link estimateTrace}), and the
 * memory limit it is held to: over `maxBytes` it is refused with a {@link TraceBudgetError} that
 * names the largest stages.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { NanoVLM, Request } from "../pipeline/mod.ts";
import { dimsOf, type ResolvedOptions, resolveOptions } from "./trace_options.ts";
import { type PreparedRequest, prepareRequest, tileCount } from "./trace_request.ts";
import type { StageCost, TraceEstimate, TraceOptions, TraceStage } from "./types.ts";

/** A trace would keep more than its memory limit (`maxBytes`). */
export class TraceBudgetError extends InputError {}

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

/**
 * What a trace of a prepared request keeps: its positions count the image slots, the prompt, the
 * appended ids and `maxNewTokens` generated tokens.
 */
export function requestCost(
  model: NanoVLM,
  o: ResolvedOptions,
  prepared: PreparedRequest,
): TraceEstimate {
  const imageSlots = prepared.prompt.layout.kind === "prepended" ? prepared.prompt.layout.count : 0;
  const positions = imageSlots + prepared.prompt.ids.length + prepared.appendedIds.length +
    o.maxNewTokens;
  return stageCosts(model, o, positions, tileCount(prepared));
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
  return requestCost(model, o, prepared);
}

/** Throws a {@link TraceBudgetError} when an estimate is over the memory limit. */
export function checkBudget(estimate: TraceEstimate, maxBytes: number): void {
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
