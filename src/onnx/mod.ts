/**
 * ONNX: the small typed graph builder, its serialisation to a `ModelProto`, and IEEE half-precision
 * conversion.
 *
 * @module
 */
export * from "./float16.ts";
export * from "./graph.ts";
export * from "./serialize.ts";
