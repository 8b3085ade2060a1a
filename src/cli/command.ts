/**
 * The shape of a CLI command. Each command lives in its own file under `src/cli/` and is listed
 * once in `commands.ts`.
 *
 * @module
 */

/** A `deno task nanovlm <name> ...` command. */
export interface Command {
  /** The word after `nanovlm`, e.g. `info`; may hold a space for subcommands (`score vqa`). */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text: usage line, options, examples. */
  help: string;
  /** Runs the command with the arguments after its name; returns the exit code. */
  run(args: string[]): Promise<number>;
}
