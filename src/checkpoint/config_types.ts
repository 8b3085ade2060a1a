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

  /** ViT width (768 in every released checkpoint). */
  vit_hidden_dim: number;
  /** ViT MLP hidden width (`4 * vit_hidden_dim` by default, 3072). */
  vit_inter_dim: number;
  /** ViT patch size: kernel and stride of the patch-embedding convolution (16). */
  vit_patch_size: number;
  /** Side in pixels of one square ViT input (tile); fixes the number of position embeddings. */
  vit_img_size: number;
  /** ViT attention heads. */
  vit_n_heads: number;
  /** ViT dropout rate (training only; a no-op at inference). */
  vit_dropout: number;
  /** ViT transformer blocks. */
  vit_n_blocks: number;
  /** ViT LayerNorm epsilon. */
  vit_ln_eps: number;
  /** Whether the ViT prepends a CLS token (false in every nanoVLM generation). */
  vit_cls_flag: boolean;
  /** Hugging Face id of the vision backbone; used only to initialise training. */
  vit_model_type: string;

  /** Decoder (language model) width. */
  lm_hidden_dim: number;
  /** Decoder MLP hidden width. */
  lm_inter_dim: number;
  /** Decoder RMSNorm epsilon. */
  lm_rms_eps: number;
  /** RoPE base (theta). */
  lm_re_base: number;
  /** Position count above which RoPE's "dynamic scaling" shrinks the frequencies. */
  lm_max_position_embeddings: number;
  /** v0.2 and current only. */
  lm_base_vocab_size?: number;
  /** v0.2 and current only. */
  extra_token_amount?: number;
  /** Rows of the token embedding and the LM head. */
  lm_vocab_size: number;
  /** Decoder query heads. */
  lm_n_heads: number;
  /** Decoder key/value heads (grouped-query attention). */
  lm_n_kv_heads: number;
  /** Decoder dropout rate (training only; a no-op at inference). */
  lm_dropout: number;
  /** Decoder transformer blocks. */
  lm_n_blocks: number;
  /** Factor applied to RoPE's cos and sin (not to the attention logits); 1.0. */
  lm_attn_scaling: number;
  /** Training truncation length in tokens; not used at inference. */
  lm_max_length: number;
  /**
   * Whether the decoder takes token ids and applies its own head (false: the VLM passes embeddings
   * and applies the head itself).
   */
  lm_use_tokens: boolean;
  /** Whether the LM head shares its weight with the token embedding (true). */
  lm_tie_weights: boolean;
  /** Hugging Face id of the decoder backbone; used only to initialise training. */
  lm_model_type: string;
  /** Hugging Face repository of the tokenizer. */
  lm_tokenizer: string;
  /** current only: the Jinja chat template. */
  lm_chat_template?: string;
  /** v0.1 and v0.2 only; never read by generation (EOS comes from the tokenizer). */
  lm_eos_token_id?: number;

  /**
   * Pixel-shuffle factor `f` of the modality projector: each `f x f` block of ViT tokens becomes
   * one image token.
   */
  mp_pixel_shuffle_factor: number;
  /** v0.2 and current only (v0.1: implicit `(img/patch/factor)^2`). */
  mp_image_token_length?: number;
  /** current only: resize target of the long side. */
  max_img_size?: number;
  /** current only: always resize the long side to `max_img_size`. */
  resize_to_max_side_len?: boolean;
  /** v0.2 and current only: extra special tokens in insertion order. */
  vlm_extra_tokens?: Record<string, string>;

  /** Whether training starts from the pretrained backbones (training only). */
  vlm_load_backbone_weights: boolean;
  /** Where training saves checkpoints (training only). */
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

/**
 * Computes the derived geometry of a config.
 *
 * @example
 * ```ts
 * const geometry = geometryOf(presetConfig("222m"));
 * geometry.patchesPerImage;     // 196
 * geometry.imageTokensPerImage; // 49
 * ```
 */
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
