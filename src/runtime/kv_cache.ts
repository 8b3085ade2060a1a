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
 * (the generation loop). Every `present.{i}.*` output is written into one of two buffers per tensor,
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
