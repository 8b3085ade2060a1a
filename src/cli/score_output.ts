/**
 * Output shared by the `score` commands: JSON on request, otherwise an aligned text table.
 *
 * @module
 */
import { integerOption, type ParsedArgs } from "./args.ts";
import type { BootstrapOptions } from "../../evals/metrics/mod.ts";

/** Formats rows as an aligned table; the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: readonly string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)]
    .join("\n");
}

/** Formats a number with 4 decimals for tables. */
export function fixed(value: number): string {
  return value.toFixed(4);
}

/** The `--bootstrap` and `--seed` options shared by the score commands. */
export const BOOTSTRAP_OPTIONS = {
  bootstrap: { type: "string" },
  seed: { type: "string" },
} as const;

/** Help lines for {@link BOOTSTRAP_OPTIONS}. */
export const BOOTSTRAP_HELP = [
  "  --bootstrap <n>      add 95% percentile-bootstrap intervals from n resamples (e.g. 1000)",
  "  --seed <int>         bootstrap seed (default 0); the same seed gives the same intervals",
].join("\n");

/** Reads `--bootstrap`/`--seed` into bootstrap options, or `undefined` when not asked for. */
export function bootstrapFromArgs(parsed: ParsedArgs): BootstrapOptions | undefined {
  const resamples = integerOption(parsed, "bootstrap", { min: 1, max: 1_000_000 });
  const seed = integerOption(parsed, "seed", { min: 0, max: 2 ** 32 - 1 }) ?? 0;
  return resamples === undefined ? undefined : { resamples, seed };
}
