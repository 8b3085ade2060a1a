// Hand-derived cases for the reference ops (expected values worked out from the spec by hand).
import { assertClose, assertEquals } from "./assert.ts";
import {
  attention,
  dynamicInvFreq,
  geluTanh,
  layerNorm,
  linear,
  pixelShuffle,
  rmsNorm,
  rope,
  silu,
} from "./reference_ops.ts";

const f64 = (...values: number[]) => Float64Array.from(values);
const f32 = (...values: number[]) => Float32Array.from(values);

function assertAllClose(got: ArrayLike<number>, want: number[], tolerance = 1e-12): void {
  assertEquals(got.length, want.length);
  want.forEach((w, i) => assertClose(got[i], w, tolerance, `[${i}]`));
}

Deno.test("reference pixelShuffle: f=2 on a 4x4 grid takes 2x2 blocks, row-major in the block", () => {
  // in[s] = s for tokens s = h*4 + w; block (a, b) holds h in {2a, 2a+1}, w in {2b, 2b+1}.
  const out = pixelShuffle(Float64Array.from({ length: 16 }, (_, s) => s), 1, 2);
  assertEquals([...out], [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
  // D = 2: each member token contributes its channels contiguously; in[s, d] = 10s + d.
  const wide = pixelShuffle(
    Float64Array.from({ length: 32 }, (_, i) => 10 * (i >> 1) + (i & 1)),
    2,
    2,
  );
  assertEquals([...wide.subarray(8, 16)], [20, 21, 30, 31, 60, 61, 70, 71]);
});

Deno.test("reference rope: half-split pairs (x[i], x[i + hd/2]); position 0 is the identity", () => {
  // hd 4: pairs (x0, x2) turn by angle t·π/2, (x1, x3) by t·0.
  const x = f64(1, 2, 3, 4, 1, 2, 3, 4);
  rope(x, 2, 1, f32(Math.PI / 2, 0), 1);
  assertAllClose(x, [1, 2, 3, 4, -3, 2, 1, 4], 1e-6);
  const scaled = f64(1, 2, 3, 4);
  rope(scaled, 1, 1, f32(1, 1), 2); // lm_attn_scaling multiplies cos and sin
  assertAllClose(scaled, [2, 4, 6, 8]);
});

Deno.test("reference dynamic RoPE scaling: inv_freq / float32(end / max) past the limit, by hand", () => {
  const invFreq = f32(1, 0.5);
  assertEquals(dynamicInvFreq(invFreq, 16, 16), invFreq); // within the limit: unchanged
  // end 24 over 16 positions: scale 1.5 (exact in float32), frequencies 2/3 and 1/3 in float32.
  assertEquals([...dynamicInvFreq(invFreq, 24, 16)], [Math.fround(2 / 3), Math.fround(1 / 3)]);
  // end 20 over 12: scale = float32(5/3) = 1.66666662693..., then 1 / that in float32.
  const scale = 13981013 / 2 ** 23; // float32(5/3), by hand
  assertEquals([...dynamicInvFreq(f32(1), 20, 12)], [Math.fround(1 / scale)]);
  // rope takes per-position frequencies: position 1 turned by π/2 with frequency 1, not 2.
  const x = f64(1, 2, 3, 4, 1, 2, 3, 4);
  rope(x, 2, 1, (t) => (t === 0 ? f32(2, 0) : f32(Math.PI / 2, 0)), 1);
  assertAllClose(x, [1, 2, 3, 4, -3, 2, 1, 4], 1e-6);
});

Deno.test("reference attention: GQA uses kv head ⌊h/group⌋; causal softmax by hand", () => {
  // One token: softmax over one key is 1, so head h returns the value of its kv head.
  const out = attention(f64(1, 1, 1, 1), f64(1, 1), f64(10, 20), 1, 4, 2, () => 0);
  assertEquals([...out], [10, 10, 20, 20]);
  // q = [0, 1], k = [0, ln 3]: query 1 weighs the keys 1/4, 3/4; query 0 sees key 0 only.
  const causal = (i: number, j: number) => (j > i ? -Infinity : 0);
  const two = attention(f64(0, 1), f64(0, Math.log(3)), f64(4, 8), 2, 1, 1, causal);
  assertAllClose(two, [4, 7]);
});

Deno.test("reference norms, activations and linear by hand", () => {
  assertAllClose(layerNorm(f64(1, 3), 2, f32(1, 2), f32(0, 0.5), 0), [-1, 2.5]);
  const rms = Math.sqrt(12.5);
  assertAllClose(rmsNorm(f64(3, 4), 2, f32(1, 2), 0), [3 / rms, 8 / rms]);
  assertClose(geluTanh(1), 0.8411919906082768, 1e-12);
  assertClose(geluTanh(-3), -0.0036373920817729943, 1e-12);
  assertClose(silu(1), 0.7310585786300049, 1e-12);
  assertAllClose(linear(f64(1, 1, 1), 1, f32(1, 2, 3, 4, 5, 6), 2, f32(0.5, 0)), [6.5, 15]);
});
