/**
 * The flag reader the training scripts share: `--name value` pairs and bare switches, with
 * clear errors for a missing value or a number that is not one.
 * @module
 */

/** The value after `--name` in `args`, or `undefined` when the flag is absent. */
export function flagValue(name: string, args: readonly string[] = Deno.args): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith("--")) {
    throw new Error(`--${name} needs a value (for example --${name} <value>)`);
  }
  return value;
}

/** {@link flagValue} as a positive integer, `fallback` when absent. */
export function countFlag(
  name: string,
  fallback: number,
  args: readonly string[] = Deno.args,
): number {
  const raw = flagValue(name, args);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

/**
 * Runs a script's `main` and exits: 0 when it returns, 1 with `error: <message>` (no stack trace)
 * when it throws, so that a bad flag or a missing model reads as one line.
 */
export async function runScript(main: () => Promise<void>): Promise<never> {
  try {
    await main();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
  Deno.exit(0);
}
