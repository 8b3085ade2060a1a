/**
 * The `caption` task: describe an image, with the generation's default caption prompt
 * ({@link PROMPT_DEFAULTS}) unless another instruction is given.
 *
 * @module
 */
import type { NanoVLM } from "../nanovlm.ts";
import type { PrepareOptions, Request } from "../prepare.ts";
import { PROMPT_DEFAULTS } from "../text/mod.ts";
import type { GenerationOptions, GenerationResult } from "../generation/mod.ts";
import { imageList, type TaskImages } from "./images.ts";

/** How the prompt of a generation task is written. */
export interface TaskPromptOptions {
  /** The instruction or question text (default: the generation's default prompt). */
  prompt?: string;
  /** current generation: text the assistant turn starts with (e.g. `"Answer:"`). */
  assistantPrefix?: string;
}

/** Options of {@link caption} and {@link ask}: the prompt plus every generation option. */
export interface GenerationTaskOptions extends TaskPromptOptions, GenerationOptions {
  /** Image decoding, batching and truncation options. */
  prepare?: PrepareOptions;
}

/** The request {@link caption} sends: the images and the caption prompt (only the config is read). */
export function captionRequest(
  model: Pick<NanoVLM, "config">,
  images: TaskImages,
  options: TaskPromptOptions = {},
): Request {
  return {
    images: imageList(images),
    text: options.prompt ?? PROMPT_DEFAULTS[model.config.generation].caption,
    assistantPrefix: options.assistantPrefix,
  };
}

/**
 * Captions an image (greedy unless sampling options say otherwise).
 *
 * @example
 * ```ts
 * const { text, tokens } = await caption(model, "cat.jpg", { maxNewTokens: 30 });
 * ```
 */
export async function caption(
  model: NanoVLM,
  images: TaskImages,
  options: GenerationTaskOptions = {},
): Promise<GenerationResult> {
  const { prompt, assistantPrefix, ...generation } = options;
  const [result] = await model.generate(
    [captionRequest(model, images, { prompt, assistantPrefix })],
    generation,
  );
  return result;
}
