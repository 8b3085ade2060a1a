/**
 * When generation stops: token-count limits (min/max new tokens, Hugging Face semantics), eos, and
 * stop strings matched over the decoded text, plus the streaming rule that holds back text that
 * could still turn into a stop string.
 *
 * @module
 */
import type { Generation } from "../../checkpoint/mod.ts";
import { InputError } from "../../errors.ts";

/** Limits on how much is generated. */
export interface StoppingOptions {
  /** Most tokens to generate (>= 0). Default: the original `generate.py`'s (see {@link DEFAULT_MAX_NEW_TOKENS}). */
  maxNewTokens?: number;
  /** Eos is suppressed until this many tokens exist (>= 0, <= maxNewTokens). Default 0. */
  minNewTokens?: number;
  /** Generation stops once the decoded text contains one of these (non-empty) strings. */
  stopStrings?: readonly string[];
}

/** Stopping options with every field resolved and checked. */
export type ResolvedStoppingOptions = Required<StoppingOptions>;

/** Why a row stopped. */
export type StopReason = "eos" | "length" | "stop_string";

/** `max_new_tokens` of each generation's original `generate.py` (20, 20, 300). */
export const DEFAULT_MAX_NEW_TOKENS: Readonly<Record<Generation, number>> = {
  "v0.1": 20,
  "v0.2": 20,
  "current": 300,
};

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InputError(`${name} must be an integer >= 0, got ${value}`, `pass a ${name} >= 0`);
  }
}

/** Checks stopping options and fills in defaults; an invalid value is an {@link InputError}. */
export function resolveStoppingOptions(
  options: StoppingOptions,
  generation: Generation,
): ResolvedStoppingOptions {
  const {
    maxNewTokens = DEFAULT_MAX_NEW_TOKENS[generation],
    minNewTokens = 0,
    stopStrings = [],
  } = options;
  checkCount("max_new_tokens", maxNewTokens);
  checkCount("min_new_tokens", minNewTokens);
  if (minNewTokens > maxNewTokens) {
    throw new InputError(
      `min_new_tokens (${minNewTokens}) is larger than max_new_tokens (${maxNewTokens})`,
      "raise max_new_tokens or lower min_new_tokens",
    );
  }
  if (stopStrings.some((s) => typeof s !== "string" || s.length === 0)) {
    throw new InputError("stop strings must be non-empty strings", "remove the empty stop string");
  }
  return { maxNewTokens, minNewTokens, stopStrings };
}

/** The ids to forbid at this step: the eos ids while fewer than `minNewTokens` were generated. */
export function suppressedIds(
  generatedCount: number,
  options: Pick<ResolvedStoppingOptions, "minNewTokens">,
  eosIds: readonly number[],
): readonly number[] {
  return generatedCount < options.minNewTokens ? eosIds : [];
}

/** The earliest occurrence of any stop string in `text` at or after `from`, if any. */
export function findStopString(
  text: string,
  stopStrings: readonly string[],
  from = 0,
): { index: number; stop: string } | undefined {
  let found: { index: number; stop: string } | undefined;
  for (const stop of stopStrings) {
    const index = text.indexOf(stop, from);
    if (index >= 0 && (!found || index < found.index)) found = { index, stop };
  }
  return found;
}

/**
 * How much of `text` a stream may emit now: all of it except a trailing part that could still
 * grow into a stop string (a proper prefix of one), or an unfinished character (a trailing
 * U+FFFD from a partly decoded byte sequence).
 */
export function streamableLength(text: string, stopStrings: readonly string[]): number {
  let end = text.length;
  while (end > 0 && text[end - 1] === "\uFFFD") end--;
  let hold = 0;
  for (const stop of stopStrings) {
    for (let k = Math.min(stop.length - 1, end); k > hold; k--) {
      if (text.endsWith(stop.slice(0, k), end)) {
        hold = k;
        break;
      }
    }
  }
  return end - hold;
}

/**
 * Whether a row is done after its latest token, and why: eos (once `minNewTokens` allowed it), a
 * stop string in the decoded text, or the `maxNewTokens` limit.
 *
 * @example
 * ```ts
 * stopReason({ ids: [5, 2], text: "Hi" }, resolveStoppingOptions({}, "current"), [2]); // "eos"
 * ```
 */
export function stopReason(
  generated: { ids: readonly number[]; text?: string },
  options: ResolvedStoppingOptions,
  eosIds: readonly number[],
): StopReason | undefined {
  const last = generated.ids[generated.ids.length - 1];
  if (last !== undefined && eosIds.includes(last)) return "eos";
  if (generated.text !== undefined && findStopString(generated.text, options.stopStrings)) {
    return "stop_string";
  }
  if (generated.ids.length >= options.maxNewTokens) return "length";
  return undefined;
}
