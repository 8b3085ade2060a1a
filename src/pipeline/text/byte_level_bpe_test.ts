import { assertEquals, MINI_BPE_TOKENIZER } from "../../testing/mod.ts";
import type { NanoVLMConfig } from "../../checkpoint/mod.ts";
import { byteLevelBpeTokenizerJson, gpt2ByteSymbols } from "./byte_level_bpe.ts";
import { createTokenizer } from "./tokenizer.ts";

Deno.test("byte-level BPE: the committed mini BPE fixture is the builder's output for its merges", () => {
  const committed = JSON.parse(Deno.readTextFileSync(`${MINI_BPE_TOKENIZER}/tokenizer.json`));
  assertEquals(byteLevelBpeTokenizerJson(committed.model.merges), committed);
});

Deno.test("byte-level BPE: GPT-2's byte symbols (printable bytes as themselves, the rest from U+0100)", () => {
  const symbols = gpt2ByteSymbols();
  assertEquals(symbols.length, 256);
  assertEquals(new Set(symbols).size, 256);
  // Hand-derived: bytes 0..32 are the first 33 unprintable ones (U+0100..U+0120), 127..160 the
  // next 34 (U+0121..U+0142), 173 the last (U+0143).
  assertEquals([symbols[0], symbols[10], symbols[32]], ["\u0100", "\u010a", "\u0120"]);
  assertEquals([symbols[33], symbols[126], symbols[161], symbols[255]], ["!", "~", "¡", "ÿ"]);
  assertEquals([symbols[127], symbols[160], symbols[173]], ["\u0121", "\u0142", "\u0143"]);
});

Deno.test("byte-level BPE: merges become tokens after the specials and the bytes, and encode", () => {
  const json = byteLevelBpeTokenizerJson([["Ġ", "c"], ["Ġc", "a"], ["Ġca", "t"]]);
  const config = {
    generation: "current",
    lm_tokenizer: "HuggingFaceTB/SmolLM2-360M-Instruct",
    lm_vocab_size: 262,
  } as NanoVLMConfig;
  const tokenizer = createTokenizer({ tokenizerJson: json }, config);
  // Hand-derived: "a" is byte 97 at id 3 + 97; "Ġc", "Ġca", "Ġcat" are ids 259, 260, 261.
  assertEquals(tokenizer.encode("a cat"), [100, 261]);
  assertEquals(tokenizer.decode([100, 261, 3 + 0x21]), "a cat!");
});
