import { assertClose, assertEquals } from "../../testing/mod.ts";
import { fmaF32, torchResizeBilinear } from "./torch_resample.ts";

function line(values: number[]) {
  return { channels: 1, height: 1, width: values.length, data: new Float32Array(values) };
}

function closeAll(actual: Float32Array, expected: number[]) {
  assertEquals(actual.length, expected.length);
  expected.forEach((e, i) => assertClose(actual[i], e, 1e-6, `element ${i}`));
}

Deno.test("torchResizeBilinear antialias: 4 -> 2 uses the widened triangle filter", () => {
  // scale 2, support 2. Output 0: center 1, taps 0..2 with weights (0.75, 0.75, 0.25) / 1.75;
  // output 1: center 3, taps 1..3 with weights (0.25, 0.75, 0.75) / 1.75.
  const out = torchResizeBilinear(line([0, 1, 2, 3]), 1, 2, { antialias: true });
  closeAll(out.data, [1.25 / 1.75, 4 / 1.75]);
});

Deno.test("torchResizeBilinear without antialias: 4 -> 2 samples two neighbours", () => {
  // src = 2 * (i + 0.5) - 0.5 = 0.5, 2.5: the midpoints of (0, 1) and (2, 3).
  const out = torchResizeBilinear(line([0, 1, 2, 3]), 1, 2, { antialias: false });
  closeAll(out.data, [0.5, 2.5]);
});

Deno.test("torchResizeBilinear: 2 -> 4 upsampling is the same with and without antialias", () => {
  for (const antialias of [true, false]) {
    const out = torchResizeBilinear(line([0, 1]), 1, 4, { antialias });
    closeAll(out.data, [0, 0.25, 0.75, 1]);
  }
});

Deno.test("torchResizeBilinear: height pass and channels are independent", () => {
  // 2 channels, 2x1 -> 1x1: the average of the column, per channel.
  const src = { channels: 2, height: 2, width: 1, data: new Float32Array([1, 3, 10, 30]) };
  for (const antialias of [true, false]) {
    closeAll(torchResizeBilinear(src, 1, 1, { antialias }).data, [2, 20]);
  }
});

Deno.test("fmaF32 rounds a * b + c once", () => {
  // (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24 exactly (a float32); rounding the product first loses
  // the 2^-24 (the product 1 + 2^-11 + 2^-24 is a tie that rounds to even).
  const a = 1 + 2 ** -12;
  assertEquals(fmaF32(a, a, -1), 2 ** -11 + 2 ** -24);
  assertEquals(Math.fround(Math.fround(a * a) - 1), 2 ** -11);
  assertEquals(fmaF32(2, 3, 4), 10);
  assertEquals(fmaF32(0.5, 0.25, 0), 0.125);
});
