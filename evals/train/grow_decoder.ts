/**
 * Deepening a trained decoder without changing what it computes: new Llama blocks are inserted
 * between the trained ones with their residual output projections (`attn.out_proj`,
 * `mlp.down_proj`) at zero, so each new block adds nothing to the residual stream until training
 * moves those projections (the "function-preserving" growth of Net2Net / stacking). The other new
 * weights start N(0, 0.02²), the norms at 1; the trained blocks are renumbered in order.
 *
 * @module
 */
import type { HostParams } from "../../src/train/mod.ts";

const BLOCK = /^decoder\.blocks\.(\d+)\.(.+)$/;

/**
 * The block order after growing `from` blocks to `to`: entry i is the trained block that new
 * block i copies, or -1 for an inserted one. The inserted blocks are spread evenly, each placed
 * after a trained block: 4 → 6 gives `[0, 1, -1, 2, 3, -1]`, 4 → 8 `[0, -1, 1, -1, 2, -1, 3, -1]`.
 */
export function grownLayout(from: number, to: number): number[] {
  if (!Number.isInteger(to) || to < from || to > 4 * from) {
    throw new Error(
      `the decoder can grow from ${from} blocks to between ${from} and ${4 * from}, not ${to}`,
    );
  }
  const added = to - from, after = new Array<number>(from).fill(0);
  for (let k = 0; k < added; k++) after[Math.floor((k + 0.5) * from / added)]++;
  return after.flatMap((count, i) => [i, ...new Array<number>(count).fill(-1)]);
}

/**
 * `group` (parameters or an optimizer moment) with its decoder blocks laid out as `layout`
 * (from {@link grownLayout}); an inserted block's tensors come from `fresh(name, shape)`, shaped
 * like block 0's.
 */
export function growDecoderBlocks(
  group: HostParams,
  layout: readonly number[],
  fresh: (name: string, shape: number[]) => Float32Array,
): HostParams {
  const out: HostParams = new Map(), template: [string, number[]][] = [];
  for (const [name, value] of group) {
    const match = BLOCK.exec(name);
    if (!match) out.set(name, value);
    else if (match[1] === "0") template.push([match[2], value.shape]);
  }
  layout.forEach((source, index) => {
    for (const [suffix, shape] of template) {
      const name = `decoder.blocks.${index}.${suffix}`;
      const trained = group.get(`decoder.blocks.${source}.${suffix}`);
      if (source >= 0 && !trained) {
        throw new Error(`the state has no decoder.blocks.${source}.${suffix}`);
      }
      out.set(name, trained ?? { shape: [...shape], data: fresh(name, shape) });
    }
  });
  return out;
}

/**
 * A fresh block's parameter: residual output projections zero (the block starts as the
 * identity), norms one, other weights N(0, 0.02²) from `normal`.
 */
export function identityBlockTensor(
  name: string,
  shape: readonly number[],
  normal: () => number,
): Float32Array {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  if (/(out_proj|down_proj)\.weight$/.test(name)) return data;
  if (/norm\d*\.weight$/.test(name)) return data.fill(1);
  for (let i = 0; i < data.length; i++) data[i] = 0.02 * normal();
  return data;
}
