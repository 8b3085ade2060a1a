import type { HostParams } from "../../src/train/mod.ts";
import { assertEquals } from "../../src/testing/mod.ts";
import { growOnResume } from "./grow_on_resume.ts";

const tensor = (shape: number[], value: number) => ({
  shape,
  data: new Float32Array(shape.reduce((a, b) => a * b)).fill(value),
});

Deno.test("growOnResume: nothing asked keeps the decoder; a wider width draws fresh parameters and zero moments", () => {
  const group = (value: number): HostParams =>
    new Map([["decoder.blocks.0.mlp.up_proj.weight", tensor([2, 64], value)]]);
  const state = {
    params: group(1),
    moments: { m: group(0.5), v: group(0.25) },
    decoderWidth: { hidden: 64, inter: 2, rmsEps: 1e-5 },
  };
  const same = growOnResume(state, {}, 7, 100);
  assertEquals(
    [...same.params.get("decoder.blocks.0.mlp.up_proj.weight")!.data],
    Array(128).fill(1),
  );
  assertEquals(same.decoderWidth, state.decoderWidth);
  assertEquals(same.decoderBlocks, undefined);

  const wide = growOnResume(state, { width: "128/3" }, 7, 100);
  const up = wide.params.get("decoder.blocks.0.mlp.up_proj.weight")!;
  const m = wide.moments!.m.get("decoder.blocks.0.mlp.up_proj.weight")!;
  const v = wide.moments!.v.get("decoder.blocks.0.mlp.up_proj.weight")!;
  assertEquals([up.shape, m.shape, v.shape], [[3, 128], [3, 128], [3, 128]]);
  // Row 0: the 64 trained entries kept, then new ones; row 2 is the new MLP unit.
  assertEquals([up.data[0], m.data[0], v.data[0]], [1, 0.5, 0.25]);
  assertEquals([m.data[64], v.data[64], m.data[300], v.data[300]], [0, 0, 0, 0]);
  assertEquals(up.data[64] !== 0 && up.data[300] !== 0, true);
  assertEquals(wide.decoderWidth?.hidden, 128);
  // The same seed and step draw the same entries.
  const again = growOnResume(state, { width: "128/3" }, 7, 100);
  assertEquals(again.params.get("decoder.blocks.0.mlp.up_proj.weight")!.data, up.data);
});
