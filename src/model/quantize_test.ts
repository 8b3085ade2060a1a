import { assertEquals, assertThrows } from "../testing/mod.ts";
import { blobSize, blocksPerRow, quantizeWeight, zeroPointRowBytes } from "./quantize.ts";

Deno.test("quantizeWeight: symmetric int4 codes by hand (scale absmax/7, zero 8, K padded)", () => {
  const s = { n: 1, k: 4, bits: 4, blockSize: 32, symmetric: true } as const;
  const q = quantizeWeight(Float32Array.of(1, -1, 0.25, 0), s);
  // codes 15, 1, 10 (round(1.75) + 8), 8, then padding at the zero point 8; low nibble first.
  assertEquals([...q.codes], [0x1f, 0x8a, ...Array(14).fill(0x88)]);
  assertEquals([...q.scales], [Math.fround(1 / 7)]);
  assertEquals(q.zeroPoints, undefined);
  assertEquals([blocksPerRow(s), blobSize(s), zeroPointRowBytes(s)], [1, 16, 0]);
});

Deno.test("quantizeWeight: asymmetric int8 and int4 zero points by hand", () => {
  const q8 = quantizeWeight(Float32Array.of(-1, 3), {
    n: 1,
    k: 2,
    bits: 8,
    blockSize: 32,
    symmetric: false,
  });
  // scale 4/255, zero round(63.75) = 64: codes round(-63.75) + 64 = 0 and 191 + 64 = 255.
  assertEquals([...q8.codes.slice(0, 3)], [0, 255, 64]);
  assertEquals([...q8.zeroPoints!], [64]);
  // int4, three blocks of 32 in one row: zero points packed two per byte, low nibble first.
  const w = new Float32Array(96);
  w.fill(1, 0, 32); // block 0 all positive: lo 0 → zero 0
  w.fill(-1, 32, 64); // block 1 all negative: hi 0 → zero 15
  w[64] = -1, w[65] = 2; // block 2: scale 3/15, zero round(5) = 5
  const q4 = quantizeWeight(w, { n: 1, k: 96, bits: 4, blockSize: 32, symmetric: false });
  assertEquals([...q4.zeroPoints!], [0 | (15 << 4), 5]);
  assertEquals([...q4.scales].map((x) => +x.toFixed(6)), [0.066667, 0.066667, 0.2]);
});

Deno.test("quantizeWeight: every weight is within half a step of its dequantised value", () => {
  const n = 3, k = 100;
  const w = Float32Array.from({ length: n * k }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 7)));
  for (const bits of [4, 8] as const) {
    for (const symmetric of [true, false]) {
      const s = { n, k, bits, blockSize: 64, symmetric };
      const q = quantizeWeight(w, s);
      const blocks = blocksPerRow(s);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < k; c++) {
          const b = Math.floor(c / 64), j = c % 64;
          const byte = q.codes[(r * blocks + b) * blobSize(s) + (bits === 8 ? j : j >> 1)];
          const code = bits === 8 ? byte : (byte >> ((j % 2) * 4)) & 15;
          const zr = q.zeroPoints?.[r * zeroPointRowBytes(s) + (bits === 8 ? b : b >> 1)];
          const zero = zr === undefined
            ? 2 ** (bits - 1)
            : bits === 8
            ? zr
            : (zr >> ((b % 2) * 4)) & 15;
          const scale = q.scales[r * blocks + b];
          const error = Math.abs((code - zero) * scale - w[r * k + c]);
          if (error > scale / 2 + 1e-6) throw new Error(`bits ${bits} [${r},${c}]: error ${error}`);
        }
      }
    }
  }
  assertThrows(
    () =>
      quantizeWeight(new Float32Array(5), {
        ...{ n: 2, k: 3 },
        bits: 4,
        blockSize: 32,
        symmetric: true,
      }),
    RangeError,
  );
});
