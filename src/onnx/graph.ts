/**
 * A small typed builder for ONNX graphs: inputs, outputs, nodes, constants and initializers that
 * live in external data files (e.g. straight inside a checkpoint's `model.safetensors`). Values are
 * referred to by name; the builder hands out unique names inside nested scopes so that a node's
 * name says where it comes from (`decoder.blocks.3.attn.q_proj`).
 *
 * Serialisation to protobuf is in `serialize.ts`.
 *
 * @module
 */
import { floatToHalf } from "../checkpoint/mod.ts";

/** Element types used by our graphs. */
export type ElemType = "float32" | "float16" | "int64" | "int32" | "uint8" | "bool";

/** A dimension: a fixed size or a symbolic name. */
export type Dim = number | string;

/** ONNX TensorProto.DataType codes of {@link ElemType}s. */
export const ONNX_DTYPE: Record<ElemType, number> = {
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
};

/** Forces a numeric attribute to be written as FLOAT (integral numbers default to INT). */
export class FloatAttr {
  /** Wraps `value`. */
  constructor(readonly value: number) {}
}

/** An attribute value: numbers (integral -> INT), number arrays, strings, or {@link FloatAttr}. */
export type AttrValue = number | number[] | string | FloatAttr | FloatAttr[];

/** Shorthand for a FLOAT attribute. */
export function float(value: number): FloatAttr {
  return new FloatAttr(value);
}

/** A graph input or output; `dims` undefined means the rank is unknown. */
export interface ValueInfo {
  /** The value's name. */
  name: string;
  /** Its element type. */
  type: ElemType;
  /** Its dims: numbers, or names of symbolic dims (`"batch"`). */
  dims?: Dim[];
}

/** A node of the graph. */
export interface NodeSpec {
  /** The node's unique name. */
  name: string;
  /** Its operator (`MatMul`, `Attention`). */
  opType: string;
  /** The operator's domain (`""` = ai.onnx, `"com.microsoft"`). */
  domain: string;
  /** Input value names, in the operator's order (`""` = an omitted optional input). */
  inputs: string[];
  /** Output value names. */
  outputs: string[];
  /** Attributes by name. */
  attributes: Record<string, AttrValue>;
}

/** An initializer: bytes inline, or a byte range of an external file. */
export interface InitializerSpec {
  /** The initializer's name (a value name). */
  name: string;
  /** Its element type. */
  type: ElemType;
  /** Its dims. */
  dims: number[];
  /** Inline little-endian bytes. */
  raw?: Uint8Array;
  /** External data: `location` relative to the model file's folder. */
  external?: { location: string; offset: number; length: number };
}

/** Options of {@link GraphBuilder.node}. */
export interface NodeOptions {
  /** Operator domain (`""` = ai.onnx, `"com.microsoft"`). */
  domain?: string;
  /** Number of outputs (default 1), or explicit output names. */
  outputs?: number | string[];
  /** Base name for the node and its outputs (default: the op type). */
  name?: string;
}

/** Builds one ONNX graph. */
export class GraphBuilder {
  /** Graph inputs in order. */
  readonly inputs: ValueInfo[] = [];
  /** Graph outputs in order. */
  readonly outputs: ValueInfo[] = [];
  /** Nodes in topological (insertion) order. */
  readonly nodes: NodeSpec[] = [];
  /** Initializers (weights and constants). */
  readonly initializers: InitializerSpec[] = [];
  readonly #used = new Set<string>();
  readonly #constants = new Map<string, string>();
  readonly #renamed = new Map<string, string>();
  #prefix: string[] = [];

  /** Creates a builder for a graph called `name`. */
  constructor(readonly name: string) {}

  /** A name not used before, prefixed by the current scope. */
  uniqueName(base: string): string {
    const full = [...this.#prefix, base].join(".");
    let name = full;
    for (let i = 1; this.#used.has(name); i++) name = `${full}_${i}`;
    this.#used.add(name);
    return name;
  }

  /** Runs `fn` with `prefix` appended to the naming scope. */
  scope<T>(prefix: string, fn: () => T): T {
    this.#prefix.push(prefix);
    try {
      return fn();
    } finally {
      this.#prefix.pop();
    }
  }

  /** Declares a graph input and returns its name. */
  input(name: string, type: ElemType, dims: Dim[]): string {
    this.#used.add(name);
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Declares `value` as a graph output called `name` (an Identity is added when they differ). */
  output(value: string, name: string, type: ElemType, dims?: Dim[]): void {
    value = this.#renamed.get(value) ?? value;
    if (value !== name && !this.#renameNodeOutput(value, name)) {
      this.#used.add(name);
      this.nodes.push({
        name: `${name}/identity`,
        opType: "Identity",
        domain: "",
        inputs: [value],
        outputs: [name],
        attributes: {},
      });
    }
    this.outputs.push({ name, type, dims });
  }

  /**
   * Renames the node output `value` to `name` everywhere (saves an Identity copy); false when
   * `value` is not a node output or is already a graph output.
   */
  #renameNodeOutput(value: string, name: string): boolean {
    if (this.#used.has(name) || this.outputs.some((o) => o.name === value)) return false;
    const producer = this.nodes.find((n) => n.outputs.includes(value));
    if (!producer) return false;
    this.#used.add(name);
    this.#renamed.set(value, name);
    for (const node of this.nodes) {
      node.inputs = node.inputs.map((i) => (i === value ? name : i));
      node.outputs = node.outputs.map((o) => (o === value ? name : o));
    }
    return true;
  }

  /** Adds a node; returns its output names. */
  node(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttrValue> = {},
    options: NodeOptions = {},
  ): string[] {
    const base = this.uniqueName(options.name ?? opType);
    const outputs = typeof options.outputs === "object" ? options.outputs : Array.from(
      { length: options.outputs ?? 1 },
      (_, i) => (i === 0 ? base : `${base}:${i}`),
    );
    for (const o of outputs) this.#used.add(o);
    this.nodes.push({
      name: base,
      opType,
      domain: options.domain ?? "",
      inputs,
      outputs,
      attributes,
    });
    return outputs;
  }

  /** Adds a single-output node and returns its output name. */
  op(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttrValue> = {},
    options: Omit<NodeOptions, "outputs"> = {},
  ): string {
    return this.node(opType, inputs, attributes, options)[0];
  }

  /** Adds an initializer stored in an external file; returns its name. */
  external(
    name: string,
    type: ElemType,
    dims: number[],
    location: string,
    offset: number,
    length: number,
  ): string {
    if (!this.#used.has(name)) {
      this.#used.add(name);
      this.initializers.push({ name, type, dims, external: { location, offset, length } });
    }
    return name;
  }

  /** Adds (or reuses) a small inline constant of the given type and shape. */
  constant(values: ArrayLike<number>, type: ElemType, dims: number[] = [values.length]): string {
    const key = `${type}|${dims.join(",")}|${Array.from(values).join(",")}`;
    const existing = this.#constants.get(key);
    if (existing) return existing;
    const name = this.uniqueName("const");
    this.initializers.push({ name, type, dims, raw: encodeValues(values, type) });
    this.#constants.set(key, name);
    return name;
  }

  /** A scalar constant. */
  scalar(value: number, type: ElemType = "float32"): string {
    return this.constant([value], type, []);
  }

  /** A 1-D int64 constant (shapes, axes, indices). */
  ints(values: number[]): string {
    return this.constant(values, "int64", [values.length]);
  }
}

function encodeValues(values: ArrayLike<number>, type: ElemType): Uint8Array {
  const n = values.length;
  switch (type) {
    case "float32":
      return new Uint8Array(Float32Array.from(values).buffer);
    case "float16":
      return new Uint8Array(Uint16Array.from(Array.from(values, floatToHalf)).buffer);
    case "int64":
      return new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
    case "int32":
      return new Uint8Array(Int32Array.from(values).buffer);
    case "uint8":
      return Uint8Array.from(values);
    case "bool":
      return Uint8Array.from({ length: n }, (_, i) => (values[i] ? 1 : 0));
  }
}
