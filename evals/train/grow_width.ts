/**
 * Widening a trained decoder without changing what it computes (Net2Net's "wider" growth, with
 * zeros instead of copies): the residual stream gains dimensions that start at zero, the attention
 * gains heads (same head size, same query heads per key/value head) and the MLP gains units.
 *
 * - Tensors that write into the residual stream (`attn.out_proj`, `mlp.down_proj`, the projector
 *   `MP.proj`, the tied token embedding `decoder.head.weight`) and the training-only heads that
 *   read it (`stage1.*`) get zeros in every new entry, so the new dimensions stay zero and the new
 *   heads and units add nothing until training moves them.
 * - Tensors that read the normed residual (`q/k/v_proj`, `gate/up_proj`) get N(0, 0.02²) in their
 *   new entries: they read zeros at first, and carry gradient to the zero writers.
 * - RMSNorm weights are scaled by √(from/to): the mean square over the wider stream is from/to
 *   times the old one (the new entries are zero), and so is the epsilon ({@link widerWidth}), so
 *   the normed old entries are unchanged. New norm entries take the same √(from/to).
 *
 * @module
 */
import type { NanoVLMConfig } from "../../src/mod.ts";
import type { HostParams } from "../../src/train/mod.ts";

/** The decoder's width: residual (`lm_hidden_dim`) and MLP (`lm_inter_dim`) sizes. */
export interface DecoderWidth {
  /** Residual stream size: a multiple of 64 (32-wide heads, two per key/value head). */
  hidden: number;
  /** MLP size. */
  inter: number;
  /** RMSNorm epsilon (`lm_rms_eps`): scaled with the width so that widening keeps the norms exact. */
  rmsEps: number;
}

/** The default model's decoder width (4 heads of 32, 2 key/value heads). */
export const BASE_WIDTH: DecoderWidth = { hidden: 128, inter: 384, rmsEps: 1e-5 };

/** The decoder width of a config (e.g. a checkpoint's). */
export function widthOf(config: NanoVLMConfig): DecoderWidth {
  return { hidden: config.lm_hidden_dim, inter: config.lm_inter_dim, rmsEps: config.lm_rms_eps };
}

/**
 * The width `from` grows to with residual size `hidden` and MLP size `inter`. The epsilon is
 * scaled by from/to like the mean square it is added to (the new entries are zero), so
 * √(mean square + ε) is exactly √(to/from) times the old one and the scaled norm weights cancel it.
 */
export function widerWidth(from: DecoderWidth, hidden: number, inter: number): DecoderWidth {
  return { hidden, inter, rmsEps: from.rmsEps * from.hidden / hidden };
}

/** Attention head size of the ShapesBench models. */
const HEAD_DIM = 32;

/** Attention heads and key/value heads of a width: 32-wide heads, two query heads per key/value head. */
export function headsOf(width: DecoderWidth): { heads: number; kvHeads: number } {
  const heads = width.hidden / HEAD_DIM;
  if (!Number.isInteger(heads / 2) || width.inter <= 0 || !Number.isInteger(width.inter)) {
    throw new Error(
      `a decoder width needs a residual size that is a multiple of ${2 * HEAD_DIM} and a ` +
        `whole MLP size, not ${width.hidden}/${width.inter}`,
    );
  }
  return { heads, kvHeads: heads / 2 };
}

/** Which part of the grown width each axis of a tensor is sized by. */
type Axis = "hidden" | "q" | "kv" | "inter" | "fixed";

/** Axes and growth rule of a decoder-side tensor, or undefined for one that does not change. */
function ruleOf(name: string): { axes: Axis[]; fill: "zero" | "random" | "norm" } | undefined {
  const block = /^decoder\.blocks\.\d+\.(.+)$/.exec(name)?.[1];
  if (block === "attn.q_proj.weight") return { axes: ["q", "hidden"], fill: "random" };
  if (block === "attn.k_proj.weight" || block === "attn.v_proj.weight") {
    return { axes: ["kv", "hidden"], fill: "random" };
  }
  if (block === "attn.out_proj.weight") return { axes: ["hidden", "q"], fill: "zero" };
  if (block === "mlp.gate_proj.weight" || block === "mlp.up_proj.weight") {
    return { axes: ["inter", "hidden"], fill: "random" };
  }
  if (block === "mlp.down_proj.weight") return { axes: ["hidden", "inter"], fill: "zero" };
  if (block === "norm1.weight" || block === "norm2.weight" || name === "decoder.norm.weight") {
    return { axes: ["hidden"], fill: "norm" };
  }
  if (block !== undefined) throw new Error(`cannot widen the decoder tensor ${name}`);
  if (name === "decoder.head.weight") return { axes: ["fixed", "hidden"], fill: "zero" };
  if (name === "MP.proj.weight") return { axes: ["hidden", "fixed"], fill: "zero" };
  if (/^stage1\.[a-z]+\.weight$/.test(name)) return { axes: ["fixed", "hidden"], fill: "zero" };
  return undefined;
}

/** Sizes of each axis kind at a width. */
function axisSizes(width: DecoderWidth): Record<Exclude<Axis, "fixed">, number> {
  const { heads, kvHeads } = headsOf(width);
  return { hidden: width.hidden, q: heads * HEAD_DIM, kv: kvHeads * HEAD_DIM, inter: width.inter };
}

/**
 * `group` (parameters, or with `moments` an optimizer moment, whose new entries are all zero)
 * widened from `from` to `to`; `normal` draws the readers' new entries. Old entries keep their
 * positions: new heads, units and residual dimensions come after the trained ones.
 */
export function widenDecoder(
  group: HostParams,
  from: DecoderWidth,
  to: DecoderWidth,
  normal: () => number,
  moments = false,
): HostParams {
  if (to.hidden < from.hidden || to.inter < from.inter) {
    throw new Error(
      `the decoder can only grow wider, not from ${from.hidden}/${from.inter} to ${to.hidden}/${to.inter}`,
    );
  }
  const old = axisSizes(from), grown = axisSizes(to);
  const normScale = Math.sqrt(from.hidden / to.hidden);
  const out: HostParams = new Map();
  for (const [name, value] of group) {
    const rule = ruleOf(name);
    if (!rule) {
      out.set(name, value);
      continue;
    }
    const sizes = rule.axes.map((axis, i) => axis === "fixed" ? value.shape[i] : old[axis]);
    if (sizes.some((size, i) => size !== value.shape[i])) {
      throw new Error(
        `${name} is [${value.shape}], not [${sizes}] as a ${from.hidden}/${from.inter} decoder's`,
      );
    }
    const shape = rule.axes.map((axis, i) => axis === "fixed" ? value.shape[i] : grown[axis]);
    if (rule.axes.length === 1) {
      const data = new Float32Array(shape[0]);
      for (let i = 0; i < shape[0]; i++) {
        if (moments) data[i] = i < sizes[0] ? value.data[i] : 0;
        else data[i] = (i < sizes[0] ? value.data[i] : 1) * normScale;
      }
      out.set(name, { shape, data });
      continue;
    }
    const [rows, cols] = shape, data = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const trained = r < sizes[0] && c < sizes[1];
        data[r * cols + c] = trained
          ? value.data[r * sizes[1] + c]
          : moments || rule.fill === "zero"
          ? 0
          : 0.02 * normal();
      }
    }
    out.set(name, { shape, data });
  }
  return out;
}
