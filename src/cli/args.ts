/**
 * Option parsing shared by every CLI command: a thin, strict layer over `node:util`'s
 * `parseArgs` that turns parse failures into {@link InputError}s naming the command's `--help`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { InputError } from "../errors.ts";

/** One option of a command: a string value or a boolean flag. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
}

/** The parsed result: option values by name, and positional arguments. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** Parses `args` for `command` strictly; unknown options and missing values are errors. */
export function parseCommandArgs(
  command: string,
  args: string[],
  options: Record<string, OptionSpec>,
): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" }, debug: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (error) {
    const message = (error as Error).message;
    const firstLine = message.split("\n")[0].replace(/\. To specify.*$/s, "");
    const dashValue = message.match(/use '(--[\w-]+)=-XYZ'/);
    throw new InputError(
      `${command}: ${firstLine}`,
      dashValue
        ? `write ${dashValue[1]}=<value> for a value that starts with a dash`
        : `run \`deno task nanovlm ${command} --help\` for the accepted options`,
    );
  }
}

/** Reads a string option, or `undefined` when absent. */
export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === "string" ? value : undefined;
}

/** Reads an integer option with bounds; a malformed value is an {@link InputError}. */
export function integerOption(
  parsed: ParsedArgs,
  name: string,
  { min = -Infinity, max = Infinity }: { min?: number; max?: number } = {},
): number | undefined {
  const raw = stringOption(parsed, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = `${min === -Infinity ? "" : `>= ${min}`}${
      min !== -Infinity && max !== Infinity ? " and " : ""
    }${max === Infinity ? "" : `<= ${max}`}`;
    throw new InputError(
      `--${name} must be an integer${range ? ` ${range}` : ""}, got "${raw}"`,
      `pass a whole number, e.g. --${name} ${Math.max(min, 0)}`,
    );
  }
  return value;
}

/** Reads a number option with bounds; a malformed value is an {@link InputError}. */
export function numberOption(
  parsed: ParsedArgs,
  name: string,
  { min = -Infinity, max = Infinity }: { min?: number; max?: number } = {},
): number | undefined {
  const raw = stringOption(parsed, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new InputError(
      `--${name} must be a number in [${min}, ${max}], got "${raw}"`,
      `pass a value inside the range, e.g. --${name} ${Number.isFinite(min) ? min : 0}`,
    );
  }
  return value;
}

/** Reads a string option that must be one of `choices`. */
export function choiceOption<T extends string>(
  parsed: ParsedArgs,
  name: string,
  choices: readonly T[],
): T | undefined {
  const raw = stringOption(parsed, name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new InputError(
      `--${name} must be one of ${choices.join(", ")}; got "${raw}"`,
      `use e.g. --${name} ${choices[0]}`,
    );
  }
  return raw as T;
}

/** Reads a boolean flag. */
export function flag(parsed: ParsedArgs, name: string): boolean {
  return parsed.values[name] === true;
}
