/**
 * GPT-2-style byte-level BPE tokenizers made in code, the shape of SmolLM2's tokenizer: the
 * byte-level tokenizer's three special tokens at ids 0-2, the 256 GPT-2 byte symbols at ids
 * 3..258 (in byte order), then one token per merge; ByteLevel pre-tokenizer (GPT-2 regex, no
 * prefix space), post-processor and decoder. ShapesBench's tokenizer and the test fixtures' mini
 * BPE are such tokenizers, differing only in their merges.
 *
 * @module
 */
import { BYTE_LEVEL_SPECIALS } from "./byte_level.ts";
import { bpeTokenizerJson } from "./tokenizer_json.ts";

/** GPT-2's byte -> printable character table (the ByteLevel alphabet), in byte order. */
export function gpt2ByteSymbols(): string[] {
  const table: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    table[b] = String.fromCodePoint(printable ? b : next++);
  }
  return table;
}

/**
 * The `tokenizer.json` object of a byte-level BPE with these merges (rank order): each merge's
 * pair, joined, is the next token after the specials and the byte symbols (unless it is one
 * already).
 *
 * @example
 * ```ts
 * const json = byteLevelBpeTokenizerJson([["Ġ", "c"], ["Ġc", "a"], ["Ġca", "t"]]);
 * const tokenizer = createTokenizer({ tokenizerJson: json }, config);
 * tokenizer.encode("a cat"); // "a", then "Ġcat" as one token (id 261)
 * ```
 */
export function byteLevelBpeTokenizerJson(
  merges: readonly (readonly [string, string])[],
): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  BYTE_LEVEL_SPECIALS.forEach((token, id) => vocab[token] = id);
  for (const symbol of gpt2ByteSymbols()) vocab[symbol] = Object.keys(vocab).length;
  for (const [a, b] of merges) {
    if (!(a + b in vocab)) vocab[a + b] = Object.keys(vocab).length;
  }
  return bpeTokenizerJson({
    specials: BYTE_LEVEL_SPECIALS,
    vocab,
    merges,
    preTokenizer: {
      type: "ByteLevel",
      add_prefix_space: false,
      trim_offsets: true,
      use_regex: true,
    },
    postProcessor: {
      type: "ByteLevel",
      add_prefix_space: true,
      trim_offsets: false,
      use_regex: true,
    },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
  });
}
