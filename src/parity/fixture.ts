/**
 * Reference fixtures in the format of `shared/fixtures/reference/*`: a checkpoint, a
 * `manifest.json` (inputs, ids, masks, expected greedy ids) and `goldens.safetensors` (every
 * stage's float32 output from the original PyTorch code).
 *
 * @module
 */
import {
  type Generation,
  readSafetensorsIndex,
  readTensorF32,
  type SafetensorsIndex,
} from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";

/** The parts of a fixture's `manifest.json` that parity reads. */
export interface FixtureManifest {
  /** The fixture's name, e.g. `v0.1-tiny`. */
  fixture: string;
  /** The code generation that made it (`head` is the current generation). */
  format: Generation | "head";
  /** Special token ids of the fixture's tokenizer (v0.1 has no image token). */
  tokens: { image_token_id?: number; eos_token_id?: number; pad_token_id?: number };
  /**
   * The inputs and expected outputs: one prompt with one image (`single`), its greedy generation
   * (`greedy`; `raw_argmax_ids`, when present, are the ids fed back before EOS replacement), and a
   * left-padded batch (`padded_batch`) with its masks, the positions that hold real tokens and its
   * greedy ids.
   */
  cases: {
    single: { input_ids: number[]; image: string; prompt_text?: string };
    greedy: { generated_ids: number[]; raw_argmax_ids?: number[]; max_new_tokens: number };
    padded_batch: {
      input_ids: number[][];
      attention_mask?: number[][];
      attention_mask_text?: number[][];
      valid_lm_positions: number[][];
      images: string[];
      greedy_generated_ids: number[][];
      greedy_raw_argmax_ids?: number[][];
    };
  };
}

/** A loaded fixture. */
export interface Fixture {
  /** The fixture folder. */
  dir: string;
  /** Its generation. */
  generation: Generation;
  /** Its parsed `manifest.json`. */
  manifest: FixtureManifest;
  /** Index of `goldens.safetensors`. */
  goldens: SafetensorsIndex;
}

/** Opens a fixture folder, checking its files. */
export async function openFixture(dir: string): Promise<Fixture> {
  let manifest: FixtureManifest;
  try {
    manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
  } catch (error) {
    throw new InputError(
      `${dir}/manifest.json: cannot read the fixture manifest (${(error as Error).message})`,
      "point at a folder in the format of shared/fixtures/reference/* (manifest.json, goldens.safetensors, checkpoint/)",
    );
  }
  if (!manifest.cases?.single || !manifest.cases?.greedy) {
    throw new InputError(
      `${dir}/manifest.json: no cases.single / cases.greedy`,
      "the manifest is not a parity fixture manifest",
    );
  }
  const goldens = await readSafetensorsIndex(`${dir}/goldens.safetensors`);
  const generation: Generation = manifest.format === "head" ? "current" : manifest.format;
  return { dir, generation, manifest, goldens };
}

/** Reads a golden tensor, or undefined when the fixture does not have it. */
export async function golden(fixture: Fixture, name: string): Promise<Float32Array | undefined> {
  return fixture.goldens.tensors.has(name) ? await readTensorF32(fixture.goldens, name) : undefined;
}

/** The shape of a golden tensor. */
export function goldenShape(fixture: Fixture, name: string): number[] {
  const entry = fixture.goldens.tensors.get(name);
  if (!entry) {
    throw new InputError(
      `${fixture.dir}: goldens.safetensors has no "${name}"`,
      "use a complete fixture",
    );
  }
  return entry.shape;
}
