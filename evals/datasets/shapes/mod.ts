/**
 * ShapesBench: the seeded procedural benchmark with exact ground truth (build and write a split),
 * and the independent checker of its items.
 *
 * @module
 */
export * from "./build.ts";
export * from "./verify.ts";
export * from "./scene.ts";
export * from "./raster.ts";
export * from "./questions.ts";
export * from "./language.ts";
export * from "./palette.ts";
export { Rng } from "./prng.ts";
