/**
 * The text room of the pipeline: tokenizers (Hugging Face `tokenizer.json` files and the byte-level
 * tokenizer for synthetic checkpoints), prompts and their layout, batching, and choice letters.
 *
 * @module
 */
export * from "./tokenizer.ts";
export * from "./tokenizer_files.ts";
export * from "./byte_level.ts";
export * from "./byte_level_bpe.ts";
export * from "./tokenizer_json.ts";
export * from "./prompt.ts";
export * from "./prompt_layout.ts";
export * from "./batch.ts";
export * from "./choice_letter.ts";
export * from "./bound_text.ts";
