import { assertEquals, assertThrows } from "../testing/mod.ts";
import { KVCache, KVCacheArena } from "./kv_cache.ts";
import { ort } from "./ort.ts";

/** A `[b, h, L, d]` cache tensor whose value at (row, head, position, i) encodes its indices. */
function cacheTensor(batch: number, heads: number, length: number, dim: number): ort.Tensor {
  const data = new Float32Array(batch * heads * length * dim);
  let at = 0;
  for (let r = 0; r < batch; r++) {
    for (let h = 0; h < heads; h++) {
      for (let p = 0; p < length; p++) for (let i = 0; i < dim; i++) data[at++] = code(r, h, p, i);
    }
  }
  return new ort.Tensor("float32", data, [batch, heads, length, dim]);
}

const code = (r: number, h: number, p: number, i: number) => 1000 * r + 100 * h + 10 * p + i;

/** `added.*` `[b, t, h * d]` for positions `from..from + t`, in the same encoding. */
function addedTensor(batch: number, heads: number, from: number, tokens: number, dim: number) {
  const data = new Float32Array(batch * tokens * heads * dim);
  let at = 0;
  for (let r = 0; r < batch; r++) {
    for (let t = 0; t < tokens; t++) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < dim; i++) data[at++] = code(r, h, from + t, i);
      }
    }
  }
  return new ort.Tensor("float32", data, [batch, tokens, heads * dim]);
}

Deno.test("KVCacheArena.append: past + added equals the full [b, h, L + t, d] cache, step after step", () => {
  const [batch, heads, dim, blocks] = [2, 3, 2, 2];
  const arena = new KVCacheArena(blocks, batch * heads * 8 * dim);
  const layer = (length: number) => ({
    key: cacheTensor(batch, heads, length, dim),
    value: cacheTensor(batch, heads, length, dim),
  });
  // The prompt's cache comes from outside the arena (copied in), later steps grow in place.
  let cache = KVCache.fromLayers([layer(3), layer(3)]);
  let length = 3;
  for (const tokens of [1, 2, 1]) {
    const added: Record<string, ort.Tensor> = {};
    for (let b = 0; b < blocks; b++) {
      added[`added.${b}.key`] = addedTensor(batch, heads, length, tokens, dim);
      added[`added.${b}.value`] = addedTensor(batch, heads, length, tokens, dim);
    }
    cache = arena.append(cache, added);
    length += tokens;
    const expected = cacheTensor(batch, heads, length, dim);
    for (const l of cache.layers) {
      assertEquals(l.key.dims, expected.dims);
      assertEquals(
        Array.from(l.key.data as Float32Array),
        Array.from(expected.data as Float32Array),
      );
      assertEquals(
        Array.from(l.value.data as Float32Array),
        Array.from(expected.data as Float32Array),
      );
    }
  }
  assertEquals(cache.length, 7);
  // One more position would pass the capacity (8): refused by fits, thrown by append.
  assertEquals(arena.fits(cache, 1), true);
  assertEquals(arena.fits(cache, 2), false);
  const two = addedTensor(batch, heads, 7, 2, dim);
  assertThrows(() => arena.append(cache, { "added.0.key": two }), RangeError);
});
