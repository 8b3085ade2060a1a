/**
 * Every CLI command, in the order `--help` lists them. Add a command here, one line each.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { datasetCheckCommand } from "./dataset_check.ts";
import { datasetShapesCommand } from "./dataset_shapes.ts";

/** All commands of `deno task nanovlm`. */
export const COMMANDS: readonly Command[] = [
  datasetShapesCommand,
  datasetCheckCommand,
];
