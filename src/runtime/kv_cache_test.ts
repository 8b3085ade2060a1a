import { assertEquals, assertThrows } from "../testing/mod.ts";
import { KVCache, KVCacheArena, SLOT_CHUNK, unpackAdded } from "./kv_cache.ts";
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

/** The filled `[b, h, length, d]` positions of a cache tensor laid out in slots, as numbers. */
function filled(tensor: ort.Tensor, length: number): number[] {
  const [batch, heads, slots, dim] = tensor.dims;
  const data = tensor.data as Float32Array;
  const out: number[] = [];
  for (let run = 0; run < batch * heads; run++) {
    out.push(...data.subarray(run * slots * dim, (run * slots + length) * dim));
  }
  return out;
}

/** `added.*` of every block for positions `from..from + tokens`. */
function addedOf(
  blocks: number,
  batch: number,
  heads: number,
  from: number,
  tokens: number,
  dim: number,
) {
  const added: Record<string, ort.Tensor> = {};
  for (let b = 0; b < blocks; b++) {
    added[`added.${b}.key`] = addedTensor(batch, heads, from, tokens, dim);
    added[`added.${b}.value`] = addedTensor(batch, heads, from, tokens, dim);
  }
  return added;
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
    cache = arena.append(cache, addedOf(blocks, batch, heads, length, tokens, dim));
    length += tokens;
    const expected = Array.from(cacheTensor(batch, heads, length, dim).data as Float32Array);
    for (const l of cache.layers) {
      // Slots grow by SLOT_CHUNK positions, here up to the capacity (8).
      assertEquals(l.key.dims, [batch, heads, 8, dim]);
      assertEquals(filled(l.key, length), expected);
      assertEquals(filled(l.value, length), expected);
    }
  }
  assertEquals([cache.length, cache.slots], [7, 8]);
  // One more position would pass the capacity (8): refused by fits, thrown by append.
  assertEquals(arena.fits(cache, 1), true);
  assertEquals(arena.fits(cache, 2), false);
  const two = addedTensor(batch, heads, 7, 2, dim);
  assertThrows(() => arena.append(cache, { "added.0.key": two }), RangeError);
});

Deno.test("KVCacheArena.append: slots grow a chunk at a time; within one, a step writes only its tokens", () => {
  const [batch, heads, dim, blocks] = [2, 2, 3, 1];
  const arena = new KVCacheArena(blocks, batch * heads * 150 * dim);
  let cache = arena.append(
    KVCache.empty(blocks, batch, heads, dim),
    addedOf(blocks, batch, heads, 0, 60, dim),
  );
  assertEquals([cache.length, cache.slots], [60, SLOT_CHUNK]);
  const slotsSeen = new Set<number>();
  for (let length = 60; length < 149; length++) {
    const before = cache.layers[0].key;
    const next = arena.append(cache, addedOf(blocks, batch, heads, length, 1, dim));
    const after = next.layers[0].key;
    if (after.dims[2] === before.dims[2]) {
      // In place: the same memory, earlier positions where they were.
      assertEquals((after.data as Float32Array).buffer, (before.data as Float32Array).buffer);
    }
    cache = next;
    slotsSeen.add(cache.slots);
    assertEquals(
      filled(cache.layers[0].key, length + 1),
      Array.from(cacheTensor(batch, heads, length + 1, dim).data as Float32Array),
    );
  }
  // 64, then 128, then the capacity (150).
  assertEquals([...slotsSeen], [64, 128, 150]);
  // The mask over the slots: spare slots are padding, the new tokens follow them.
  const small = arena.append(
    KVCache.empty(blocks, 2, 1, dim),
    addedOf(blocks, 2, 1, 0, 2, dim),
  );
  assertEquals([small.length, small.slots], [2, 64]);
  const mask = small.slotMask([0, 1, 1, 1, 1, 1], 1);
  assertEquals(mask.length, 2 * 65);
  assertEquals(Array.from(mask).slice(0, 3), [0, 1, 0]);
  assertEquals(Array.from(mask).slice(64, 68), [1, 1, 1, 0]);
  assertEquals(Array.from(mask).slice(129), [1]);
  assertEquals(Array.from(mask).reduce((a, b) => a + b, 0), 5);
});

Deno.test("KVCache.extend: a cache in slots grows into dense new tensors; adopt takes lent buffers back", () => {
  const [batch, heads, dim, blocks] = [1, 2, 2, 1];
  const arena = new KVCacheArena(blocks, batch * heads * 100 * dim);
  const slotted = arena.append(
    KVCache.fromLayers([{
      key: cacheTensor(batch, heads, 5, dim),
      value: cacheTensor(batch, heads, 5, dim),
    }]),
    addedOf(blocks, batch, heads, 5, 1, dim),
  );
  assertEquals([slotted.length, slotted.slots], [6, 64]);
  const dense = slotted.extend(addedOf(blocks, batch, heads, 6, 2, dim));
  assertEquals([dense.length, dense.slots], [8, 8]);
  assertEquals(
    Array.from(dense.layers[0].key.data as Float32Array),
    Array.from(cacheTensor(batch, heads, 8, dim).data as Float32Array),
  );
  assertEquals(dense.slotMask([1, 1, 1], 1), [1, 1, 1]);
  // A lent cache comes back over copies of its buffers (as from a Worker): adopted, the next
  // append is in place again.
  const lentBack = (t: ort.Tensor) => {
    const view = t.data as Float32Array;
    return new ort.Tensor(
      "float32",
      new Float32Array(view.buffer.slice(0), 0, view.length),
      t.dims,
    );
  };
  const back = KVCache.fromLayers(
    slotted.layers.map((l) => ({ key: lentBack(l.key), value: lentBack(l.value) })),
    slotted.length,
  );
  arena.adopt(back);
  const grown = arena.append(back, addedOf(blocks, batch, heads, 6, 1, dim));
  assertEquals(
    (grown.layers[0].key.data as Float32Array).buffer,
    (back.layers[0].key.data as Float32Array).buffer,
  );
  assertEquals(
    filled(grown.layers[0].key, 7),
    Array.from(cacheTensor(batch, heads, 7, dim).data as Float32Array),
  );
});

Deno.test("unpackAdded: a packed [b, t, blocks·2·kv] output splits into each block's keys and values", () => {
  const [blocks, kv] = [3, 4];
  for (const [batch, tokens] of [[1, 1], [2, 3]]) {
    const width = 2 * blocks * kv;
    // Value at (row, token, part, i) = 1000 row + 100 token + 10 part + i.
    const data = new Float32Array(batch * tokens * width).map((_, j) => {
      const [r, t, rest] = [
        Math.floor(j / (tokens * width)),
        Math.floor(j / width) % tokens,
        j % width,
      ];
      return 1000 * r + 100 * t + 10 * Math.floor(rest / kv) + (rest % kv);
    });
    const parts = unpackAdded(new ort.Tensor("float32", data, [batch, tokens, width]), blocks);
    assertEquals(Object.keys(parts).length, 2 * blocks);
    for (let b = 0; b < blocks; b++) {
      for (const [k, name] of [[0, "key"], [1, "value"]] as const) {
        const tensor = parts[`added.${b}.${name}`];
        assertEquals(tensor.dims, [batch, tokens, kv]);
        const expected: number[] = [];
        for (let r = 0; r < batch; r++) {
          for (let t = 0; t < tokens; t++) {
            for (let i = 0; i < kv; i++) expected.push(1000 * r + 100 * t + 10 * (2 * b + k) + i);
          }
        }
        assertEquals(Array.from(tensor.data as Float32Array), expected);
      }
    }
  }
});
