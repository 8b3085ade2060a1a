/**
 * Test helpers (never imported by production code): assertions, the shared reference fixtures,
 * temporary folders, the float64 reference model, task models on the fixtures, and the small
 * tokenizer fixtures.
 *
 * @module
 */
export * from "./assert.ts";
export * from "./fixtures.ts";
export * from "./temp.ts";
export * from "./reference_ops.ts";
export * from "./reference_model.ts";
export * from "./task_models.ts";
export * from "./import_boundary.ts";
export * from "./tokenizers/mod.ts";
export * from "./syscall_trace.ts";
export * from "./svg_snapshot.ts";
