/**
 * The `nanovlm` command line: `deno task nanovlm <command> [options]`.
 * Dispatches to the commands of `commands.ts`, prints `--help`, and turns every failure into one
 * clear message (a stack trace only with `--debug`) and a non-zero exit code.
 *
 * @module
 */
import { formatError } from "../errors.ts";
import type { Command } from "./command.ts";
import { COMMANDS } from "./commands.ts";

/** The top-level help text listing every command. */
export function mainHelp(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "nanovlm — run, inspect and evaluate nanoVLM checkpoints without Python",
    "",
    "usage: deno task nanovlm <command> [options]",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Every command takes --help. Add --debug to see stack traces.",
  ].join("\n");
}

/**
 * The help of a command group (`score`, `dataset`, `cache`, ...): its subcommands with their
 * summaries, or `undefined` when `word` starts no multi-word command.
 */
export function groupHelp(
  word: string,
  commands: readonly Command[] = COMMANDS,
): string | undefined {
  const members = commands.filter((c) => c.name.startsWith(`${word} `));
  if (members.length === 0) return undefined;
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `usage: deno task nanovlm ${word} <subcommand> [options]`,
    "",
    "subcommands:",
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    `Each takes --help, e.g. deno task nanovlm ${members[0].name} --help`,
  ].join("\n");
}

/** Finds the command named by the leading words of `args` (longest match wins). */
export function findCommand(
  args: string[],
  commands: readonly Command[] = COMMANDS,
): { command: Command; rest: string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  for (const command of sorted) {
    const words = command.name.split(" ");
    if (words.every((w, i) => args[i] === w)) {
      return { command, rest: args.slice(words.length) };
    }
  }
  return undefined;
}

/** Runs the CLI on `args` and returns the exit code. */
export async function runCli(args: string[]): Promise<number> {
  const debug = args.includes("--debug");
  if (args.length === 0 || args[0] === "--help" || args[0] === "-h" || args[0] === "help") {
    console.log(mainHelp());
    return args.length === 0 ? 2 : 0;
  }
  const found = findCommand(args);
  const group = found ? undefined : groupHelp(args[0]);
  if (group) {
    const asked = args.slice(1).some((a) => a === "--help" || a === "-h" || a === "help");
    if (asked) {
      console.log(group);
      return 0;
    }
    console.error(
      `error: "${args[0]}" needs a subcommand` +
        (args[1] ? `, and "${args[1]}" is not one` : ""),
    );
    console.error(group);
    return 2;
  }
  if (!found) {
    console.error(`error: unknown command "${args[0]}"`);
    console.error("  fix: run `deno task nanovlm --help` for the list of commands");
    return 2;
  }
  if (found.rest.includes("--help") || found.rest.includes("-h")) {
    console.log(found.command.help);
    return 0;
  }
  try {
    return await found.command.run(found.rest);
  } catch (error) {
    console.error(formatError(error, debug));
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
