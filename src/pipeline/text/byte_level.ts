/**
 * The byte-level tokenizer for synthetic checkpoints: random-init models (`nanovlm synth`, the tests,
 * the benchmarks) have no Hub tokenizer, and the original code made the reference fixtures with this
 * one (see the shared fixtures' README). `<|endoftext|>` = 0, `<|im_start|>` = 1, `<|im_end|>` = 2
 * are special; every other id 3..255 is the single character with that code point, so printable
 * ASCII and `\n` map to their code point. No merges, no normalizer, no pre-tokenizer, a `Fuse`
 * decoder. It fits any vocabulary of at least 256 ids plus the config's extra tokens.
 *
 * @module
 */
import type { TokenizerFiles } from "./tokenizer.ts";
import { bpeTokenizerJson } from "./tokenizer_json.ts";

/** The three special tokens of the byte-level tokenizer, at ids 0, 1, 2. */
export const BYTE_LEVEL_SPECIALS: readonly string[] = [
  "<|endoftext|>",
  "<|im_start|>",
  "<|im_end|>",
];

/** The byte-level tokenizer as a parsed Hugging Face `tokenizer.json`. */
export function byteLevelTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  BYTE_LEVEL_SPECIALS.forEach((token, id) => vocab[token] = id);
  for (let id = BYTE_LEVEL_SPECIALS.length; id < 256; id++) vocab[String.fromCharCode(id)] = id;
  return bpeTokenizerJson({
    specials: BYTE_LEVEL_SPECIALS,
    vocab,
    merges: [],
    decoder: { type: "Fuse" },
  });
}

/**
 * The byte-level tokenizer's files, ready for `NanoVLM.load`'s `tokenizer` option or
 * `createTokenizer`.
 *
 * @example
 * ```ts
 * import { byteLevelTokenizerFiles, NanoVLM } from "./src/mod.ts";
 *
 * const model = await NanoVLM.load("synthetic/tiny", { tokenizer: byteLevelTokenizerFiles() });
 * ```
 */
export function byteLevelTokenizerFiles(): TokenizerFiles {
  return { tokenizerJson: byteLevelTokenizerJson(), source: "byte-level tokenizer" };
}
