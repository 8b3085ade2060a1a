/**
 * nanoVLM's modality projector (`models/modality_projector.py`): pixel shuffle, then a linear layer
 * without bias into the decoder's width.
 *
 * @module
 */
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import type { GraphBuilder } from "../onnx/mod.ts";
import { type LayerContext, linear } from "./layers.ts";

/**
 * Pixel shuffle `[n, H·W, D]` → `[n, (H/f)·(W/f), f²·D]`: output token `a·wo + b` is the f×f block
 * at block-row a, block-column b, its members row-major within the block, D channels each.
 */
export function pixelShuffle(
  g: GraphBuilder,
  x: string,
  side: number,
  factor: number,
  dim: number,
): string {
  const blocks = side / factor;
  const grid = g.op("Reshape", [x, g.ints([0, blocks, factor, blocks, factor, dim])]);
  const ordered = g.op("Transpose", [grid], { perm: [0, 1, 3, 2, 4, 5] });
  return g.op("Reshape", [ordered, g.ints([0, blocks * blocks, factor * factor * dim])]);
}

/** `ModalityProjector.forward`: `proj(pixel_shuffle(x))`. */
export function modalityProjector(ctx: LayerContext, x: string, cfg: NanoVLMConfig): string {
  return ctx.g.scope("MP", () => {
    const side = cfg.vit_img_size / cfg.vit_patch_size;
    const shuffled = pixelShuffle(ctx.g, x, side, cfg.mp_pixel_shuffle_factor, cfg.vit_hidden_dim);
    return linear(ctx, shuffled, "MP.proj");
  });
}
