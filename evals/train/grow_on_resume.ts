/**
 * What `train_shapes.ts --resume` does to a trained decoder when it is asked to grow:
 * `--decoder-blocks N` inserts identity blocks (grow_decoder.ts), then `--decoder-width H/I`
 * widens it without changing what it computes (grow_width.ts). Parameters get their new entries
 * from a seeded generator; the Adam moments of every new entry start at zero.
 *
 * @module
 */
import { type HostParams, InitRandom } from "../../src/train/mod.ts";
import { growDecoderBlocks, grownLayout, identityBlockTensor } from "./grow_decoder.ts";
import { BASE_WIDTH, type DecoderWidth, widenDecoder, widerWidth } from "./grow_width.ts";

/** A resumed run's decoder: parameters, Adam moments (absent when the stage starts afresh) and shape. */
export interface ResumedDecoder {
  /** All parameters. */
  params: HostParams;
  /** Adam's first and second moments, keyed like `params`. */
  moments?: { m: HostParams; v: HostParams };
  /** Decoder blocks (undefined: the default 4). */
  decoderBlocks?: number;
  /** Decoder width (undefined: {@link BASE_WIDTH}). */
  decoderWidth?: DecoderWidth;
}

/**
 * The decoder grown as the flags ask (`blocks`: `--decoder-blocks`, `width`: `--decoder-width`
 * as `hidden/inter`; each undefined when not given), its new entries drawn from `seed` and the
 * resume `step`, so a rerun grows it the same way; unchanged when nothing is asked.
 */
export function growOnResume(
  state: ResumedDecoder,
  flags: { blocks?: string; width?: string },
  seed: number,
  step: number,
): ResumedDecoder {
  let { params, moments, decoderBlocks, decoderWidth } = state;
  if (flags.blocks) {
    const layout = grownLayout(decoderBlocks ?? 4, Number(flags.blocks));
    const random = new InitRandom(seed, `grow@${step}`);
    params = growDecoderBlocks(
      params,
      layout,
      (name, shape) => identityBlockTensor(name, shape, () => random.normal()),
    );
    const zeros = (_: string, shape: number[]) => new Float32Array(shape.reduce((a, b) => a * b));
    if (moments) {
      moments = {
        m: growDecoderBlocks(moments.m, layout, zeros),
        v: growDecoderBlocks(moments.v, layout, zeros),
      };
    }
    decoderBlocks = layout.length;
  }
  if (flags.width) {
    const [hidden, inter] = flags.width.split("/").map(Number);
    const from = decoderWidth ?? BASE_WIDTH, to = widerWidth(from, hidden, inter);
    const random = new InitRandom(seed, `widen@${step}`);
    params = widenDecoder(params, from, to, () => random.normal());
    if (moments) {
      moments = {
        m: widenDecoder(moments.m, from, to, () => 0, true),
        v: widenDecoder(moments.v, from, to, () => 0, true),
      };
    }
    decoderWidth = to;
  }
  return { params, moments, decoderBlocks, decoderWidth };
}
