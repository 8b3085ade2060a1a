import { init } from "@jax-js/jax";
import { createTokenizer, ropeInvFreq } from "../../src/mod.ts";
import { type HostParams, loadParams, ropeTables, toDevice } from "../../src/train/mod.ts";
import { BASE_WIDTH, headsOf, widenDecoder, widerWidth, widthOf } from "./grow_width.ts";
import { ShapesStream, TASK_TYPES } from "./shapes_data.ts";
import { qaBatch, qaLoss, shapesConfig } from "./shapes_model.ts";
import { shapesTokenizerConfig, shapesTokenizerJson } from "./shapes_tokenizer.ts";

const tensor = (shape: number[], values: number[]) => ({ shape, data: new Float32Array(values) });

Deno.test("grow width: readers get fresh entries, writers and training heads zeros, norms √(from/to)", () => {
  const from = { hidden: 64, inter: 2, rmsEps: 1e-5 }, to = widerWidth(from, 128, 3);
  const group: HostParams = new Map([
    ["decoder.blocks.0.mlp.up_proj.weight", tensor([2, 64], new Array(128).fill(1))],
    ["decoder.blocks.0.mlp.down_proj.weight", tensor([64, 2], new Array(128).fill(1))],
    ["decoder.blocks.0.norm1.weight", tensor([64], new Array(64).fill(2))],
    ["stage1.cells.weight", tensor([1, 64], new Array(64).fill(1))],
    ["vision_encoder.layer_norm.weight", tensor([1], [7])],
  ]);
  const wide = widenDecoder(group, from, to, () => 5);
  const read = (name: string) => wide.get(name)!;
  const up = read("decoder.blocks.0.mlp.up_proj.weight");
  // [3, 128]: row 0 is 64 ones then 64 fresh entries (0.02 · 5); row 2, the new unit, all fresh.
  if (
    up.shape.join() !== "3,128" || up.data[63] !== 1 || up.data[64] !== Math.fround(0.1) ||
    up.data[300] !== Math.fround(0.1)
  ) {
    throw new Error(`up_proj [${up.shape}] ${up.data[63]} ${up.data[64]} ${up.data[300]}`);
  }
  const down = read("decoder.blocks.0.mlp.down_proj.weight");
  const downSum = down.data.reduce((a, b) => a + b, 0);
  if (down.shape.join() !== "128,3" || downSum !== 128 || down.data[2] !== 0) {
    throw new Error(`down_proj [${down.shape}] sums to ${downSum}`);
  }
  const norm = read("decoder.blocks.0.norm1.weight").data, scale = Math.sqrt(0.5);
  if (Math.abs(norm[0] - 2 * scale) > 1e-6 || Math.abs(norm[127] - scale) > 1e-6) {
    throw new Error(`norm ${norm[0]} … ${norm[127]}`);
  }
  const cells = read("stage1.cells.weight");
  if (cells.shape.join() !== "1,128" || cells.data[64] !== 0 || cells.data[0] !== 1) {
    throw new Error(`stage1.cells [${cells.shape}]`);
  }
  if (read("vision_encoder.layer_norm.weight").data[0] !== 7) throw new Error("vision changed");
  if (to.rmsEps !== 0.5e-5) throw new Error(`ε ${to.rmsEps} for twice the width, not half of 1e-5`);
  const moments = widenDecoder(group, from, to, () => 5, true);
  const m = moments.get("decoder.blocks.0.mlp.up_proj.weight")!.data;
  const mNorm = moments.get("decoder.blocks.0.norm1.weight")!.data;
  if (m[63] !== 1 || m[64] !== 0 || mNorm[0] !== 2 || mNorm[64] !== 0) {
    throw new Error("a moment's old entries must be kept and its new ones zero");
  }
});

Deno.test("grow width: a tensor of the wrong size and a narrower width are refused by name", () => {
  const group: HostParams = new Map([
    ["decoder.blocks.0.attn.k_proj.weight", tensor([32, 128], new Array(32 * 128).fill(0))],
  ]);
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return (error as Error).message;
    }
    return "";
  };
  const mismatch = refusal(() =>
    widenDecoder(group, BASE_WIDTH, widerWidth(BASE_WIDTH, 192, 512), Math.random)
  );
  if (!mismatch.includes("decoder.blocks.0.attn.k_proj.weight")) throw new Error(mismatch);
  const narrower = refusal(() =>
    widenDecoder(group, BASE_WIDTH, widerWidth(BASE_WIDTH, 64, 384), Math.random)
  );
  if (!narrower.includes("only grow wider")) throw new Error(narrower);
  if (!refusal(() => headsOf(widerWidth(BASE_WIDTH, 96, 1))).includes("multiple of 64")) {
    throw new Error("a width of 96 (3 heads, no whole key/value pairs) was not refused");
  }
});

Deno.test("grow width: the committed model widened by two heads gives the same loss; without the zero writers or the norm scaling it would not", async () => {
  await init("wasm");
  const tokenizer = createTokenizer(
    { tokenizerJson: shapesTokenizerJson(), tokenizerConfig: shapesTokenizerConfig() },
    shapesConfig(4096),
  );
  const { config: stored, params } = await loadParams("data/models/shapes-nano");
  const from = widthOf(stored);
  const to = widerWidth(from, from.hidden + 64, from.inter + 128);
  const rope = ropeTables(ropeInvFreq(32, 1e5), 64);
  const stream = new ShapesStream({ seed: 5, size: 96 });
  const lossOf = async (width: typeof to, p: HostParams) => {
    const config = shapesConfig(tokenizer.size, 32, stored.lm_n_blocks, width);
    const batch = qaBatch(stream, 0, 4, TASK_TYPES, 20, tokenizer, config, rope);
    return (await qaLoss(config)(toDevice(p), batch).data())[0];
  };
  let seed = 1;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 3.4;
  const before = await lossOf(from, params);
  const wide = widenDecoder(params, from, to, noise);
  const after = await lossOf(to, wide);
  if (!(Math.abs(after - before) <= 1e-5 * before)) {
    throw new Error(`loss ${before} before widening, ${after} after`);
  }
  // Controls, each ten times the tolerance above: the projector writing into the new dimensions,
  // and the norms left unscaled.
  const projector = wide.get("MP.proj.weight")!;
  const oldEntries = from.hidden * projector.shape[1];
  const loud = new Map(wide).set("MP.proj.weight", {
    shape: projector.shape,
    data: projector.data.map((value, i) => i >= oldEntries ? 0.5 * noise() : value),
  });
  const unscaled = new Map(wide);
  for (const [name, value] of wide) {
    if (/norm\d?\.weight$/.test(name) && name.startsWith("decoder.")) {
      const undo = Math.sqrt(to.hidden / from.hidden);
      unscaled.set(name, { shape: value.shape, data: value.data.map((x) => x * undo) });
    }
  }
  for (const [what, group] of [["projector writes", loud], ["unscaled norms", unscaled]] as const) {
    const loss = await lossOf(to, group);
    if (!(Math.abs(loss - before) > 1e-4 * before)) {
      throw new Error(`with ${what} the loss stayed at ${loss} (was ${before})`);
    }
  }
});
