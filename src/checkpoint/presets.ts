/**
 * Named model configurations for synthetic checkpoints: the published shapes (spec nanovlm.md §11)
 * and tiny test sizes equal to the reference fixtures' configs.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { defaultConfig } from "./config.ts";
import type { Generation, NanoVLMConfig } from "./config_types.ts";

/** A named configuration. */
export interface Preset {
  /** One line for listings. */
  description: string;
  /** Builds a fresh copy of the config. */
  config(): NanoVLMConfig;
}

const SMOLLM2_360M = {
  lm_hidden_dim: 960,
  lm_inter_dim: 2560,
  lm_n_heads: 15,
  lm_n_kv_heads: 5,
  lm_n_blocks: 32,
};
const SMOLLM2_135M = {
  lm_hidden_dim: 576,
  lm_inter_dim: 1536,
  lm_n_heads: 9,
  lm_n_kv_heads: 3,
  lm_n_blocks: 30,
};

function preset(
  description: string,
  generation: Generation,
  overrides: Partial<NanoVLMConfig> = {},
): Preset {
  return {
    description,
    config: () => ({ ...defaultConfig(generation), ...overrides }),
  };
}

/** Tiny dimensions shared by the reference fixtures (spec fixtures/README.md). */
const TINY = {
  vit_hidden_dim: 64,
  vit_inter_dim: 256,
  vit_patch_size: 8,
  vit_img_size: 64,
  vit_n_heads: 4,
  vit_n_blocks: 2,
  vit_model_type: "none (random init, no hub download)",
  lm_hidden_dim: 64,
  lm_inter_dim: 160,
  lm_n_heads: 4,
  lm_n_kv_heads: 2,
  lm_n_blocks: 2,
  lm_model_type: "none (random init, no hub download)",
  mp_pixel_shuffle_factor: 2,
  vlm_load_backbone_weights: false,
  vlm_checkpoint_path: "checkpoint",
};

/** Every preset by name. */
export const PRESETS: Readonly<Record<string, Preset>> = {
  "222m": preset(
    "v0.1 nanoVLM-222M: SigLIP-B/16-224 + SmolLM2-135M (222,081,600 parameters)",
    "v0.1",
  ),
  "450m": preset(
    "v0.2 nanoVLM-450M: SigLIP2-B/16-256 + SmolLM2-360M-Instruct (450,614,400 parameters)",
    "v0.2",
    SMOLLM2_360M,
  ),
  "460m": preset(
    "current nanoVLM-460M: SigLIP2-B/16-512 + SmolLM2-360M-Instruct, pixel shuffle 4 (460,113,984 parameters)",
    "current",
  ),
  "230m-8k": preset(
    "current nanoVLM-230M-8k (inferred): SigLIP2-B/16-512 + SmolLM2-135M (228,063,936 parameters)",
    "current",
    { ...SMOLLM2_135M, lm_model_type: "HuggingFaceTB/SmolLM2-135M-Instruct" },
  ),
  "tiny-v0.1": preset("v0.1, the reference fixture v0.1-tiny's config", "v0.1", {
    ...TINY,
    lm_vocab_size: 256,
    lm_max_length: 64,
    lm_tokenizer: "synthetic byte-level ids (see manifest)",
  }),
  "tiny-v0.2": preset("v0.2, the reference fixture v0.2-tiny's config", "v0.2", {
    ...TINY,
    lm_base_vocab_size: 256,
    lm_vocab_size: 257,
    lm_max_length: 64,
    lm_tokenizer: "synthetic byte-level ids (see manifest)",
    mp_image_token_length: 16,
    hf_repo_name: "none",
  }),
  "tiny-current": preset("current, the reference fixture head-tiny's config", "current", {
    ...TINY,
    lm_base_vocab_size: 256,
    lm_vocab_size: 322,
    lm_max_length: 512,
    lm_tokenizer: "synthetic byte-level chat ids (see manifest)",
    mp_image_token_length: 16,
    max_img_size: 192,
    hf_repo_name: "none",
  }),
};

/**
 * The config of a preset; an unknown name is an {@link InputError} listing the presets.
 *
 * @example
 * ```ts
 * presetConfig("222m").vit_img_size;    // 224
 * presetConfig("tiny-v0.1").generation; // "v0.1"
 * ```
 */
export function presetConfig(name: string): NanoVLMConfig {
  const found = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!found) {
    throw new InputError(
      `unknown preset "${name}"`,
      `use one of: ${Object.keys(PRESETS).join(", ")}`,
    );
  }
  return found.config();
}
