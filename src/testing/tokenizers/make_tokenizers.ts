/**
 * Writes the small `tokenizer.json` fixtures of this folder. Run it after changing the rules below:
 *
 * ```sh
 * deno run --allow-write src/testing/tokenizers/make_tokenizers.ts
 * ```
 *
 * - `byte_level/tokenizer.json`: the reference fixtures' stand-in, written from the library's
 *   `byteLevelTokenizerJson()` (`src/pipeline/text/byte_level.ts`; see the shared fixtures' README):
 *   `<|endoftext|>` = 0, `<|im_start|>` = 1, `<|im_end|>` = 2 (special), and every other id
 *   3..255 is the single character with that code point (so printable ASCII and `\n` map to their
 *   code point). No merges, no normalizer, no pre-tokenizer, a `Fuse` decoder.
 * - `mini_bpe/`: a miniature of the SmolLM2 tokenizer's shape, written from the library's
 *   `byteLevelBpeTokenizerJson(MINI_MERGES)` (`src/pipeline/text/byte_level_bpe.ts`): the same
 *   three specials, the 256 GPT-2 byte symbols at ids 3..258 (in byte order), then one token per
 *   merge of `MINI_MERGES` at ids 259, 260, ...; ByteLevel pre-tokenizer (GPT-2 regex, no prefix
 *   space) and ByteLevel decoder; plus a `tokenizer_config.json` naming `<|im_end|>` as eos.
 *
 * @module
 */
import { byteLevelBpeTokenizerJson, byteLevelTokenizerJson } from "../../pipeline/text/mod.ts";

/** The merges of the miniature BPE, in rank order. */
export const MINI_MERGES: [string, string][] = [
  ["t", "h"],
  ["th", "e"],
  ["Ġ", "c"],
  ["Ġc", "a"],
  ["Ġca", "t"],
  ["Ġ", "i"],
  ["Ġi", "s"],
];

const MINI_CONFIG = {
  add_prefix_space: false,
  bos_token: "<|im_start|>",
  clean_up_tokenization_spaces: false,
  eos_token: "<|im_end|>",
  model_max_length: 8192,
  pad_token: "<|im_end|>",
  tokenizer_class: "GPT2Tokenizer",
  unk_token: "<|endoftext|>",
};

if (import.meta.main) {
  const here = new URL(".", import.meta.url).pathname;
  const write = (path: string, value: object) =>
    Deno.writeTextFileSync(`${here}${path}`, JSON.stringify(value, null, 2) + "\n");
  Deno.mkdirSync(`${here}byte_level`, { recursive: true });
  Deno.mkdirSync(`${here}mini_bpe`, { recursive: true });
  write("byte_level/tokenizer.json", byteLevelTokenizerJson());
  write("mini_bpe/tokenizer.json", byteLevelBpeTokenizerJson(MINI_MERGES));
  write("mini_bpe/tokenizer_config.json", MINI_CONFIG);
}
