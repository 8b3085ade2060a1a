/**
 * Image arguments of the tasks: one image or a list (the current generation takes several per
 * prompt; v0.1/v0.2 take exactly one), and the neutral image of the language-prior correction.
 *
 * @module
 */
import sharp from "sharp";
import type { NanoVLMConfig } from "../../checkpoint/mod.ts";
import type { ImageInput } from "../image/mod.ts";

/** The image(s) of one task prompt: a path, bytes or sharp instance, or a list of them. */
export type TaskImages = ImageInput | readonly ImageInput[];

/** The images of a task prompt as a list. */
export function imageList(images: TaskImages): readonly ImageInput[] {
  return Array.isArray(images) ? images : [images as ImageInput];
}

/** The grey level of {@link neutralImage}: the middle of the 8-bit range. */
export const NEUTRAL_GREY = 128;

/**
 * A uniform mid-grey (128, 128, 128) PNG of the model's input size (`vit_img_size` square): the
 * "no visual evidence" image of the language-prior correction. It goes through the same
 * preprocessing as any image (the current generation resizes and tiles it as usual).
 *
 * @example
 * ```ts
 * const grey = await neutralImage(model.config);
 * const [prior] = await model.generate([{ images: [grey], text: "What is this?" }]);
 * ```
 */
export async function neutralImage(
  config: Pick<NanoVLMConfig, "vit_img_size">,
): Promise<Uint8Array> {
  const size = config.vit_img_size;
  const buffer = await sharp({
    create: {
      width: size,
      height: size,
      channels: 3,
      background: { r: NEUTRAL_GREY, g: NEUTRAL_GREY, b: NEUTRAL_GREY },
    },
  }).png().toBuffer();
  return new Uint8Array(buffer);
}
