/**
 * Writes a finished run's files from its summary: every task's results, `summary.json` (last,
 * atomically) and the tables.
 *
 * @module
 */
import { cellFileStem } from "./cells.ts";
import { writeJsonAtomic } from "./run_dir.ts";
import type { SummaryWithDetails } from "./summary.ts";
import { writeTables } from "./tables.ts";

/** Writes `results/<cell>/<task>.json`, `tables/*` and then `summary.json` under `out`. */
export async function writeRunOutputs(out: string, details: SummaryWithDetails): Promise<void> {
  for (const [cell, tasks] of Object.entries(details.results)) {
    for (const [task, result] of Object.entries(tasks)) {
      await writeJsonAtomic(`${out}/results/${cellFileStem(cell)}/${task}.json`, result);
    }
  }
  await writeTables(out, details);
  await writeJsonAtomic(`${out}/summary.json`, details.summary);
}
