/**
 * Training nanoVLM models in TypeScript with jax-js: the forward pass of every module in the
 * original parameter names, a jitted Adam step, checkpoint and training-state files.
 *
 * @module
 */
export * from "./model.ts";
export * from "./params.ts";
export * from "./step.ts";
export * from "./state.ts";
export * from "./finetune.ts";
export * from "./finetune_data.ts";
export * from "./loss_curve.ts";
export * from "./probe.ts";
