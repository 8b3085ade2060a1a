/**
 * Evaluation metrics equal to the reference implementations: captioning (BLEU-1..4, CIDEr-D,
 * ROUGE-L as pycocoevalcap, with a TypeScript PTB tokenizer), VQA accuracy (official script and
 * lmms-eval behaviours), multiple-choice letter extraction, image-text retrieval, and seeded
 * bootstrap confidence intervals.
 *
 * @module
 */
export * from "./bleu.ts";
export * from "./bootstrap.ts";
export * from "./captions.ts";
export * from "./cider_d.ts";
export * from "./mcq.ts";
export * from "./ngrams.ts";
export * from "./ptb_tokenizer.ts";
export * from "./py_text.ts";
export * from "./retrieval.ts";
export * from "./rouge_l.ts";
export * from "./vqa_accuracy.ts";
export * from "./vqa_normalize.ts";
