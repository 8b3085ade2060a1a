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
