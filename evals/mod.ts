/**
 * nanovlm-lab's evaluation side: metrics equal to the reference implementations (and, as they
 * land, datasets, suites and the harness). Built on the public API of `src/mod.ts`.
 *
 * @module
 */
export * from "./metrics/mod.ts";
export * from "./datasets/mod.ts";
