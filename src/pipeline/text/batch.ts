/**
 * Batching of encoded prompts: dynamic padding to the longest row, attention masks and RoPE
 * positions exactly as the original collators and models produce them (spec §6.1, §6.2), and
 * truncation to a maximum length.
 *
 * Layouts of the LM sequence (left padding, the original's convention for generation):
 * - v0.1: `[image embeddings | pads | text]`: the image is prepended by the model *before* the
 *   pads, so its LM mask starts with ones;
 * - v0.2 and current: `[pads | prompt with its <|image|> slots]`.
 *
 * @module
 */
import { InputError } from "../../errors.ts";
import type { EncodedPrompt } from "./prompt.ts";
import { type ImageLayout, layoutSlotCount, shiftLayout } from "./prompt_layout.ts";

/** Which end of a row padding or truncation applies to. */
export type Side = "left" | "right";

/**
 * How RoPE positions are assigned:
 * - `original`: `0..T-1` over the padded LM sequence regardless of padding, as nanoVLM does (needed
 *   for parity; left padding then shifts a row's positions by its pad count, which RoPE's relative
 *   form makes harmless except across v0.1's image|pads|text gap);
 * - `mask-aware`: `cumsum(mask) - 1`, with pads set to 1, as Hugging Face `generate` does: every row
 *   counts its real tokens from 0 wherever the pads are.
 */
export type PositionMode = "original" | "mask-aware";

/** Options of {@link batchPrompts}. */
export interface BatchOptions {
  /** The padding id (the tokenizer's `padTokenId`, equal to eos). */
  padId: number;
  /** Where padding goes. Default `left` (generation). */
  paddingSide?: Side;
  /** How positions are assigned. Default `original`. */
  positions?: PositionMode;
  /**
   * Longest LM sequence allowed per row (v0.1: image embeddings included). Longer prompts lose text
   * tokens on {@link truncationSide}; image slots and their markers are never cut. Default: none
   * here; {@link prepareBatch} defaults it to the model's `lm_max_position_embeddings`.
   */
  maxLength?: number;
  /**
   * Which end truncation cuts text from, or `error` to refuse a prompt that does not fit. Default
   * `left` (keeps the end of the prompt).
   */
  truncationSide?: Side | "error";
  /** Receives a warning for each truncated row. Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** A padded batch, ready for the model glue. All arrays are `[row][column]`. */
export interface PromptBatch {
  /** Number of rows. */
  batchSize: number;
  /** Token columns of {@link inputIds}. */
  length: number;
  /** LM sequence length: {@link length} plus v0.1's prepended image embeddings. */
  lmLength: number;
  /** Image embeddings the model prepends to every row (v0.1), else 0. */
  prependedImageTokens: number;
  /** Padded token ids. */
  inputIds: number[][];
  /** Token attention mask: 1 for prompt tokens, 0 for pads. */
  attentionMask: number[][];
  /** LM attention mask (`lmLength` wide): v0.1 prepends ones for the image; else as above. */
  lmAttentionMask: number[][];
  /** RoPE positions (`lmLength` wide). */
  positionIds: number[][];
  /** Each row's image slots, in padded token coordinates. */
  layouts: ImageLayout[];
  /** Pads added to each row. */
  padding: number[];
  /** Tokens truncation removed from each row. */
  truncated: number[];
  /** The (truncated) prompts, in row order. */
  prompts: EncodedPrompt[];
}

function checkLength(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InputError(`${name} must be a positive integer, got ${value}`, `pass ${name} >= 1`);
  }
}

/** Image embeddings the model prepends to the prompt's tokens (v0.1 only). */
function prependedCount(prompt: EncodedPrompt): number {
  return prompt.layout.kind === "prepended" ? prompt.layout.count : 0;
}

/**
 * Cuts text tokens from one end of a prompt until its LM sequence fits `maxLength`, keeping the
 * image span whole. A prompt whose image embeddings and markers alone exceed the limit is an
 * {@link InputError}.
 *
 * @example
 * ```ts
 * const { prompt: cut, removed } = truncatePrompt(prompt, 512, "left");
 * ```
 */
export function truncatePrompt(
  prompt: EncodedPrompt,
  maxLength: number,
  side: Side = "left",
): { prompt: EncodedPrompt; removed: number } {
  checkLength("maxLength", maxLength);
  const prefix = prependedCount(prompt);
  const excess = prefix + prompt.ids.length - maxLength;
  if (excess <= 0) return { prompt, removed: 0 };
  const [spanStart, spanEnd] = prompt.imageSpan;
  const kept = prefix + spanEnd - spanStart;
  if (kept > maxLength) {
    throw new InputError(
      `the prompt's image positions alone need ${kept} of the ${maxLength} allowed (` +
        `${layoutSlotCount(prompt.layout)} image embeddings plus markers)`,
      "raise the maximum length, or give fewer or smaller images",
    );
  }
  const textIndices = prompt.ids.map((_, i) => i).filter((i) => i < spanStart || i >= spanEnd);
  const cut = new Set(side === "left" ? textIndices.slice(0, excess) : textIndices.slice(-excess));
  const removedBefore = textIndices.filter((i) => i < spanStart && cut.has(i)).length;
  const ids = prompt.ids.filter((_, i) => !cut.has(i));
  return {
    prompt: {
      ...prompt,
      ids,
      layout: shiftLayout(prompt.layout, -removedBefore),
      imageSpan: spanEnd > spanStart
        ? [spanStart - removedBefore, spanEnd - removedBefore]
        : [0, 0],
    },
    removed: excess,
  };
}

/** RoPE positions of one row for a mask. */
function positionsFor(mask: readonly number[], mode: PositionMode): number[] {
  if (mode === "original") return mask.map((_, i) => i);
  let count = 0;
  return mask.map((m) => {
    count += m;
    return m === 0 ? 1 : count - 1;
  });
}

/**
 * Pads encoded prompts to the longest row and builds the masks and positions the model needs.
 * All prompts must come from the same config.
 *
 * @example
 * ```ts
 * const batch = batchPrompts([promptA, promptB], { padId: tokenizer.padTokenId });
 * batch.inputIds;        // left-padded rows
 * batch.lmAttentionMask; // 0 on pads
 * ```
 */
export function batchPrompts(
  prompts: readonly EncodedPrompt[],
  options: BatchOptions,
): PromptBatch {
  if (prompts.length === 0) {
    throw new InputError("cannot batch zero prompts", "give at least one prompt");
  }
  const generation = prompts[0].generation;
  const prepended = prependedCount(prompts[0]);
  for (const [row, prompt] of prompts.entries()) {
    if (prompt.generation !== generation || prependedCount(prompt) !== prepended) {
      throw new InputError(
        `prompt ${row} was built for a different config than prompt 0 (${prompt.generation} vs ${generation})`,
        "batch only prompts built with the same model config",
      );
    }
  }
  const paddingSide = options.paddingSide ?? "left";
  const mode = options.positions ?? "original";
  const warn = options.onWarning ?? ((message: string) => console.warn(`warning: ${message}`));

  const truncated: number[] = [];
  const rows = prompts.map((prompt, row) => {
    if (options.maxLength === undefined) {
      truncated.push(0);
      return prompt;
    }
    const side = options.truncationSide ?? "left";
    if (side === "error") {
      const length = prependedCount(prompt) + prompt.ids.length;
      if (length > options.maxLength) {
        throw new InputError(
          `prompt ${row} needs ${length} positions, over the maximum length ${options.maxLength}`,
          "shorten the prompt, or let it be cut (CLI: --truncate left|right)",
        );
      }
      truncated.push(0);
      return prompt;
    }
    const result = truncatePrompt(prompt, options.maxLength, side);
    truncated.push(result.removed);
    if (result.removed > 0) {
      warn(
        `prompt ${row}: cut ${result.removed} token(s) from the ${side} to fit the maximum ` +
          `length ${options.maxLength}`,
      );
    }
    return result.prompt;
  });

  const length = Math.max(...rows.map((p) => p.ids.length));
  const lmLength = prepended + length;
  const padding = rows.map((p) => length - p.ids.length);
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  const lmAttentionMask: number[][] = [];
  const positionIds: number[][] = [];
  const layouts: ImageLayout[] = [];
  rows.forEach((prompt, row) => {
    const pads = new Array<number>(padding[row]);
    const ones = new Array<number>(prompt.ids.length).fill(1);
    const left = paddingSide === "left";
    inputIds.push(
      left
        ? [...pads.fill(options.padId), ...prompt.ids]
        : [...prompt.ids, ...pads.fill(options.padId)],
    );
    const mask = left ? [...pads.fill(0), ...ones] : [...ones, ...pads.fill(0)];
    attentionMask.push(mask);
    const lmMask = [...new Array<number>(prepended).fill(1), ...mask];
    lmAttentionMask.push(lmMask);
    positionIds.push(positionsFor(lmMask, mode));
    layouts.push(left ? shiftLayout(prompt.layout, padding[row]) : prompt.layout);
  });
  return {
    batchSize: rows.length,
    length,
    lmLength,
    prependedImageTokens: prepended,
    inputIds,
    attentionMask,
    lmAttentionMask,
    positionIds,
    layouts,
    padding,
    truncated,
    prompts: rows,
  };
}
