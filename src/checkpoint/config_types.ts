/**
 * The typed nanoVLM configuration. Field names are exactly those of the original `VLMConfig`
 * dataclass and its `config.json` (snake_case), so a reader who knows the Python code finds every
 * field under its own name. Which fields exist depends on the code generation.
 *
 * @module
 */

/** The three nanoVLM code generations: v0.1 (the 222M model), v0.2, and the current format. */
export type Generation = "v0.1" | "v0.2" | "current";

/** A validated nanoVLM configuration, with the generation it was detected as. */
export interface NanoVLMConfig {
  /** The code generation this config belongs to. */
  generation: Generation;

  vit_hidden_dim: number;
  vit_inter_dim: number;
  vit_patch_size: number;
  vit_img_size: number;
  vit_n_heads: number;
  vit_dropout: number;
  vit_n_blocks: number;
  vit_ln_eps: number;
  vit_cls_flag: boolean;
  vit_model_type: string;

  lm_hidden_dim: number;
  lm_inter_dim: number;
  lm_rms_eps: number;
  lm_re_base: number;
  lm_max_position_embeddings: number;
  /** v0.2 and current only. */
  lm_base_vocab_size?: number;
  /** v0.2 and current only. */
  extra_token_amount?: number;
  lm_vocab_size: number;
  lm_n_heads: number;
  lm_n_kv_heads: number;
  lm_dropout: number;
  lm_n_blocks: number;
  lm_attn_scaling: number;
  lm_max_length: number;
  lm_use_tokens: boolean;
  lm_tie_weights: boolean;
  lm_model_type: string;
  lm_tokenizer: string;
  /** current only: the Jinja chat template. */
  lm_chat_template?: string;
  /** v0.1 and v0.2 only; never read by generation (EOS comes from the tokenizer). */
  lm_eos_token_id?: number;

  mp_pixel_shuffle_factor: number;
  /** v0.2 and current only (v0.1: implicit `(img/patch/factor)^2`). */
  mp_image_token_length?: number;
  /** current only: resize target of the long side. */
  max_img_size?: number;
  /** current only: always resize the long side to `max_img_size`. */
  resize_to_max_side_len?: boolean;
  /** v0.2 and current only: extra special tokens in insertion order. */
  vlm_extra_tokens?: Record<string, string>;

  vlm_load_backbone_weights: boolean;
  vlm_checkpoint_path: string;
  /** v0.2 and current only. */
  hf_repo_name?: string;

  /**
   * The numeric fields Python holds as `float` (written `1.0`, `1e-06`), as read from
   * `config.json`; when absent, each field's dataclass type decides. Keeps a read-then-write round
   * trip byte-identical.
   */
  pythonFloats?: readonly string[];
}

/** Derived geometry of a config, used by the graphs, the prompts and `info`. */
export interface ModelGeometry {
  /** Patches per side of one image tile (`vit_img_size / vit_patch_size`). */
  patchesPerSide: number;
  /** Patches per tile. */
  patchesPerImage: number;
  /** Projected image tokens per tile (`(patchesPerSide / factor)^2`). */
  imageTokensPerImage: number;
  /** ViT head dimension. */
  vitHeadDim: number;
  /** LM head dimension. */
  lmHeadDim: number;
}

/** Computes the derived geometry of a config. */
export function geometryOf(config: NanoVLMConfig): ModelGeometry {
  const patchesPerSide = config.vit_img_size / config.vit_patch_size;
  const tokensPerSide = patchesPerSide / config.mp_pixel_shuffle_factor;
  return {
    patchesPerSide,
    patchesPerImage: patchesPerSide * patchesPerSide,
    imageTokensPerImage: tokensPerSide * tokensPerSide,
    vitHeadDim: config.vit_hidden_dim / config.vit_n_heads,
    lmHeadDim: config.lm_hidden_dim / config.lm_n_heads,
  };
}
