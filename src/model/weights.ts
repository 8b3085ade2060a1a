/**
 * Where a graph's weights come from. Each checkpoint tensor becomes an ONNX initializer whose
 * external data points either straight into the original `model.safetensors` (fp32: nothing is
 * copied) or into a converted weights file in the graph cache (fp16, or fp32 copies for a graph that
 * mixes precisions). One graph reads exactly one weights file.
 *
 * @module
 */
import type { GraphBuilder } from "../onnx/mod.ts";
import type { TensorEntry } from "../checkpoint/mod.ts";

/** Element type of a weight inside a graph. */
export type WeightType = "float32" | "float16";

/** A tensor's place in a weights file. */
export interface WeightLocation {
  /** Byte offset in the file. */
  offset: number;
  /** Byte length. */
  length: number;
  /** Stored element type. */
  type: WeightType;
  /** Shape. */
  shape: number[];
}

/** Resolves checkpoint tensor names to initializers of one graph. */
export class WeightTable {
  /**
   * @param fileName the weights file's name, relative to the folder the session loads it from
   * @param locations every tensor the graph may use, by checkpoint name
   */
  constructor(readonly fileName: string, readonly locations: ReadonlyMap<string, WeightLocation>) {}

  /** A table over a safetensors file's own (fp32) tensors: no copy at all. */
  static fromSafetensors(fileName: string, tensors: Iterable<TensorEntry>): WeightTable {
    const locations = new Map<string, WeightLocation>();
    for (const t of tensors) {
      if (t.dtype !== "F32" && t.dtype !== "F16") continue;
      locations.set(t.name, {
        offset: t.offset,
        length: t.byteLength,
        type: t.dtype === "F32" ? "float32" : "float16",
        shape: t.shape,
      });
    }
    return new WeightTable(fileName, locations);
  }

  /** Whether the table holds the tensor `name` (e.g. a layer's optional bias). */
  has(name: string): boolean {
    return this.locations.has(name);
  }

  /** The stored type of a tensor. */
  typeOf(name: string): WeightType {
    return this.#location(name).type;
  }

  /** The shape of a tensor. */
  shapeOf(name: string): readonly number[] {
    return this.#location(name).shape;
  }

  /** Adds the tensor `name` to graph `g` as an external initializer and returns its value name. */
  use(g: GraphBuilder, name: string): string {
    const loc = this.#location(name);
    return g.external(name, loc.type, loc.shape, this.fileName, loc.offset, loc.length);
  }

  #location(name: string): WeightLocation {
    const loc = this.locations.get(name);
    if (!loc) throw new Error(`weight "${name}" is not in ${this.fileName}`);
    return loc;
  }
}

/**
 * The checkpoint tensor holding the input embedding table: the head itself when the weights are
 * tied (nanoVLM's default; the file stores it as `decoder.head.weight`), else
 * `decoder.token_embedding.weight`.
 */
export function embeddingTableName(config: { lm_tie_weights: boolean }): string {
  return config.lm_tie_weights ? "decoder.head.weight" : "decoder.token_embedding.weight";
}
