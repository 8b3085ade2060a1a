/**
 * The size check of `synth` before it writes: the bytes the checkpoint will take, against a sane
 * bound and against the free space of the target filesystem, both refused with named errors
 * before any file exists.
 *
 * @module
 */
import { ConfigError, InputError } from "../errors.ts";
import { formatBytes, freeBytes } from "../files/mod.ts";
import { elementCount } from "./safetensors.ts";

/** The most bytes `synth` writes unless told otherwise: 16 GiB (the largest nanoVLM is ~1.8 GB). */
export const SYNTH_MAX_BYTES = 16 * 2 ** 30;

/** Room kept free beyond the weights: `config.json`, the safetensors header, file-system slack. */
const HEADROOM = 1 << 20;

/** Options of {@link checkSynthSize}. */
export interface SynthSizeOptions {
  /** The most bytes the float32 weights may take (default {@link SYNTH_MAX_BYTES}). */
  maxBytes?: number;
  /** Measures the free bytes for a path (default: the target filesystem's, as `df` reports). */
  freeSpace?: (path: string) => number | undefined;
}

/**
 * Refuses a checkpoint of `tensors` (float32) in `outDir` that is over `maxBytes` (a
 * {@link ConfigError} naming the largest tensor) or larger than the free space there (an
 * {@link InputError}); returns the bytes of the weights.
 *
 * @example
 * ```ts
 * checkSynthSize(expectedTensors(config), "/tmp/out"); // 964_704 for tiny-current
 * ```
 */
export function checkSynthSize(
  tensors: readonly { name: string; shape: readonly number[] }[],
  outDir: string,
  options: SynthSizeOptions = {},
): number {
  const { maxBytes = SYNTH_MAX_BYTES, freeSpace = freeBytes } = options;
  const sized = tensors.map((t) => ({ ...t, bytes: 4 * elementCount(t.shape) }));
  const total = sized.reduce((sum, t) => sum + t.bytes, 0);
  if (total > maxBytes) {
    const largest = sized.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    throw new ConfigError(
      `synth: the config's weights take ${formatBytes(total)} in float32 (the largest tensor, ` +
        `${largest.name} [${largest.shape.join(", ")}], ${formatBytes(largest.bytes)}), over the ` +
        `${maxBytes / 2 ** 30} GiB synth writes at most`,
      "check the config's size fields (hidden and inter dims, vocab size, block counts), or " +
        `allow more with --max-gib ${Math.ceil(total / 2 ** 30)}`,
    );
  }
  const free = freeSpace(outDir);
  if (free !== undefined && total + HEADROOM > free) {
    throw new InputError(
      `synth: ${outDir} needs ${formatBytes(total + HEADROOM)} but its filesystem has ` +
        `${formatBytes(free)} free`,
      "free some space, or pass an --out on a filesystem with room",
    );
  }
  return total;
}
