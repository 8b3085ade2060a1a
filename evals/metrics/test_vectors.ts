/**
 * Typed access to the shared metric test vectors (`shared/fixtures/metrics/test-vectors.json`),
 * produced by running the reference Python code. Test helper only.
 *
 * @module
 */
import { fixturePath } from "../../src/testing/mod.ts";

/** One captioning vector: pre-tokenized inputs and pycocoevalcap's outputs. */
export interface CaptionVector {
  gts: Record<string, string[]>;
  res: Record<string, string[]>;
  bleu_corpus: number[];
  bleu_per_image: Record<string, number[]>;
  cider_d_corpus: number;
  cider_d_per_image: number[];
  rouge_l_corpus: number;
  rouge_l_per_image: number[];
}

/** The parts of the test-vector file the metric tests use. */
export interface TestVectors {
  captioning: Record<string, CaptionVector>;
  vqa: {
    id: string;
    gt_answers: string[];
    prediction: string;
    acc_official_vqaEval: number;
    acc_lmms_eval: number;
  }[];
  vqa_normalize: Record<string, string>;
  mcq: {
    choices: Record<string, string>;
    gt: string;
    cases: { output: string; nanovlm_regex_correct: boolean; lmms_eval_extract: string }[];
  };
  retrieval: Record<string, {
    S_image_by_caption: number[][];
    caption_to_image: number[];
    i2t: Record<string, number | number[]>;
    t2i: Record<string, number | number[]>;
    rsum: number;
  }>;
}

/** Reads the shared test vectors. */
export function readTestVectors(): TestVectors {
  return JSON.parse(Deno.readTextFileSync(fixturePath("metrics", "test-vectors.json")));
}
