/**
 * Recognises "the tensors of one generation with the config.json of another": the tensor names are
 * the same in every generation, but the vocabulary rows differ by the extra tokens (v0.1: none,
 * v0.2: `<|image|>`, current: 66) and the published shapes differ in image size and projector.
 *
 * @module
 */
import { defaultConfig } from "./config.ts";
import { GENERATIONS } from "./config_schema.ts";
import type { Generation, NanoVLMConfig } from "./config_types.ts";
import { PRESETS } from "./presets.ts";
import { tensorSetMatches } from "./tensor_layout.ts";

/** The same model dimensions written as a config of another generation. */
export function asGeneration(config: NanoVLMConfig, target: Generation): NanoVLMConfig {
  const extras = Object.keys(config.vlm_extra_tokens ?? {}).length;
  const base = config.lm_base_vocab_size ?? config.lm_vocab_size - extras;
  const out = defaultConfig(target);
  const keep = Object.keys(out).filter((name) =>
    name.startsWith("vit_") || /^lm_(hidden|inter|rms|re_base|max_pos|n_|dropout|attn|tie)/
      .test(name)
  );
  for (const name of keep) {
    (out as unknown as Record<string, unknown>)[name] =
      (config as unknown as Record<string, unknown>)[name];
  }
  out.mp_pixel_shuffle_factor = config.mp_pixel_shuffle_factor;
  const targetExtras = Object.keys(out.vlm_extra_tokens ?? {}).length;
  out.lm_vocab_size = base + targetExtras;
  if (target !== "v0.1") {
    out.lm_base_vocab_size = base;
    out.extra_token_amount = targetExtras;
    out.mp_image_token_length =
      (config.vit_img_size / config.vit_patch_size / config.mp_pixel_shuffle_factor) ** 2;
  }
  return out;
}

/** How a config's vocabulary rows are made up, e.g. "49218 vocabulary rows: 49152 + 66 extra tokens". */
function vocabularyRows(config: NanoVLMConfig): string {
  const extras = Object.keys(config.vlm_extra_tokens ?? {}).length;
  const rows = `${config.lm_vocab_size} vocabulary rows`;
  return extras === 0
    ? `${rows}, the base vocabulary alone: ${config.generation} has no extra tokens`
    : `${rows}: ${config.lm_vocab_size - extras} + ${extras} extra token${extras === 1 ? "" : "s"}`;
}

/**
 * When `shapes` fit a checkpoint of another generation than `config`'s, a sentence saying so;
 * otherwise `undefined`.
 */
export function describeGenerationMismatch(
  config: NanoVLMConfig,
  shapes: ReadonlyMap<string, readonly number[]>,
): string | undefined {
  for (const target of GENERATIONS) {
    if (target === config.generation) continue;
    const other = asGeneration(config, target);
    if (tensorSetMatches(other, shapes)) {
      return `the tensors are those of a ${target} checkpoint (${
        vocabularyRows(other)
      }) but config.json is a ${config.generation} config`;
    }
  }
  for (const [name, preset] of Object.entries(PRESETS)) {
    const other = preset.config();
    if (other.generation !== config.generation && tensorSetMatches(other, shapes)) {
      return `the tensors are those of the ${other.generation} preset ${name} but config.json is a ${config.generation} config`;
    }
  }
  return undefined;
}
