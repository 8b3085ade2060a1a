/**
 * nanovlm-lab: load, convert, run, inspect and evaluate nanoVLM checkpoints from TypeScript.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./checkpoint/safetensors.ts";
export * from "./checkpoint/float16.ts";
export * from "./checkpoint/config_types.ts";
export * from "./checkpoint/config.ts";
export * from "./checkpoint/checkpoint.ts";
export * from "./checkpoint/tensor_layout.ts";
export * from "./checkpoint/presets.ts";
export * from "./checkpoint/safetensors_writer.ts";
export * from "./checkpoint/synthetic.ts";
export * from "./checkpoint/atomic.ts";
export * from "./pipeline/rgb_image.ts";
export * from "./pipeline/image_load.ts";
export * from "./pipeline/image_preprocess.ts";
export * from "./pipeline/pillow_resample.ts";
export * from "./pipeline/torch_resample.ts";
export * from "./pipeline/tokenizer.ts";
export * from "./pipeline/tokenizer_files.ts";
export * from "./pipeline/prompt.ts";
export * from "./pipeline/prompt_layout.ts";
export * from "./pipeline/batch.ts";
export * from "./pipeline/prng.ts";
export * from "./pipeline/sampling_options.ts";
export * from "./pipeline/sampling.ts";
export * from "./pipeline/stopping.ts";
export * from "./model/options.ts";
export * from "./runtime/model.ts";
export * from "./runtime/kv_cache.ts";
export * from "./runtime/session.ts";
export * from "./runtime/doctor.ts";
export * from "./parity/fixture.ts";
export * from "./parity/compare.ts";
export * from "./parity/run.ts";
export * from "./pipeline/generate.ts";
export * from "./pipeline/beam.ts";
export * from "./pipeline/prepare.ts";
export * from "./pipeline/text_generation.ts";
export * from "./pipeline/nanovlm.ts";
export * from "./pipeline/choice_letter.ts";
export * from "./pipeline/tasks/mod.ts";
