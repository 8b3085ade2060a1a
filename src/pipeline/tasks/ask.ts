/**
 * The `ask` task: answer a question about an image (visual question answering). Without a
 * question it asks the generation's default one ({@link PROMPT_DEFAULTS}, "What is this?").
 *
 * @module
 */
import type { NanoVLM } from "../nanovlm.ts";
import type { Request } from "../prepare.ts";
import { PROMPT_DEFAULTS } from "../text/mod.ts";
import type { GenerationResult } from "../generation/mod.ts";
import type { GenerationTaskOptions, TaskPromptOptions } from "./caption.ts";
import { imageList, type TaskImages } from "./images.ts";

/** The request {@link ask} sends: the images and the question. */
export function askRequest(
  model: NanoVLM,
  images: TaskImages,
  question?: string,
  options: Omit<TaskPromptOptions, "prompt"> = {},
): Request {
  return {
    images: imageList(images),
    text: question ?? PROMPT_DEFAULTS[model.config.generation].question,
    assistantPrefix: options.assistantPrefix,
  };
}

/**
 * Answers a question about an image (greedy unless sampling options say otherwise).
 *
 * @example
 * ```ts
 * const { text } = await ask(model, "kitchen.jpg", "How many chairs are there?");
 * ```
 */
export async function ask(
  model: NanoVLM,
  images: TaskImages,
  question?: string,
  options: Omit<GenerationTaskOptions, "prompt"> = {},
): Promise<GenerationResult> {
  const { assistantPrefix, ...generation } = options;
  const [result] = await model.generate(
    [askRequest(model, images, question, { assistantPrefix })],
    generation,
  );
  return result;
}
