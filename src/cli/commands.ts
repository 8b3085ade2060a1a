/**
 * Every CLI command, in the order `--help` lists them. Add a command here, one line each.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { scoreCaptionsCommand } from "./score_captions.ts";
import { scoreRetrievalCommand } from "./score_retrieval.ts";
import { scoreVqaCommand } from "./score_vqa.ts";

/** All commands of `deno task nanovlm`. */
export const COMMANDS: readonly Command[] = [
  scoreCaptionsCommand,
  scoreVqaCommand,
  scoreRetrievalCommand,
];
