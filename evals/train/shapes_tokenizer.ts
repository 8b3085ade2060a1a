/**
 * A small byte-level BPE tokenizer for ShapesBench text, in the Hugging Face `tokenizer.json`
 * format the toolkit's loader reads (the shape of SmolLM2's tokenizer: `<|endoftext|>`,
 * `<|im_start|>`, `<|im_end|>` at ids 0-2, the 256 GPT-2 byte symbols, then merges). The merges
 * build every word of the ShapesBench vocabulary left to right, so each word is one token and any
 * other text still encodes (byte by byte).
 *
 * @module
 */
import { COLOR_NAMES, SHAPES } from "../datasets/mod.ts";
import { NUMBER_WORDS } from "../datasets/mod.ts";
import { BYTE_LEVEL_SPECIALS, byteLevelBpeTokenizerJson, gpt2ByteSymbols } from "../../src/mod.ts";

/** Words that follow a space (written with GPT-2's `Ġ` space marker in the vocabulary). */
const SPACED_WORDS = [
  "What",
  "How",
  "Is",
  "Answer",
  "color",
  "shape",
  "shapes",
  "is",
  "the",
  "many",
  "are",
  "there",
  "a",
  "an",
  "object",
  "on",
  "left",
  "or",
  "right",
  "at",
  "top",
  "bottom",
  "to",
  "of",
  "above",
  "this",
  "yes",
  "no",
  "and",
  "small",
  "large",
  "in",
  "corner",
  "center",
  "middle",
  "background",
  "white",
  "light",
  "gray",
  "both",
  "all",
  "with",
  "letter",
  "option",
  "from",
  "given",
  "choices",
  "directly",
  "Describe",
  "image",
  ...COLOR_NAMES,
  ...SHAPES,
  ...SHAPES.map((s) => `${s}s`),
  ...NUMBER_WORDS,
  ..."0123456789",
  ..."ABCD",
];
/** Words at the start of a text or after punctuation. */
const BARE_WORDS = ["Question", "Answer"];

/** The `tokenizer.json` object of the ShapesBench tokenizer. */
export function shapesTokenizerJson(): Record<string, unknown> {
  // Each word is built left to right from its characters; a prefix already a token needs no merge.
  const known = new Set([...BYTE_LEVEL_SPECIALS, ...gpt2ByteSymbols()]);
  const merges: [string, string][] = [];
  const words = [...SPACED_WORDS.map((w) => `\u0120${w}`), ...BARE_WORDS];
  for (const word of words) {
    const chars = [...word];
    for (let i = 1; i < chars.length; i++) {
      const left = chars.slice(0, i).join(""), merged = left + chars[i];
      if (known.has(merged)) continue;
      merges.push([left, chars[i]]);
      known.add(merged);
    }
  }
  return byteLevelBpeTokenizerJson(merges);
}

/** The `tokenizer_config.json` beside it (eos `<|endoftext|>`, as v0.1's cosmo2 tokenizer). */
export function shapesTokenizerConfig(): Record<string, unknown> {
  return {
    add_prefix_space: false,
    bos_token: "<|im_start|>",
    clean_up_tokenization_spaces: false,
    eos_token: "<|endoftext|>",
    model_max_length: 512,
    pad_token: "<|endoftext|>",
    tokenizer_class: "GPT2Tokenizer",
    unk_token: "<|endoftext|>",
  };
}
