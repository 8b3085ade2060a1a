/**
 * Where a graph's weights come from. Each checkpoint tensor becomes an ONNX initializer whose
 * external data points either straight into the original `model.safetensors` (fp32: nothing is
 * copied) or into a converted weights file in the graph cache (fp16, fp32 copies for a graph that
 * mixes precisions, and int8/int4 linear weights in MatMulNBits layout). One graph reads exactly one
 * weights file.
 *
 * @module
 */
import type { GraphBuilder } from "../onnx/mod.ts";
import type { TensorEntry } from "../checkpoint/mod.ts";
import { blobSize, blocksPerRow, type QuantShape } from "./quantize.ts";

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

/** A byte range of a weights file. */
export interface ByteRange {
  /** Byte offset in the file. */
  offset: number;
  /** Byte length. */
  length: number;
}

/** Where a linear weight's MatMulNBits codes, scales and zero points are in a weights file. */
export interface QuantLocation extends QuantShape {
  /** `[N, blocks, blob]` uint8 codes. */
  codes: ByteRange;
  /** `[N * blocks]` float32 scales. */
  scales: ByteRange;
  /** Packed uint8 zero points (asymmetric only). */
  zeroPoints?: ByteRange;
  /** MatMulNBits `accuracy_level`. */
  accuracyLevel: number;
  /**
   * For linear layers stored as one weight (rows stacked, see {@link FusedLinear}): the rows of
   * each part, in order.
   */
  rows?: number[];
}

/**
 * Linear layers of a decoder block that read the same input and are quantised as one weight
 * (their rows stacked in `parts` order) for the fast flavour: stored as
 * `decoder.blocks.<i>.<scope>.<name>.weight`.
 */
export interface FusedLinear {
  /** The block's submodule (`attn`, `mlp`). */
  scope: string;
  /** The fused layer's name (`qkv_proj`). */
  name: string;
  /** Its parts, in row order (`q_proj`, `k_proj`, `v_proj`). */
  parts: readonly string[];
}

/** q, k and v of a decoder block's attention (one input: norm1's output). */
export const QKV_PROJ: FusedLinear = {
  scope: "attn",
  name: "qkv_proj",
  parts: ["q_proj", "k_proj", "v_proj"],
};

/** gate and up of a decoder block's MLP (one input: norm2's output). */
export const GATE_UP_PROJ: FusedLinear = {
  scope: "mlp",
  name: "gate_up_proj",
  parts: ["gate_proj", "up_proj"],
};

/** The initializers of a quantised linear weight, by value name. */
export interface QuantizedValues {
  /** The codes. */
  codes: string;
  /** The scales. */
  scales: string;
  /** The zero points, or `""` when symmetric. */
  zeroPoints: string;
}

/** Resolves checkpoint tensor names to initializers of one graph. */
export class WeightTable {
  /**
   * A table over one weights file.
   *
   * @param fileName the weights file's name, relative to the folder the session loads it from
   * @param locations every float tensor the graph may use, by checkpoint name
   * @param quantized the linear weights the graph multiplies by in quantised form, by checkpoint
   *   name (a name may also be in `locations`: the tied head is quantised for the head's matmul and
   *   kept in float for the token lookup)
   */
  constructor(
    readonly fileName: string,
    readonly locations: ReadonlyMap<string, WeightLocation>,
    readonly quantized: ReadonlyMap<string, QuantLocation> = new Map(),
  ) {}

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
    return this.locations.has(name) || this.quantized.has(name);
  }

  /** The quantised form of a linear weight, when the graph uses one. */
  quantOf(name: string): QuantLocation | undefined {
    return this.quantized.get(name);
  }

  /** Adds the quantised form of `name` to graph `g` as external initializers. */
  useQuantized(g: GraphBuilder, name: string): QuantizedValues {
    const q = this.quantized.get(name);
    if (!q) throw new Error(`weight "${name}" is not quantised in ${this.fileName}`);
    const blocks = blocksPerRow(q);
    const at = (suffix: string, type: "uint8" | "float32", dims: number[], r: ByteRange) =>
      g.external(`${name}.${suffix}`, type, dims, this.fileName, r.offset, r.length);
    return {
      codes: at("q_codes", "uint8", [q.n, blocks, blobSize(q)], q.codes),
      scales: at("q_scales", "float32", [q.n * blocks], q.scales),
      zeroPoints: q.zeroPoints
        ? at("q_zero_points", "uint8", [q.zeroPoints.length], q.zeroPoints)
        : "",
    };
  }

  /** The stored type of a tensor. */
  typeOf(name: string): WeightType {
    return this.#location(name).type;
  }

  /** The shape of a tensor. */
  shapeOf(name: string): readonly number[] {
    const q = this.quantized.get(name);
    return q ? [q.n, q.k] : this.#location(name).shape;
  }

  /** Adds the tensor `name` to graph `g` as an external initializer and returns its value name. */
  use(g: GraphBuilder, name: string): string {
    const loc = this.#location(name);
    return g.external(name, loc.type, loc.shape, this.fileName, loc.offset, loc.length);
  }

  /**
   * The tensors `names` grouped into runs that lie back to back in the file, in file order: each
   * run's tensors share a type and a row length, so a run of two or more reads as one matrix of
   * stacked rows ({@link useRows}) without a copy. Names the table does not hold in float form
   * stay alone.
   */
  adjacentRuns(names: readonly string[]): string[][] {
    const held = names.filter((n) => this.locations.has(n));
    const loose = names.filter((n) => !this.locations.has(n)).map((n) => [n]);
    const sorted = held.sort((a, b) => this.#location(a).offset - this.#location(b).offset);
    const runs: string[][] = [];
    for (const name of sorted) {
      const here = this.#location(name);
      const run = runs.at(-1);
      const last = run && this.#location(run.at(-1)!);
      const follows = last !== undefined && last.offset + last.length === here.offset &&
        last.type === here.type && here.shape.length === 2 && last.shape.length === 2 &&
        last.shape[1] === here.shape[1];
      if (follows) run!.push(name);
      else runs.push([name]);
    }
    return [...runs, ...loose];
  }

  /**
   * Adds the rows of the back-to-back 2-D tensors `run` (one of {@link adjacentRuns}) to graph `g`
   * as one external initializer `[Σ rows, columns]` and returns its value name.
   */
  useRows(g: GraphBuilder, run: readonly string[]): string {
    if (run.length === 1) return this.use(g, run[0]);
    const locations = run.map((n) => this.#location(n));
    const [first, last] = [locations[0], locations.at(-1)!];
    const rows = locations.reduce((sum, loc) => sum + loc.shape[0], 0);
    return g.external(
      `rows(${run.join(",")})`,
      first.type,
      [rows, first.shape[1]],
      this.fileName,
      first.offset,
      last.offset + last.length - first.offset,
    );
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
