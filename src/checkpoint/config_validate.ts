/**
 * Value checks of a nanoVLM config: sizes that must be positive integers and the divisibility
 * rules the model code relies on. Every problem names the field, its value and the fix.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { NanoVLMConfig } from "./config_types.ts";

/** One invalid value: which field, what is wrong, how to fix it. */
export interface ConfigProblem {
  field: string;
  message: string;
  fix: string;
}

const POSITIVE_INTEGERS = [
  "vit_hidden_dim",
  "vit_inter_dim",
  "vit_patch_size",
  "vit_img_size",
  "vit_n_heads",
  "vit_n_blocks",
  "lm_hidden_dim",
  "lm_inter_dim",
  "lm_max_position_embeddings",
  "lm_vocab_size",
  "lm_n_heads",
  "lm_n_kv_heads",
  "lm_n_blocks",
  "lm_max_length",
  "mp_pixel_shuffle_factor",
  "lm_base_vocab_size",
  "mp_image_token_length",
  "max_img_size",
] as const;

/**
 * Upper bounds of the size fields: about 16x the largest published nanoVLM, far beyond any real
 * model, but small enough that a typo (`max_img_size` 6,400,000) is caught before it becomes a
 * multi-gigabyte allocation.
 */
export const SIZE_LIMITS: Readonly<Record<(typeof POSITIVE_INTEGERS)[number], number>> = {
  vit_hidden_dim: 16_384,
  vit_inter_dim: 65_536,
  vit_patch_size: 1_024,
  vit_img_size: 4_096,
  vit_n_heads: 256,
  vit_n_blocks: 256,
  lm_hidden_dim: 16_384,
  lm_inter_dim: 65_536,
  lm_max_position_embeddings: 1 << 20,
  lm_vocab_size: 1 << 21,
  lm_n_heads: 256,
  lm_n_kv_heads: 256,
  lm_n_blocks: 256,
  lm_max_length: 1 << 20,
  mp_pixel_shuffle_factor: 64,
  lm_base_vocab_size: 1 << 21,
  mp_image_token_length: 65_536,
  max_img_size: 16_384,
};

/** Lists every invalid value of `config` (empty when it is valid). */
export function configProblems(config: NanoVLMConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (field: string, message: string, fix: string) =>
    problems.push({ field, message, fix });
  const c = config as unknown as Record<string, unknown>;

  const badSize = new Set<string>();
  for (const field of POSITIVE_INTEGERS) {
    const value = c[field];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      badSize.add(field);
      add(field, `${field} = ${value} is not a positive integer`, `set ${field} to a size >= 1`);
    } else if (value > SIZE_LIMITS[field]) {
      badSize.add(field);
      add(
        field,
        `${field} = ${value} is over the limit of ${SIZE_LIMITS[field]}`,
        `check ${field}: no nanoVLM comes near this size`,
      );
    }
  }
  for (const field of ["vit_ln_eps", "lm_rms_eps", "lm_re_base"]) {
    const value = c[field] as number;
    if (!(value > 0) || !Number.isFinite(value)) {
      add(field, `${field} = ${value} must be a positive number`, `use e.g. the default`);
    }
  }
  for (const field of ["vit_dropout", "lm_dropout"]) {
    const value = c[field] as number;
    if (!(value >= 0 && value < 1)) {
      add(
        field,
        `${field} = ${value} is outside [0, 1)`,
        `set ${field} to 0.0 (unused at inference)`,
      );
    }
  }
  if (
    !Number.isSafeInteger(config.extra_token_amount ?? 0) || (config.extra_token_amount ?? 0) < 0
  ) {
    add(
      "extra_token_amount",
      `extra_token_amount = ${config.extra_token_amount} is not a non-negative integer`,
      "set it to the number of vlm_extra_tokens",
    );
  }
  if (config.vit_cls_flag) {
    add(
      "vit_cls_flag",
      "vit_cls_flag = true makes the ViT return only the CLS token, which the modality projector cannot pixel-shuffle",
      "set vit_cls_flag to false (as every nanoVLM checkpoint does)",
    );
  }
  const ok = (...fields: string[]) => fields.every((name) => !badSize.has(name));
  const divides = (a: string, b: string, what: string) => {
    if (!ok(a, b)) return;
    const x = c[a] as number, y = c[b] as number;
    if (x % y !== 0) {
      add(
        a,
        `${a} = ${x} is not divisible by ${b} = ${y} (${what})`,
        `make ${a} a multiple of ${y}`,
      );
    }
  };
  divides("vit_hidden_dim", "vit_n_heads", "ViT head dimension");
  divides("lm_hidden_dim", "lm_n_heads", "LM head dimension");
  divides("lm_n_heads", "lm_n_kv_heads", "grouped-query attention");
  divides("vit_img_size", "vit_patch_size", "patch grid");
  const lmHeadDim = config.lm_hidden_dim / config.lm_n_heads;
  if (ok("lm_hidden_dim", "lm_n_heads") && Number.isInteger(lmHeadDim) && lmHeadDim % 2 !== 0) {
    add(
      "lm_hidden_dim",
      `LM head dimension ${config.lm_hidden_dim}/${config.lm_n_heads} is odd; rotary embeddings need an even one`,
      "choose lm_hidden_dim and lm_n_heads with an even quotient",
    );
  }
  if (ok("vit_img_size", "vit_patch_size", "mp_pixel_shuffle_factor")) {
    const grid = config.vit_img_size / config.vit_patch_size;
    const factor = config.mp_pixel_shuffle_factor;
    if (Number.isInteger(grid) && grid % factor !== 0) {
      add(
        "mp_pixel_shuffle_factor",
        `mp_pixel_shuffle_factor = ${factor} does not divide the ${grid}x${grid} patch grid (vit_img_size ${config.vit_img_size} / vit_patch_size ${config.vit_patch_size})`,
        `choose a factor that divides ${grid}`,
      );
    } else if (
      Number.isInteger(grid) && config.mp_image_token_length !== undefined &&
      ok("mp_image_token_length") && config.mp_image_token_length !== (grid / factor) ** 2
    ) {
      add(
        "mp_image_token_length",
        `mp_image_token_length = ${config.mp_image_token_length} but each image gives (${grid}/${factor})^2 = ${
          (grid / factor) ** 2
        } tokens`,
        `set mp_image_token_length to ${(grid / factor) ** 2}`,
      );
    }
  }
  const extras = Object.keys(config.vlm_extra_tokens ?? {}).length;
  if (extras > 0 && ok("lm_vocab_size", "lm_base_vocab_size")) {
    const needed = (config.lm_base_vocab_size ?? 0) + extras;
    if (config.lm_vocab_size < needed) {
      add(
        "lm_vocab_size",
        `lm_vocab_size = ${config.lm_vocab_size} does not cover the ${extras} extra tokens (lm_base_vocab_size ${config.lm_base_vocab_size} + ${extras} = ${needed})`,
        `set lm_vocab_size to at least ${needed}`,
      );
    }
  }
  if (config.max_img_size !== undefined && ok("max_img_size", "vit_img_size")) {
    if (config.max_img_size % config.vit_img_size !== 0) {
      add(
        "max_img_size",
        `max_img_size = ${config.max_img_size} is not a multiple of the ${config.vit_img_size}-pixel tile (vit_img_size)`,
        `use a multiple of ${config.vit_img_size}, e.g. ${config.vit_img_size * 4}`,
      );
    }
  }
  return problems;
}

/** Throws one {@link ConfigError} listing every invalid value of `config`, if any. */
export function validateConfig(config: NanoVLMConfig, where: string): void {
  const problems = configProblems(config);
  if (problems.length === 0) return;
  if (problems.length === 1) {
    throw new ConfigError(`${where}: ${problems[0].message}`, problems[0].fix);
  }
  throw new ConfigError(
    `${where}: ${problems.length} invalid values:\n${
      problems.map((p) => `  - ${p.message}`).join("\n")
    }`,
    problems.map((p) => p.fix).join("; "),
  );
}
