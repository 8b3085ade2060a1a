/**
 * The examples of a fine-tune as fixed-shape batches: images preprocessed and patchified,
 * prompts built by the toolkit's prompt builder for the checkpoint's generation, answers
 * appended with eos, right-padded to the longest example; targets and loss mask over the
 * decoder's whole sequence (v0.1: image embeddings first; v0.2: placeholders in the text).
 *
 * @module
 */
import { numpy as np } from "@jax-js/jax";
import { type NanoVLMConfig, ropeInvFreq } from "../checkpoint/mod.ts";
import { buildPrompt, loadImage, type NanoTokenizer, preprocessImage } from "../pipeline/mod.ts";
import { imagePlacement, patchify, ropeTables, type VlmBatch } from "./model.ts";
import { InitRandom } from "./params.ts";

/** One training example: an image file, a question (or instruction) and its answer. */
export interface FinetuneExample {
  /** Image path. */
  image: string;
  /** The user text. */
  question: string;
  /** The target answer. */
  answer: string;
}

/** One example after preprocessing and tokenization. */
export type EncodedExample = { patches: Float32Array; ids: number[]; answerStart: number };

/** Preprocesses and tokenizes examples for a config (one image per example). */
export async function encodeExamples(
  examples: readonly FinetuneExample[],
  config: NanoVLMConfig,
  tokenizer: NanoTokenizer,
): Promise<EncodedExample[]> {
  const out: EncodedExample[] = [];
  for (const example of examples) {
    const image = preprocessImage(await loadImage(example.image), config);
    const prompt = buildPrompt(tokenizer, config, { text: example.question, images: [[1, 1]] });
    const answer = tokenizer.encode(` ${example.answer}`, { addSpecialTokens: false });
    out.push({
      patches: patchify(image.pixelValues, 1, config.vit_img_size, config.vit_patch_size),
      ids: [...prompt.ids, ...answer, tokenizer.eosTokenId],
      answerStart: prompt.ids.length,
    });
  }
  return out;
}

/** A seeded permutation of `0..n-1` (one stream per name). */
export function shuffled(n: number, seed: number, stream: string): number[] {
  const random = new InitRandom(seed, stream);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Builds fixed-shape {@link VlmBatch}es of encoded examples. */
export class ExampleBatcher {
  /** Text length every batch is padded to. */
  readonly textLength: number;
  /** Decoder sequence length (image tokens included for v0.1). */
  readonly total: number;
  /** Decoder position of text position 0. */
  readonly offset: number;
  readonly #examples: readonly EncodedExample[];
  readonly #config: NanoVLMConfig;
  readonly #tokenizer: NanoTokenizer;
  readonly #imageTokens: number;
  readonly #rope: { cos: Float32Array<ArrayBuffer>; sin: Float32Array<ArrayBuffer> };

  /** A batcher over `examples`. */
  constructor(
    examples: readonly EncodedExample[],
    config: NanoVLMConfig,
    tokenizer: NanoTokenizer,
  ) {
    this.#examples = examples;
    this.#config = config;
    this.#tokenizer = tokenizer;
    this.textLength = Math.max(...examples.map((e) => e.ids.length));
    this.#imageTokens =
      (config.vit_img_size / config.vit_patch_size / config.mp_pixel_shuffle_factor) ** 2;
    const prepended = config.generation === "v0.1";
    this.total = prepended ? this.#imageTokens + this.textLength : this.textLength;
    this.offset = prepended ? this.#imageTokens : 0;
    const headDim = config.lm_hidden_dim / config.lm_n_heads;
    this.#rope = ropeTables(ropeInvFreq(headDim, config.lm_re_base), this.total);
  }

  /** The batch of the examples at `indices`. */
  batch(indices: readonly number[]): VlmBatch {
    const config = this.#config, textLength = this.textLength, total = this.total;
    const n = indices.length, per = this.#examples[0].patches.length;
    const patches = new Float32Array(n * per);
    const ids = new Int32Array(n * textLength).fill(this.#tokenizer.eosTokenId);
    const targets = new Int32Array(n * total), mask = new Float32Array(n * total);
    const rows: number[][] = [];
    indices.forEach((index, j) => {
      const e = this.#examples[index];
      patches.set(e.patches, j * per);
      ids.set(e.ids, j * textLength);
      rows.push(Array.from(ids.subarray(j * textLength, (j + 1) * textLength)));
      for (let k = 0; k + 1 < e.ids.length; k++) {
        targets[j * total + this.offset + k] = e.ids[k + 1];
        if (k + 1 >= e.answerStart) mask[j * total + this.offset + k] = 1;
      }
    });
    const grid = (config.vit_img_size / config.vit_patch_size) ** 2;
    const headDim = config.lm_hidden_dim / config.lm_n_heads;
    const batch: VlmBatch = {
      patches: np.array(patches).reshape([n, grid, per / grid]),
      ids: np.array(ids).reshape([n, textLength]),
      cos: np.array(this.#rope.cos.slice()).reshape([total, headDim]),
      sin: np.array(this.#rope.sin.slice()).reshape([total, headDim]),
      targets: np.array(targets).reshape([n, total]),
      mask: np.array(mask).reshape([n, total]),
    };
    // jax-js trees take no undefined leaves: the v0.1 layout has no placement key at all.
    if (config.generation !== "v0.1") {
      const images = n * this.#imageTokens;
      batch.placement = np.array(imagePlacement(rows, this.#tokenizer.imageTokenId!, images))
        .reshape([n, textLength, images]);
    }
    return batch;
  }
}
