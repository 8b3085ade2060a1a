/**
 * Prompt builders, one per generation, exactly as the original `generate.py` of each (spec §6):
 *
 * - v0.1: `Question: {q} Answer:`; the image embeddings are prepended by the model, the text holds
 *   no image tokens.
 * - v0.2: `"<|image|>" * mp_image_token_length + "Question: {q} Answer:"`.
 * - current: the config's `lm_chat_template` (rendered with bounded `@huggingface/jinja`, generation prompt
 *   added) over one user message: the image strings (`<|global_image|>`, `<row_i_col_j>` and
 *   `mp_image_token_length` x `<|image|>` per tile; `<image: {idx}>` before each when there are
 *   several images) followed by the text.
 *
 * @module
 */
import { type Generation, geometryOf, type NanoVLMConfig } from "../../checkpoint/mod.ts";
import { ConfigError, InputError } from "../../errors.ts";
import { renderChatTemplate } from "./chat_template.ts";
import { type ImageLayout, imageLayoutOf, imageSpanOf } from "./prompt_layout.ts";
import type { NanoTokenizer } from "./tokenizer.ts";

/** The tile grid of one image as `[rows, cols]` (the original's `(n_h, n_w)`). */
export type ImageGrid = readonly [rows: number, cols: number];

/** What to ask about which images. */
export interface PromptInput {
  /** The user's text: a question or an instruction. */
  text: string;
  /**
   * One tile grid per image. v0.1 and v0.2 take exactly one image (use `[1, 1]`); the current
   * generation takes any number (zero for a text-only prompt), each with the grid its image was
   * split into.
   */
  images: readonly ImageGrid[];
  /** current only: text the assistant turn starts with (e.g. `"Answer:"`, as lmms-eval does). */
  assistantPrefix?: string;
  /**
   * Match special tokens typed in {@link text} (`<|im_end|>`, `<|image|>`, ...) as control tokens.
   * Default false: they are split as ordinary text, so user text cannot forge a turn or an image.
   */
  allowSpecialTokens?: boolean;
}

/** The image tiles one image contributes, in the order the model consumes them. */
export interface PromptImage {
  /** The image's tile grid. */
  grid: ImageGrid;
  /** Tiles the vision encoder must receive for this image (global tile included). */
  tiles: number;
  /** Whether the first tile is the global thumbnail (false for v0.1/v0.2, for (1,1) grids and
   * for configs without `<|global_image|>`, whose image pipelines must drop the global tile). */
  globalTile: boolean;
}

/** A tokenized prompt with the description of its image slots the model glue needs. */
export interface EncodedPrompt {
  /** The generation whose format the prompt follows. */
  generation: Generation;
  /** The full prompt text that was tokenized. */
  text: string;
  /** The token ids (no image embeddings; v0.1's are prepended by the model). */
  ids: number[];
  /** Where the image embeddings go. */
  layout: ImageLayout;
  /** Token span `[start, end)` from the first to the last image slot or marker (kept whole by
   * truncation); `[0, 0)` when there is none. */
  imageSpan: [number, number];
  /** The images, in order, with their tile counts. */
  images: PromptImage[];
}

/** Default texts per generation: `question` is the original `generate.py`'s default prompt. */
export const PROMPT_DEFAULTS: Readonly<Record<Generation, { caption: string; question: string }>> =
  {
    // v0.1/v0.2 were tuned on "Question: ... Answer:" pairs; "What is this?" is what their
    // generate.py asks and it yields a caption ("This is a ...").
    "v0.1": { caption: "What is this?", question: "What is this?" },
    "v0.2": { caption: "What is this?", question: "What is this?" },
    // The chat-tuned current generation follows instructions.
    "current": { caption: "Describe the image.", question: "What is this?" },
  };

function checkGrid(grid: ImageGrid, index: number): void {
  const [rows, cols] = grid;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new InputError(
      `image ${index}: tile grid [${rows}, ${cols}] is not two positive integers`,
      "pass the [rows, cols] grid the image pipeline returned",
    );
  }
}

/** The image string of the current generation for a list of grids (`get_image_string`). */
function imageString(config: NanoVLMConfig, grids: readonly ImageGrid[]): string {
  const extra = config.vlm_extra_tokens ?? {};
  const image = extra.image_token;
  if (image === undefined) {
    throw new ConfigError(
      "the config's vlm_extra_tokens has no image_token",
      "use the model's own config.json",
    );
  }
  const slots = image.repeat(config.mp_image_token_length!);
  let out = "";
  grids.forEach((grid, idx) => {
    checkGrid(grid, idx);
    const [rows, cols] = grid;
    if (grids.length > 1) out += `<image: ${idx}>`;
    if (extra.global_image_token !== undefined) {
      out += extra.global_image_token + slots;
      if (rows === 1 && cols === 1) return;
    }
    for (let i = 1; i <= rows; i++) {
      for (let j = 1; j <= cols; j++) {
        const marker = extra[`r${i}c${j}`];
        if (marker === undefined) {
          throw new InputError(
            `image ${idx}: a ${rows}x${cols} tile grid needs the token r${i}c${j}, which the config's ` +
              "vlm_extra_tokens lacks",
            "resize the image so that it splits into a grid the model has row/col tokens for",
          );
        }
        out += marker + slots;
      }
    }
  });
  return out;
}

function promptImages(config: NanoVLMConfig, grids: readonly ImageGrid[]): PromptImage[] {
  if (config.generation !== "current") {
    return grids.map((grid) => ({ grid, tiles: 1, globalTile: false }));
  }
  const hasGlobal = config.vlm_extra_tokens?.global_image_token !== undefined;
  return grids.map((grid) => {
    const cells = grid[0] * grid[1];
    if (cells === 1) return { grid, tiles: 1, globalTile: false };
    return { grid, tiles: hasGlobal ? cells + 1 : cells, globalTile: hasGlobal };
  });
}

function renderChat(
  config: NanoVLMConfig,
  specialTokens: Readonly<Record<string, string>>,
  content: string,
): string {
  const source = config.lm_chat_template;
  if (!source) {
    throw new ConfigError(
      "the config has no lm_chat_template (the current generation needs one)",
      "use the model's own config.json",
    );
  }
  return renderChatTemplate(source, {
    ...specialTokens,
    messages: [{ role: "user", content }],
    add_generation_prompt: true,
  });
}

/** Checks the image count and the image-token settings of a config. */
function checkImages(config: NanoVLMConfig, input: PromptInput): void {
  if (config.generation !== "current" && input.images.length !== 1) {
    throw new InputError(
      `a ${config.generation} prompt takes exactly one image, got ${input.images.length}`,
      "give one image per prompt (only the current generation handles several)",
    );
  }
  if (config.generation === "v0.1") return;
  const derived = geometryOf(config).imageTokensPerImage;
  if (config.mp_image_token_length !== derived) {
    throw new ConfigError(
      `config: mp_image_token_length is ${config.mp_image_token_length} but the vision geometry ` +
        `gives ${derived} tokens per image ((vit_img_size/vit_patch_size/mp_pixel_shuffle_factor)^2)`,
      "fix mp_image_token_length in config.json",
    );
  }
}

/**
 * The prompt text for a config, before tokenization. `specialTokens` (`bos_token`, `eos_token`,
 * ...) are visible to the chat template, as in `apply_chat_template`.
 *
 * @example
 * ```ts
 * promptText(v01Config, { text: "What is this?", images: [[1, 1]] });
 * // "Question: What is this? Answer:"
 * ```
 */
export function promptText(
  config: NanoVLMConfig,
  input: PromptInput,
  specialTokens: Readonly<Record<string, string>> = {},
): string {
  checkImages(config, input);
  switch (config.generation) {
    case "v0.1":
      return `Question: ${input.text} Answer:`;
    case "v0.2":
      return config.vlm_extra_tokens!.image_token.repeat(config.mp_image_token_length!) +
        `Question: ${input.text} Answer:`;
    case "current": {
      const content = imageString(config, input.images) + input.text;
      return renderChat(config, specialTokens, content) + (input.assistantPrefix ?? "");
    }
  }
}

/** Stands for the user's text while the prompt is rendered (private-use characters). */
const USER_TEXT = "\uE000nanovlm-user-text\uE001";

/**
 * Builds and tokenizes a prompt for a config, and describes its image slots.
 *
 * @example
 * ```ts
 * const prompt = buildPrompt(tokenizer, config, { text: "What is this?", images: [[2, 3]] });
 * prompt.layout; // { kind: "placeholders", positions: [7, 8, ...] }
 * prompt.images; // [{ grid: [2, 3], tiles: 7, globalTile: true }]
 * ```
 */
export function buildPrompt(
  tokenizer: NanoTokenizer,
  config: NanoVLMConfig,
  input: PromptInput,
): EncodedPrompt {
  if (tokenizer.generation !== config.generation) {
    throw new InputError(
      `the tokenizer was built for a ${tokenizer.generation} config, the prompt is for ${config.generation}`,
      "load the tokenizer with the same config as the model",
    );
  }
  if (input.assistantPrefix !== undefined && config.generation !== "current") {
    throw new InputError(
      `assistantPrefix applies to chat prompts; ${config.generation} prompts end with "Answer:"`,
      "leave assistantPrefix out",
    );
  }
  // The user's text is marked so that the special tokens it holds are encoded as text.
  const marked = promptText(config, { ...input, text: USER_TEXT }, tokenizer.specialTokensMap);
  const at = marked.indexOf(USER_TEXT);
  const once = at >= 0 && marked.indexOf(USER_TEXT, at + 1) < 0;
  const text = once
    ? marked.slice(0, at) + input.text + marked.slice(at + USER_TEXT.length)
    : promptText(config, input, tokenizer.specialTokensMap);
  // The chat template already holds every special token it needs (HF apply_chat_template
  // tokenizes with add_special_tokens=False); the plain prompts go through tokenizer.encode.
  const ids = tokenizer.encode(text, {
    addSpecialTokens: config.generation !== "current",
    literalSpans: once && !input.allowSpecialTokens ? [[at, at + input.text.length]] : [],
  });
  const images = promptImages(config, input.images);
  const layout = imageLayoutOf(ids, {
    generation: config.generation,
    tokensPerImage: config.mp_image_token_length ?? geometryOf(config).imageTokensPerImage,
    imageTokenId: tokenizer.imageTokenId,
    tiles: images.reduce((sum, image) => sum + image.tiles, 0),
  });
  const imageSpan = imageSpanOf(ids, new Set(tokenizer.extraTokenIds.values()));
  return { generation: config.generation, text, ids, layout, imageSpan, images };
}
