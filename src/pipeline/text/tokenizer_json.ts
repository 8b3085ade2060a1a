/**
 * Hugging Face `tokenizer.json` objects for BPE tokenizers made in code (the byte-level tokenizer
 * of synthetic checkpoints, GPT-2-style byte-level BPEs such as ShapesBench's and the test
 * fixtures'), and the `added_tokens` entry of a special token, which the loader also writes when
 * it adds a config's extra tokens.
 *
 * @module
 */

/** One `added_tokens` entry of a `tokenizer.json`. */
export type AddedTokenJson = {
  /** The token's id. */
  id: number;
  /** Its text. */
  content: string;
  /** Matched only as a whole word. */
  single_word: boolean;
  /** Swallows white space on its left. */
  lstrip: boolean;
  /** Swallows white space on its right. */
  rstrip: boolean;
  /** Matched against normalized text. */
  normalized: boolean;
  /** A special token (skipped when decoding with `skipSpecialTokens`). */
  special: boolean;
};

/** The `added_tokens` entry of a special token (whole, unstripped, matched as typed). */
export function specialTokenEntry(id: number, content: string): AddedTokenJson {
  return {
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  };
}

/** What differs between the BPE tokenizers {@link bpeTokenizerJson} writes. */
export interface BpeTokenizerParts {
  /** Special tokens, at ids 0, 1, ... (they must be in `vocab` at those ids). */
  specials: readonly string[];
  /** Every token's id. */
  vocab: Record<string, number>;
  /** The merges, in rank order. */
  merges: readonly (readonly [string, string])[];
  /** The `pre_tokenizer` (default null: none). */
  preTokenizer?: Record<string, unknown> | null;
  /** The `post_processor` (default null: none). */
  postProcessor?: Record<string, unknown> | null;
  /** The `decoder`. */
  decoder: Record<string, unknown>;
}

/**
 * A parsed `tokenizer.json` of a BPE model without normalizer, unknown token or dropout, in the
 * key order the `tokenizers` library writes.
 *
 * @example
 * ```ts
 * const json = bpeTokenizerJson({
 *   specials: ["<|endoftext|>"],
 *   vocab: { "<|endoftext|>": 0, a: 1, b: 2, ab: 3 },
 *   merges: [["a", "b"]],
 *   decoder: { type: "Fuse" },
 * });
 * createTokenizer({ tokenizerJson: json }, config);
 * ```
 */
export function bpeTokenizerJson(parts: BpeTokenizerParts): Record<string, unknown> {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: parts.specials.map((content, id) => specialTokenEntry(id, content)),
    normalizer: null,
    pre_tokenizer: parts.preTokenizer ?? null,
    post_processor: parts.postProcessor ?? null,
    decoder: parts.decoder,
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: parts.vocab,
      merges: parts.merges,
    },
  };
}
