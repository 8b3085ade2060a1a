/**
 * Test helpers for the text pipeline: paths of this folder's tokenizer fixtures (see
 * `make_tokenizers.ts`) and the reference fixtures' manifests and configs.
 *
 * @module
 */
import type { Generation, NanoVLMConfig } from "../../checkpoint/mod.ts";
import { fixturePath } from "../fixtures.ts";

/** Folder of the byte-level stand-in tokenizer the reference fixtures were made with. */
export const BYTE_LEVEL_TOKENIZER: string = new URL("./byte_level", import.meta.url).pathname;

/** Folder of the miniature SmolLM2-shaped byte-level BPE tokenizer (with tokenizer_config.json). */
export const MINI_BPE_TOKENIZER: string = new URL("./mini_bpe", import.meta.url).pathname;

/** The generation each reference fixture was made with. */
export const FIXTURE_GENERATION: Readonly<Record<string, Generation>> = {
  "v0.1-tiny": "v0.1",
  "v0.2-tiny": "v0.2",
  "head-tiny": "current",
};

/** Reads a reference fixture's `manifest.json`. */
// deno-lint-ignore no-explicit-any
export function fixtureManifest(fixture: string): any {
  return JSON.parse(Deno.readTextFileSync(fixturePath("reference", fixture, "manifest.json")));
}

/** The config recorded in a reference fixture's manifest, with its generation. */
export function fixtureConfig(fixture: string): NanoVLMConfig {
  return { ...fixtureManifest(fixture).config, generation: FIXTURE_GENERATION[fixture] };
}
