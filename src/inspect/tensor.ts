/**
 * Shape-labelled float32 tensors: what a {@link Trace} hands out. Each axis has a name
 * (`tile`, `head`, `query`, `key`, `position`, `channel`, ...); `.at()` fixes leading axes
 * (a view, no copy), `.slice()` narrows one axis, `.data` is the plain row-major `Float32Array`.
 *
 * @module
 */
import { InputError } from "../errors.ts";

/** Nested arrays of a tensor's values (`number` for a rank-0 tensor). */
export type NestedNumbers = number | NestedNumbers[];

/**
 * A row-major float32 tensor whose axes carry names.
 *
 * @example
 * ```ts
 * const t = new LabelledTensor(["head", "query", "key"], [2, 3, 3], new Float32Array(18));
 * t.at(1).shape;              // [3, 3]: head 1, a view
 * t.slice("key", 0, 2).shape; // [2, 3, 2]
 * t.value(1, 2, 0);           // one number
 * ```
 */
export class LabelledTensor {
  /** Axis names, outermost first. */
  readonly dims: readonly string[];
  /** Axis lengths. */
  readonly shape: readonly number[];
  /** The values, row-major (a view into the producer's buffer where possible). */
  readonly data: Float32Array;

  /** Wraps `data` (its length must equal the product of `shape`). */
  constructor(dims: readonly string[], shape: readonly number[], data: Float32Array) {
    if (dims.length !== shape.length) {
      throw new InputError(
        `a tensor with axes [${dims.join(", ")}] needs ${dims.length} lengths, got [${shape}]`,
        "give one length per axis name",
      );
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new InputError(
        `tensor [${dims.join(", ")}] of shape [${shape}] needs ${size} values, got ${data.length}`,
        "pass data of the shape's size",
      );
    }
    this.dims = dims;
    this.shape = shape;
    this.data = data;
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of values. */
  get size(): number {
    return this.data.length;
  }

  /** The index of an axis given by name or number; an unknown one is an {@link InputError}. */
  axis(axis: string | number): number {
    const index = typeof axis === "number" ? axis : this.dims.indexOf(axis);
    if (!Number.isInteger(index) || index < 0 || index >= this.rank) {
      throw new InputError(
        `tensor [${this.dims.join(", ")}] has no axis ${JSON.stringify(axis)}`,
        `use one of ${this.dims.join(", ")} (or 0..${this.rank - 1})`,
      );
    }
    return index;
  }

  #checkIndex(axis: number, index: number): void {
    const n = this.shape[axis];
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new InputError(
        `index ${index} is out of range for axis ${this.dims[axis]} (0..${n - 1})`,
        `pick an index between 0 and ${n - 1}`,
      );
    }
  }

  /** Fixes the leading axes to `index` and returns the rest as a view (no copy). */
  at(...index: number[]): LabelledTensor {
    if (index.length > this.rank) {
      throw new InputError(
        `${index.length} indices for a tensor of rank ${this.rank} [${this.dims.join(", ")}]`,
        `give at most ${this.rank} indices`,
      );
    }
    let offset = 0;
    let stride = this.size;
    index.forEach((i, axis) => {
      this.#checkIndex(axis, i);
      stride /= this.shape[axis];
      offset += i * stride;
    });
    return new LabelledTensor(
      this.dims.slice(index.length),
      this.shape.slice(index.length),
      this.data.subarray(offset, offset + stride),
    );
  }

  /** The value at a full index (one index per axis). */
  value(...index: number[]): number {
    if (index.length !== this.rank) {
      throw new InputError(
        `value() takes ${this.rank} indices for [${this.dims.join(", ")}], got ${index.length}`,
        "give one index per axis, or use at() for a sub-tensor",
      );
    }
    return this.at(...index).data[0];
  }

  /** Keeps `[start, end)` of one axis (a view for the first axis, a copy otherwise). */
  slice(axis: string | number, start: number, end?: number): LabelledTensor {
    const a = this.axis(axis);
    const n = this.shape[a];
    const stop = end ?? n;
    if (
      !Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop > n || start > stop
    ) {
      throw new InputError(
        `slice [${start}, ${stop}) is out of range for axis ${this.dims[a]} (0..${n})`,
        `pick 0 <= start <= end <= ${n}`,
      );
    }
    return this.take(a, Array.from({ length: stop - start }, (_, i) => start + i));
  }

  /** Keeps the given indices of one axis, in that order. */
  take(axis: string | number, indices: readonly number[]): LabelledTensor {
    const a = this.axis(axis);
    for (const i of indices) this.#checkIndex(a, i);
    const outer = this.shape.slice(0, a).reduce((x, y) => x * y, 1);
    const inner = this.shape.slice(a + 1).reduce((x, y) => x * y, 1);
    const n = this.shape[a];
    const shape = [...this.shape];
    shape[a] = indices.length;
    const contiguous = indices.every((v, k) => k === 0 || v === indices[k - 1] + 1);
    if (outer === 1 && contiguous) {
      const from = (indices[0] ?? 0) * inner;
      return new LabelledTensor(
        this.dims,
        shape,
        this.data.subarray(from, from + indices.length * inner),
      );
    }
    const out = new Float32Array(outer * indices.length * inner);
    for (let o = 0; o < outer; o++) {
      indices.forEach((i, k) => {
        const from = (o * n + i) * inner;
        out.set(this.data.subarray(from, from + inner), (o * indices.length + k) * inner);
      });
    }
    return new LabelledTensor(this.dims, shape, out);
  }

  /** The values as nested arrays. */
  toArray(): NestedNumbers {
    if (this.rank === 0) return this.data[0];
    return Array.from({ length: this.shape[0] }, (_, i) => this.at(i).toArray());
  }

  /** `[dims] shape` for printing. */
  toString(): string {
    return `LabelledTensor [${this.dims.map((d, i) => `${d}: ${this.shape[i]}`).join(", ")}]`;
  }
}
