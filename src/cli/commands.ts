/**
 * Every CLI command, in the order `--help` lists them. Add a command here, one line each.
 *
 * @module
 */
import { askCommand } from "./ask.ts";
import { attentionCommand } from "./attention.ts";
import { cacheCleanCommand, cacheListCommand } from "./cache.ts";
import { captionCommand } from "./caption.ts";
import { chooseCommand } from "./choose.ts";
import type { Command } from "./command.ts";
import { datasetCheckCommand } from "./dataset_check.ts";
import {
  datasetImportCocoCommand,
  datasetImportKarpathyCommand,
  datasetImportVqaCommand,
} from "./dataset_import.ts";
import { datasetShapesCommand } from "./dataset_shapes.ts";
import { demoCommand } from "./demo.ts";
import { doctorCommand } from "./doctor.ts";
import { driftCommand } from "./drift.ts";
import { embedCommand } from "./embed.ts";
import { evalCommand } from "./eval.ts";
import { evalMergeCommand } from "./eval_merge.ts";
import { infoCommand } from "./info.ts";
import { lensCommand } from "./lens.ts";
import { parityCommand } from "./parity.ts";
import { reportCommand } from "./report.ts";
import { retrieveCommand } from "./retrieve.ts";
import { scoreCaptionsCommand } from "./score_captions.ts";
import { scoreMcqCommand } from "./score_mcq.ts";
import { scoreRetrievalCommand } from "./score_retrieval.ts";
import { scoreVqaCommand } from "./score_vqa.ts";
import { synthCommand } from "./synth.ts";

/** All commands of `deno task nanovlm`. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  infoCommand,
  synthCommand,
  parityCommand,
  captionCommand,
  askCommand,
  chooseCommand,
  retrieveCommand,
  embedCommand,
  attentionCommand,
  lensCommand,
  driftCommand,
  evalCommand,
  evalMergeCommand,
  scoreCaptionsCommand,
  scoreVqaCommand,
  scoreMcqCommand,
  scoreRetrievalCommand,
  reportCommand,
  datasetShapesCommand,
  datasetCheckCommand,
  datasetImportCocoCommand,
  datasetImportVqaCommand,
  datasetImportKarpathyCommand,
  cacheListCommand,
  cacheCleanCommand,
  doctorCommand,
];
