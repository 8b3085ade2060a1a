import { InputError } from "../../errors.ts";
import { assertEquals, assertThrows } from "../../testing/mod.ts";
import { PILLOW_BICUBIC, PILLOW_BILINEAR, pillowResize } from "./pillow_resample.ts";
import type { RgbImage } from "./rgb_image.ts";

/** A one-row image whose three channels all hold `values`. */
function row(values: number[]): RgbImage {
  return {
    width: values.length,
    height: 1,
    data: new Uint8Array(values.flatMap((v) => [v, v, v])),
  };
}

function red(image: RgbImage): number[] {
  return Array.from(image.data.filter((_, i) => i % 3 === 0));
}

Deno.test("pillowResize BILINEAR: 2x1 -> 1x1 averages with round-half-up", () => {
  // scale 2, support 2, center 1: weights (0.75, 0.75) / 1.5 = (0.5, 0.5) -> 2^21 each;
  // (10 * 2^21 + 21 * 2^21 + 2^21) >> 22 = 16.
  assertEquals(red(pillowResize(row([10, 21]), 1, 1, PILLOW_BILINEAR)), [16]);
  assertEquals(red(pillowResize(row([10, 20]), 1, 1, PILLOW_BILINEAR)), [15]);
});

Deno.test("pillowResize BILINEAR: 2x1 -> 4x1 upsampling", () => {
  // centers 0.25, 0.75, 1.25, 1.75; outer outputs have one tap in range, the inner ones
  // weights (0.75, 0.25) and (0.25, 0.75).
  assertEquals(red(pillowResize(row([0, 100]), 4, 1, PILLOW_BILINEAR)), [0, 25, 75, 100]);
});

Deno.test("pillowResize BICUBIC: 4x1 -> 2x1 with negative lobes", () => {
  // Output 0: center 1, taps x=0..3 at t = -0.25, 0.25, 0.75, 1.25 with Keys a=-0.5 weights
  // 0.8671875, 0.8671875, 0.2265625, -0.0703125 (sum 1.890625): for [0, 0, 255, 255] that is
  // 255 * 0.15625 / 1.890625 = 21.07 -> 21. Output 1 mirrors it: 255 - 21.07 = 233.93 -> 234.
  assertEquals(red(pillowResize(row([0, 0, 255, 255]), 2, 1, PILLOW_BICUBIC)), [21, 234]);
});

Deno.test("pillowResize BICUBIC: overshoot is clipped to 0..255", () => {
  // Upsampling a hard edge: the cubic's negative lobe undershoots below 0 and overshoots 255.
  const out = red(pillowResize(row([0, 0, 0, 255, 255, 255]), 24, 1, PILLOW_BICUBIC));
  assertEquals(out.slice(0, 4), [0, 0, 0, 0]);
  assertEquals(out.slice(-4), [255, 255, 255, 255]);
  assertEquals(out.every((v, i) => i === 0 || v >= out[i - 1]), true);
});

Deno.test("pillowResize: constant images stay constant for many size pairs", () => {
  for (const filter of [PILLOW_BILINEAR, PILLOW_BICUBIC]) {
    for (
      const [w, h, ow, oh] of [[7, 5, 3, 11], [150, 90, 64, 64], [13, 1, 100, 3], [5, 9, 5, 2]]
    ) {
      const data = new Uint8Array(w * h * 3);
      for (let p = 0; p < w * h; p++) data.set([0, 137, 255], p * 3);
      const out = pillowResize({ width: w, height: h, data }, ow, oh, filter);
      assertEquals(out.width, ow);
      assertEquals(out.height, oh);
      for (let p = 0; p < ow * oh; p++) {
        assertEquals(Array.from(out.data.subarray(p * 3, p * 3 + 3)), [0, 137, 255]);
      }
    }
  }
});

Deno.test("pillowResize: an unchanged axis is not resampled; same size copies", () => {
  // Only the height changes: every column is resampled independently, rows are untouched.
  const image = {
    width: 3,
    height: 2,
    data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19]),
  };
  const out = pillowResize(image, 3, 1, PILLOW_BILINEAR);
  assertEquals(Array.from(out.data), [6, 7, 8, 9, 10, 11, 12, 13, 14]);
  const copy = pillowResize(image, 3, 2, PILLOW_BICUBIC);
  assertEquals(copy.data, image.data);
  assertEquals(copy.data === image.data, false);
});

Deno.test("pillowResize: invalid sizes are InputErrors", () => {
  assertThrows(() => pillowResize(row([1, 2]), 0, 1, PILLOW_BILINEAR), InputError, /resize target/);
  assertThrows(
    () => pillowResize({ width: 2, height: 1, data: new Uint8Array(3) }, 1, 1, PILLOW_BILINEAR),
    InputError,
    /expected 2x1x3/,
  );
});
