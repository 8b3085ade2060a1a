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

/** The three special tokens of the byte-level tokenizer, at ids 0, 1, 2. */
export const BYTE_LEVEL_SPECIALS: readonly string[] = [
  "<|endoftext|>",
  "<|im_start|>",
  "<|im_end|>",
];

/** The `added_tokens` entries of a Hugging Face `tokenizer.json` for the given special tokens. */
function specialTokenEntries(specials: readonly string[]): Record<string, unknown>[] {
  return specials.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
}

/** The byte-level tokenizer as a parsed Hugging Face `tokenizer.json`. */
export function byteLevelTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  BYTE_LEVEL_SPECIALS.forEach((token, id) => vocab[token] = id);
  for (let id = BYTE_LEVEL_SPECIALS.length; id < 256; id++) vocab[String.fromCharCode(id)] = id;
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specialTokenEntries(BYTE_LEVEL_SPECIALS),
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: "Fuse" },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
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
