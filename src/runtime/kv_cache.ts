/**
 * The decoder's key/value cache: one `[batch, kv_heads, length, head_dim]` float32 tensor pair per
 * block, keys stored after RoPE (as nanoVLM does). Fed to the decoder graph as `past.{i}.*` and
 * replaced by its `present.{i}.*` outputs after every step.
 *
 * @module
 */
import { ort } from "./ort.ts";

/** The cache of one batch. */
export class KVCache {
  /** Per block: keys and values. */
  readonly layers: { key: ort.Tensor; value: ort.Tensor }[];

  private constructor(layers: { key: ort.Tensor; value: ort.Tensor }[]) {
    this.layers = layers;
  }

  /** An empty cache (length 0) for `batch` rows. */
  static empty(blocks: number, batch: number, kvHeads: number, headDim: number): KVCache {
    const empty = () =>
      new ort.Tensor("float32", new Float32Array(0), [batch, kvHeads, 0, headDim]);
    return new KVCache(Array.from({ length: blocks }, () => ({ key: empty(), value: empty() })));
  }

  /** The cache of the given per-block tensors. */
  static fromLayers(layers: { key: ort.Tensor; value: ort.Tensor }[]): KVCache {
    return new KVCache(layers);
  }

  /** The cache made of a decoder run's `present.{i}.*` outputs. */
  static fromPresent(outputs: Record<string, ort.Tensor>, blocks: number): KVCache {
    return new KVCache(Array.from({ length: blocks }, (_, i) => ({
      key: outputs[`present.${i}.key`],
      value: outputs[`present.${i}.value`],
    })));
  }

  /** Cached positions per row. */
  get length(): number {
    return this.layers.length ? this.layers[0].key.dims[2] : 0;
  }

  /** Rows in the batch. */
  get batch(): number {
    return this.layers.length ? this.layers[0].key.dims[0] : 0;
  }

  /** The graph feeds `past.{i}.key/value`. */
  feeds(): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    this.layers.forEach((layer, i) => {
      feeds[`past.${i}.key`] = layer.key;
      feeds[`past.${i}.value`] = layer.value;
    });
    return feeds;
  }

  /**
   * This cache followed by the new tokens `added` (a decoder run's `added.{i}.key/value` outputs,
   * `[batch, tokens, kv_heads * head_dim]`), in new tensors: what a fast decoder run's `present`
   * would have been. A chain of steps grows its cache in a {@link KVCacheArena} instead.
   */
  extend(added: Record<string, ort.Tensor>): KVCache {
    const grown = (past: ort.Tensor, add: ort.Tensor) => {
      const [batch, heads, length, dim] = past.dims;
      return grow(new ArrayBuffer(batch * heads * (length + add.dims[1]) * dim * 4), past, add);
    };
    return new KVCache(this.layers.map((layer, i) => ({
      key: grown(layer.key, added[`added.${i}.key`]),
      value: grown(layer.value, added[`added.${i}.value`]),
    })));
  }

  /** A new cache holding the given rows, in the given order (beam search reordering, dropping finished rows). */
  selectRows(rows: readonly number[]): KVCache {
    return new KVCache(this.layers.map((layer) => ({
      key: selectRows(layer.key, rows),
      value: selectRows(layer.value, rows),
    })));
  }
}

function selectRows(tensor: ort.Tensor, rows: readonly number[]): ort.Tensor {
  const [, heads, length, dim] = tensor.dims;
  const rowSize = heads * length * dim;
  const source = tensor.data as Float32Array;
  const out = new Float32Array(rows.length * rowSize);
  rows.forEach((row, i) =>
    out.set(source.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize)
  );
  return new ort.Tensor("float32", out, [rows.length, heads, length, dim]);
}

/**
 * Preallocated buffers for a chain of decode steps, each step's cache built on the previous one's
 * (the generation loop), in one of two ways. With a graph that outputs the new tokens' keys and
 * values alone (`added.{i}.*`, the fast flavour), {@link append} grows the cache in place: a step
 * fetches kilobytes instead of the whole cache, so nothing the size of the cache is allocated,
 * copied out of onnxruntime or left for the garbage collector per step (whose collections were
 * the slow steps of a generation). Otherwise every `present.{i}.*` output is written into one of two buffers per tensor,
 * sized to the chain's capacity once, the one the step's past does not occupy: onnxruntime then
 * allocates no cache tensors per step (it faulted in fresh pages for them every step before) and
 * the next step reads its past from the same, warm buffers. onnxruntime-node still returns a copy
 * of each bound output, which is dropped at once. A cache two steps back is overwritten (with the
 * sessions in a Worker, the past moves to the Worker instead), so only a linear chain may use an
 * arena.
 *
 * @example
 * ```ts
 * const arena = new KVCacheArena(blocks, batch * kvHeads * capacity * headDim);
 * const outputs = arena.presentOutputs(cache, [batch, kvHeads, cache.length + 1, headDim]);
 * ```
 */
export class KVCacheArena {
  readonly #buffers: [ArrayBuffer, ArrayBuffer][];
  /** Float32 values each buffer holds. */
  readonly capacity: number;

  /** Buffers for `blocks` blocks' keys and values, `capacity` float32 values each. */
  constructor(blocks: number, capacity: number) {
    this.capacity = capacity;
    // Zero-filled lazily by the OS: only the pages a step writes become resident.
    this.#buffers = Array.from({ length: 2 * blocks }, () => [
      new ArrayBuffer(capacity * 4),
      new ArrayBuffer(capacity * 4),
    ]);
  }

  /**
   * The cache `past` followed by the new tokens `added` (a decoder run's `added.{i}.key/value`
   * outputs, `[batch, tokens, kv_heads * head_dim]`), laid out in this arena's first buffer of
   * each tensor (check {@link fits} first). `past` may live in the arena already (the
   * previous step's result: its rows move apart in place) or anywhere else (it is copied in).
   * Either way `past`'s tensors must not be used afterwards: the arena's buffers are reused.
   */
  append(past: KVCache, added: Record<string, ort.Tensor>): KVCache {
    if (!this.fits(past, added["added.0.key"].dims[1])) {
      throw new RangeError("KVCacheArena.append: the cache does not fit the arena");
    }
    return KVCache.fromLayers(past.layers.map((layer, i) => ({
      key: grow(this.#buffers[2 * i][0], layer.key, added[`added.${i}.key`]),
      value: grow(this.#buffers[2 * i + 1][0], layer.value, added[`added.${i}.value`]),
    })));
  }

  /** Whether `past` grown by `tokens` positions fits this arena (blocks and capacity). */
  fits(past: KVCache, tokens: number): boolean {
    if (2 * past.layers.length !== this.#buffers.length) return false;
    const [batch, heads, length, dim] = past.layers[0].key.dims;
    return batch * heads * (length + tokens) * dim <= this.capacity;
  }

  /**
   * Preallocated `present.{i}.key/value` tensors of `dims` in the buffers `past` does not use, or
   * undefined when they do not fit (the step then lets onnxruntime allocate).
   */
  presentOutputs(past: KVCache, dims: number[]): Record<string, ort.Tensor> | undefined {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size > this.capacity || 2 * past.layers.length !== this.#buffers.length) return undefined;
    const outputs: Record<string, ort.Tensor> = {};
    past.layers.forEach((layer, i) => {
      for (const [k, name] of [[0, "key"], [1, "value"]] as const) {
        const pair = this.#buffers[2 * i + k];
        const used = (layer[name].data as Float32Array).buffer;
        const buffer = pair[0] === used ? pair[1] : pair[0];
        outputs[`present.${i}.${name}`] = new ort.Tensor(
          "float32",
          new Float32Array(buffer, 0, size),
          dims,
        );
      }
    });
    return outputs;
  }
}

/**
 * `past` `[b, h, L, d]` and `add` `[b, t, h * d]` as one `[b, h, L + t, d]` tensor in `buffer`
 * (which may hold `past` already: its runs then move up in place).
 */
function grow(buffer: ArrayBuffer, past: ort.Tensor, add: ort.Tensor): ort.Tensor {
  const [batch, heads, length, dim] = past.dims;
  const tokens = add.dims[1];
  const total = length + tokens;
  const out = new Float32Array(buffer, 0, batch * heads * total * dim);
  const source = past.data as Float32Array;
  if (source.buffer !== buffer) out.set(source);
  // Each (row, head) run of `length` positions moves to its new start, the last one first, so
  // that no run is overwritten before it has moved (runs only move up).
  for (let run = batch * heads - 1; run > 0; run--) {
    out.copyWithin(run * total * dim, run * length * dim, (run + 1) * length * dim);
  }
  const values = add.data as Float32Array;
  for (let row = 0; row < batch; row++) {
    for (let t = 0; t < tokens; t++) {
      for (let head = 0; head < heads; head++) {
        const from = ((row * tokens + t) * heads + head) * dim;
        out.set(
          values.subarray(from, from + dim),
          ((row * heads + head) * total + length + t) * dim,
        );
      }
    }
  }
  return new ort.Tensor("float32", out, [batch, heads, total, dim]);
}
