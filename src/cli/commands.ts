/**
 * Every CLI command, in the order `--help` lists them. Add a command here, one line each.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { doctorCommand } from "./doctor.ts";
import { parityCommand } from "./parity.ts";

/** All commands of `deno task nanovlm`. */
export const COMMANDS: readonly Command[] = [
  parityCommand,
  doctorCommand,
];
