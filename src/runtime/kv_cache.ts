/**
 * The decoder's key/value cache: one `[batch, kv_heads, slots, head_dim]` float32 tensor pair per
 * block, keys stored after RoPE (as nanoVLM does), the first `length` positions of each (row, head)
 * filled. Fed to the decoder graph as `past.{i}.*`; the grown cache is its `present.{i}.*` outputs
 * or, with the fast flavour, the past followed by its `added.{i}.*` outputs. A cache grown in a
 * {@link KVCacheArena} keeps spare slots after the filled positions, so that most steps write only
 * the new tokens; the attention mask fed with it hides them ({@link KVCache.slotMask}).
 *
 * @module
 */
import { ort } from "./ort.ts";

/**
 * The per-block `added.{i}.key/value` tensors (`[b, t, kv]`) of a decoder run's packed output
 * `[b, t, blocks·2·kv]` (block by block, key then value): views of it for a single new token,
 * copies otherwise.
 */
export function unpackAdded(all: ort.Tensor, blocks: number): Record<string, ort.Tensor> {
  const [batch, tokens, width] = all.dims;
  const kv = width / (2 * blocks), rows = batch * tokens;
  const data = all.data as Float32Array;
  const out: Record<string, ort.Tensor> = {};
  for (let part = 0; part < 2 * blocks; part++) {
    let values: Float32Array;
    if (rows === 1) values = data.subarray(part * kv, (part + 1) * kv);
    else {
      values = new Float32Array(rows * kv);
      for (let r = 0; r < rows; r++) {
        values.set(data.subarray(r * width + part * kv, r * width + (part + 1) * kv), r * kv);
      }
    }
    const name = `added.${part >> 1}.${part & 1 ? "value" : "key"}`;
    out[name] = new ort.Tensor("float32", values, [batch, tokens, kv]);
  }
  return out;
}

/** Positions by which an arena's slots per (row, head) grow: their layout changes once per as many steps. */
export const SLOT_CHUNK = 64;

/** The cache of one batch. */
export class KVCache {
  /** Per block: keys and values, `[batch, kv_heads, slots, head_dim]`. */
  readonly layers: { key: ort.Tensor; value: ort.Tensor }[];
  readonly #length: number | undefined;

  private constructor(layers: { key: ort.Tensor; value: ort.Tensor }[], length?: number) {
    this.layers = layers;
    this.#length = length;
  }

  /** An empty cache (length 0) for `batch` rows. */
  static empty(blocks: number, batch: number, kvHeads: number, headDim: number): KVCache {
    const empty = () =>
      new ort.Tensor("float32", new Float32Array(0), [batch, kvHeads, 0, headDim]);
    return new KVCache(Array.from({ length: blocks }, () => ({ key: empty(), value: empty() })));
  }

  /** The cache of the given per-block tensors, `length` of their slots filled (default all). */
  static fromLayers(layers: { key: ort.Tensor; value: ort.Tensor }[], length?: number): KVCache {
    return new KVCache(layers, length);
  }

  /** The cache made of a decoder run's `present.{i}.*` outputs. */
  static fromPresent(outputs: Record<string, ort.Tensor>, blocks: number): KVCache {
    return new KVCache(Array.from({ length: blocks }, (_, i) => ({
      key: outputs[`present.${i}.key`],
      value: outputs[`present.${i}.value`],
    })));
  }

  /** The cache fed as a run's `past.{i}.*` inputs, by those names in `tensors`, `length` filled. */
  static fromFeeds(tensors: Record<string, ort.Tensor>, blocks: number, length: number): KVCache {
    return new KVCache(
      Array.from({ length: blocks }, (_, i) => ({
        key: tensors[`past.${i}.key`],
        value: tensors[`past.${i}.value`],
      })),
      length,
    );
  }

  /** Cached positions per row. */
  get length(): number {
    return this.#length ?? this.slots;
  }

  /** Positions each (row, head) of the tensors holds: {@link length} and spare ones after them. */
  get slots(): number {
    return this.layers.length ? this.layers[0].key.dims[2] : 0;
  }

  /**
   * The attention mask `[batch, length + tokens]` (1 = real, 0 = padding; row-major) widened to
   * this cache's slots, `[batch, slots + tokens]`: spare slots are padding. The same values when
   * there are none.
   */
  slotMask(attentionMask: ArrayLike<number>, tokens: number): ArrayLike<number> {
    const { length, slots, batch } = this;
    if (slots === length) return attentionMask;
    const out = new Array<number>(batch * (slots + tokens)).fill(0);
    for (let row = 0; row < batch; row++) {
      const from = row * (length + tokens), to = row * (slots + tokens);
      for (let j = 0; j < length; j++) out[to + j] = attentionMask[from + j];
      for (let j = 0; j < tokens; j++) out[to + slots + j] = attentionMask[from + length + j];
    }
    return out;
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
    const total = this.length + added["added.0.key"].dims[1];
    const grown = (past: ort.Tensor, add: ort.Tensor) => {
      const [batch, heads, , dim] = past.dims;
      const buffer = new ArrayBuffer(batch * heads * total * dim * 4);
      return grow(buffer, past, this.length, add, total);
    };
    return new KVCache(this.layers.map((layer, i) => ({
      key: grown(layer.key, added[`added.${i}.key`]),
      value: grown(layer.value, added[`added.${i}.value`]),
    })));
  }

  /** A new cache holding the given rows, in the given order (beam search reordering, dropping finished rows). */
  selectRows(rows: readonly number[]): KVCache {
    return new KVCache(
      this.layers.map((layer) => ({
        key: selectRows(layer.key, rows),
        value: selectRows(layer.value, rows),
      })),
      this.#length,
    );
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
   * each tensor (check {@link fits} first). When `past` lives there already (the previous step's
   * result) and has spare slots for the new tokens, only those are written; else the slots grow
   * to the next multiple of {@link SLOT_CHUNK} (as far as the capacity allows) and the filled
   * positions of each (row, head) move up in place, or are copied in from a `past` elsewhere.
   * Either way `past`'s tensors must not be used afterwards: the arena's buffers are reused.
   */
  append(past: KVCache, added: Record<string, ort.Tensor>): KVCache {
    const tokens = added["added.0.key"].dims[1];
    if (!this.fits(past, tokens)) {
      throw new RangeError("KVCacheArena.append: the cache does not fit the arena");
    }
    const [batch, heads, , dim] = past.layers[0].key.dims;
    const length = past.length + tokens;
    const inPlace = (past.layers[0].key.data as Float32Array).buffer === this.#buffers[0][0];
    const slots = inPlace && length <= past.slots ? past.slots : Math.min(
      Math.floor(this.capacity / (batch * heads * dim)),
      Math.ceil(length / SLOT_CHUNK) * SLOT_CHUNK,
    );
    const grown = (k: number, layer: ort.Tensor, add: ort.Tensor) =>
      grow(this.#buffers[k][0], layer, past.length, add, slots);
    return KVCache.fromLayers(
      past.layers.map((layer, i) => ({
        key: grown(2 * i, layer.key, added[`added.${i}.key`]),
        value: grown(2 * i + 1, layer.value, added[`added.${i}.value`]),
      })),
      length,
    );
  }

  /**
   * Takes the tensors of `cache` as this arena's first buffers: the arena's own buffers, lent to a
   * Worker for a run and back as new `ArrayBuffer`s over the same memory. Others are ignored.
   */
  adopt(cache: KVCache): void {
    cache.layers.forEach((layer, i) => {
      for (const [k, tensor] of [[2 * i, layer.key], [2 * i + 1, layer.value]] as const) {
        const buffer = (tensor.data as Float32Array).buffer;
        if (buffer instanceof ArrayBuffer && buffer.byteLength === this.capacity * 4) {
          this.#buffers[k][0] = buffer;
        }
      }
    });
  }

  /** Whether `past` grown by `tokens` positions fits this arena (blocks and capacity). */
  fits(past: KVCache, tokens: number): boolean {
    if (2 * past.layers.length !== this.#buffers.length) return false;
    const [batch, heads, , dim] = past.layers[0].key.dims;
    return batch * heads * (past.length + tokens) * dim <= this.capacity;
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
 * `past` (`[b, h, S, d]`, its first `length` positions of each (row, head) filled) followed by
 * `add` (`[b, t, h * d]`) as `[b, h, slots, d]` in `buffer` (`slots ≥ length + t`; the positions
 * after the filled ones keep whatever they hold, hidden by the mask). `buffer` may hold `past`
 * already, with at most `slots` slots: its runs then move up in place, the last one first, so
 * that none is overwritten before it has moved.
 */
function grow(
  buffer: ArrayBuffer,
  past: ort.Tensor,
  length: number,
  add: ort.Tensor,
  slots: number,
): ort.Tensor {
  const [batch, heads, pastSlots, dim] = past.dims;
  const tokens = add.dims[1];
  const out = new Float32Array(buffer, 0, batch * heads * slots * dim);
  const source = past.data as Float32Array;
  const runs = batch * heads;
  if (source.buffer !== buffer) {
    for (let run = 0; run < runs; run++) {
      const from = run * pastSlots * dim;
      out.set(source.subarray(from, from + length * dim), run * slots * dim);
    }
  } else if (slots !== pastSlots) {
    for (let run = runs - 1; run > 0; run--) {
      const from = run * pastSlots * dim;
      out.copyWithin(run * slots * dim, from, from + length * dim);
    }
  }
  const values = add.data as Float32Array;
  for (let row = 0; row < batch; row++) {
    for (let t = 0; t < tokens; t++) {
      for (let head = 0; head < heads; head++) {
        const from = ((row * tokens + t) * heads + head) * dim;
        out.set(
          values.subarray(from, from + dim),
          ((row * heads + head) * slots + length + t) * dim,
        );
      }
    }
  }
  return new ort.Tensor("float32", out, [batch, heads, slots, dim]);
}
