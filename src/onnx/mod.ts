/**
 * ONNX: the small typed graph builder, its serialisation to a `ModelProto`, and IEEE half-precision
 * conversion.
 *
 * @module
 */
export * from "./graph.ts";
export * from "./serialize.ts";
