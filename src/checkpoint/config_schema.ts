/**
 * The `VLMConfig` dataclass of each nanoVLM generation: its fields in declaration order, their
 * Python types and their defaults, exactly as in `models/config.py` at tag v0.1, tag v0.2 and
 * main@4e0c096 (spec nanovlm.md §1.1). `json.dumps(asdict(cfg))` writes the fields in this order.
 *
 * @module
 */
import type { Generation } from "./config_types.ts";

/** The Python type of a config field. */
export type FieldKind = "int" | "float" | "bool" | "str" | "dict";

/** One dataclass field: name, Python type, default value. */
export interface FieldSpec {
  name: string;
  kind: FieldKind;
  default: number | boolean | string | Record<string, string>;
}

/** The chat template that is the default `lm_chat_template` of the current generation. */
export const DEFAULT_CHAT_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

/** The 66 extra tokens of the current generation, in insertion order. */
export function currentExtraTokens(): Record<string, string> {
  const tokens: Record<string, string> = {
    image_token: "<|image|>",
    global_image_token: "<|global_image|>",
  };
  for (let r = 1; r <= 8; r++) {
    for (let c = 1; c <= 8; c++) tokens[`r${r}c${c}`] = `<row_${r}_col_${c}>`;
  }
  return tokens;
}

const f = (name: string, kind: FieldKind, value: FieldSpec["default"]): FieldSpec => ({
  name,
  kind,
  default: value,
});

const VIT_FIELDS = (imgSize: number, modelType: string): FieldSpec[] => [
  f("vit_hidden_dim", "int", 768),
  f("vit_inter_dim", "int", 3072),
  f("vit_patch_size", "int", 16),
  f("vit_img_size", "int", imgSize),
  f("vit_n_heads", "int", 12),
  f("vit_dropout", "float", 0.0),
  f("vit_n_blocks", "int", 12),
  f("vit_ln_eps", "float", 1e-6),
  f("vit_cls_flag", "bool", false),
  f("vit_model_type", "str", modelType),
];

const LM_HEAD_FIELDS = (hidden: number, inter: number): FieldSpec[] => [
  f("lm_hidden_dim", "int", hidden),
  f("lm_inter_dim", "int", inter),
  f("lm_rms_eps", "float", 1e-5),
  f("lm_re_base", "int", 100000),
  f("lm_max_position_embeddings", "int", 8192),
];

const LM_BODY_FIELDS = (heads: number, kvHeads: number, blocks: number, maxLength: number) => [
  f("lm_n_heads", "int", heads),
  f("lm_n_kv_heads", "int", kvHeads),
  f("lm_dropout", "float", 0.0),
  f("lm_n_blocks", "int", blocks),
  f("lm_attn_scaling", "float", 1.0),
  f("lm_max_length", "int", maxLength),
  f("lm_use_tokens", "bool", false),
  f("lm_tie_weights", "bool", true),
];

const V01_FIELDS: FieldSpec[] = [
  ...VIT_FIELDS(224, "google/siglip-base-patch16-224"),
  ...LM_HEAD_FIELDS(576, 1536),
  f("lm_vocab_size", "int", 49152),
  ...LM_BODY_FIELDS(9, 3, 30, 79),
  f("lm_model_type", "str", "HuggingFaceTB/SmolLM2-135M"),
  f("lm_tokenizer", "str", "HuggingFaceTB/cosmo2-tokenizer"),
  f("lm_eos_token_id", "int", 0),
  f("mp_pixel_shuffle_factor", "int", 2),
  f("vlm_load_backbone_weights", "bool", true),
  f("vlm_checkpoint_path", "str", "checkpoints/nanoVLM-222M"),
];

const V02_FIELDS: FieldSpec[] = [
  ...VIT_FIELDS(256, "google/siglip2-base-patch16-256"),
  ...LM_HEAD_FIELDS(576, 1536),
  f("lm_base_vocab_size", "int", 49152),
  f("extra_token_amount", "int", 1),
  f("lm_vocab_size", "int", 49153),
  ...LM_BODY_FIELDS(9, 3, 30, 512),
  f("lm_model_type", "str", "HuggingFaceTB/SmolLM2-360M-Instruct"),
  f("lm_tokenizer", "str", "HuggingFaceTB/SmolLM2-360M-Instruct"),
  f("lm_eos_token_id", "int", 0),
  f("mp_pixel_shuffle_factor", "int", 2),
  f("mp_image_token_length", "int", 64),
  f("vlm_extra_tokens", "dict", { image_token: "<|image|>" }),
  f("vlm_load_backbone_weights", "bool", true),
  f("vlm_checkpoint_path", "str", "checkpoints"),
  f("hf_repo_name", "str", "nanoVLM"),
];

const CURRENT_FIELDS: FieldSpec[] = [
  ...VIT_FIELDS(512, "google/siglip2-base-patch16-512"),
  ...LM_HEAD_FIELDS(960, 2560),
  f("lm_base_vocab_size", "int", 49152),
  f("extra_token_amount", "int", 66),
  f("lm_vocab_size", "int", 49218),
  ...LM_BODY_FIELDS(15, 5, 32, 4096),
  f("lm_model_type", "str", "HuggingFaceTB/SmolLM2-360M-Instruct"),
  f("lm_tokenizer", "str", "HuggingFaceTB/SmolLM2-360M-Instruct"),
  f("lm_chat_template", "str", DEFAULT_CHAT_TEMPLATE),
  f("mp_pixel_shuffle_factor", "int", 4),
  f("mp_image_token_length", "int", 64),
  f("max_img_size", "int", 2048),
  f("resize_to_max_side_len", "bool", true),
  f("vlm_extra_tokens", "dict", currentExtraTokens()),
  f("vlm_load_backbone_weights", "bool", true),
  f("vlm_checkpoint_path", "str", "checkpoints"),
  f("hf_repo_name", "str", "nanoVLM"),
];

/** The dataclass fields of each generation, in declaration order. */
export const CONFIG_SCHEMAS: Readonly<Record<Generation, readonly FieldSpec[]>> = {
  "v0.1": V01_FIELDS,
  "v0.2": V02_FIELDS,
  "current": CURRENT_FIELDS,
};

/** The generations, oldest first. */
export const GENERATIONS: readonly Generation[] = ["v0.1", "v0.2", "current"];

/** Fields that exist only from v0.2 on. */
export const V02_MARKERS = [
  "lm_base_vocab_size",
  "extra_token_amount",
  "mp_image_token_length",
  "vlm_extra_tokens",
  "hf_repo_name",
] as const;

/** Fields that exist only in the current generation. */
export const CURRENT_MARKERS = [
  "lm_chat_template",
  "max_img_size",
  "resize_to_max_side_len",
] as const;
