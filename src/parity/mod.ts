/**
 * Parity with the original PyTorch code: reference fixtures (and where they live), tensor
 * comparison, the stage-by-stage parity run and its terminal report.
 *
 * @module
 */
export * from "./compare.ts";
export * from "./fixture.ts";
export * from "./fixtures_dir.ts";
export * from "./format.ts";
export * from "./run.ts";
