/**
 * The command-line options the benchmark scripts share, and the checkpoint they measure:
 * `--checkpoint <dir>` (default: the 222M preset synthesized into the run's work folder),
 * `--threads n` and `--out <file.json>`. Each script names the shared options it takes beside its
 * own, so an option it does not take is still refused.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { presetConfig, type QuantOptions, synthesizeCheckpoint } from "../../src/mod.ts";

/** `--checkpoint <dir>`: a checkpoint folder to measure instead of a synthesized 222M. */
export const CHECKPOINT_OPTION = { checkpoint: { type: "string" } } as const;

/** `--threads n`: intra-op threads of every session (default: every available core). */
export const THREADS_OPTION = { threads: { type: "string" } } as const;

/** `--out <file.json>`: also write the figures as JSON (committed reports change only on purpose). */
export const OUT_OPTION = { out: { type: "string" } } as const;

/** The shared options of the scripts that run model cases (`main.ts`, `quantized.ts`): all three. */
export const CASE_OPTIONS: typeof CHECKPOINT_OPTION & typeof THREADS_OPTION & typeof OUT_OPTION = {
  ...CHECKPOINT_OPTION,
  ...THREADS_OPTION,
  ...OUT_OPTION,
} as const;

/**
 * Parses the script's arguments (`Deno.args` by default) with these options; an unknown option
 * is an error.
 *
 * @example
 * ```ts
 * const values = parseBenchArgs({ ...CHECKPOINT_OPTION, ...OUT_OPTION, tokens: { type: "string" } });
 * values.checkpoint; // string | undefined
 * ```
 */
export function parseBenchArgs<const O extends ParseArgsOptionsConfig>(
  options: O,
  args: string[] = Deno.args,
): ReturnType<typeof parseArgs<{ args: string[]; options: O }>>["values"] {
  return parseArgs({ args, options }).values;
}

/** `--threads` as a number, or undefined for the default. */
export function threadsOf(values: { threads?: string }): number | undefined {
  return values.threads ? Number(values.threads) : undefined;
}

/** Options of {@link benchCheckpoint}. */
export interface BenchCheckpointOptions {
  /** Print how long synthesizing took, on stderr (default false). */
  timed?: boolean;
}

/**
 * The checkpoint folder to measure: the given one, or the 222M preset synthesized (seed 0) into
 * `${work}/222m`.
 */
export async function benchCheckpoint(
  given: string | undefined,
  work: string,
  options: BenchCheckpointOptions = {},
): Promise<string> {
  if (given) return given;
  const dir = `${work}/222m`;
  const start = performance.now();
  await synthesizeCheckpoint(presetConfig("222m"), dir, { seed: 0 });
  if (options.timed) {
    console.error(
      `synthesized the 222m preset in ${((performance.now() - start) / 1000).toFixed(1)} s`,
    );
  }
  return dir;
}

/** A benchmark precision: the `--precision` spec and the quantisation options after it. */
export interface BenchPrecision {
  /** The precision spec (`int4`, `vision=fp16,decoder=int4`, …). */
  precision: string;
  /** Quantisation options that differ from the default. */
  quantization: Partial<QuantOptions>;
}

/**
 * A benchmark precision spec: `--precision`'s value, then optional `/b<block size>`, `/asym`
 * and `/acc<accuracy level>`, e.g. `int4/b128/asym` (so block sizes and zero points are
 * measured side by side in one run).
 */
export function parseBenchPrecision(spec: string): BenchPrecision {
  const [precision, ...suffixes] = spec.split("/");
  const quantization: Partial<QuantOptions> = {};
  for (const suffix of suffixes) {
    const block = suffix.match(/^b(\d+)$/), level = suffix.match(/^acc(\d)$/);
    if (block) quantization.blockSize = Number(block[1]);
    else if (level) quantization.accuracyLevel = Number(level[1]) as QuantOptions["accuracyLevel"];
    else if (suffix === "asym") quantization.symmetric = false;
    else {
      throw new Error(
        `precision "${spec}": unknown suffix "/${suffix}" (known: /b<block size>, /asym, /acc<0|4>)`,
      );
    }
  }
  return { precision, quantization };
}
