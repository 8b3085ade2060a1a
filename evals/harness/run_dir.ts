/**
 * The run folder: `run.json` (what the run is: suite, model, cells, limit, shard, options, every
 * task's item ids), `records/<cell>.jsonl`, `results/<cell>/<task>.json` (as each task ends),
 * `results/<cell>/cell.json` (load time, peak memory, machine), `summary.json` and `tables/`.
 * JSON files are written atomically; `--resume` continues only the same run.
 *
 * @module
 */
import { InputError, writeAtomically } from "../../src/mod.ts";
import { canonicalJson, sha256Hex } from "./fingerprint.ts";
import type { CellSpec } from "./cells.ts";
import type { Shard } from "./plan.ts";
import type { MachineInfo, ModelIdentity } from "./types.ts";

/** `run.json`. */
export interface RunManifest {
  /** Harness version. */
  harnessVersion: string;
  /** Suite name. */
  suite: string;
  /** Suite file, or the dataset folder of an ad-hoc suite. */
  suiteSource: string;
  /** Whether the suite is an ad-hoc `--dataset` suite. */
  adhoc: boolean;
  /** The model. */
  model: ModelIdentity;
  /** The cells. */
  cells: CellSpec[];
  /** `--limit`. */
  limit: number | null;
  /** `--shard`. */
  shard: Shard | null;
  /** Generation options given on the command line. */
  generation: Record<string, unknown>;
  /** Other options that change outputs (flavour, threads, batch size). */
  options: Record<string, unknown>;
  /** Every task's kind and item ids (all shards), in order. */
  tasks: { name: string; kind: string; ids: string[] }[];
}

/** What a cell's run measured beside its records (`results/<cell>/cell.json`). */
export interface CellState {
  /** Model load time (null: the model was never loaded, everything was cached). */
  loadMs: number | null;
  /** Peak RSS while the cell ran, MiB. */
  peakRssMb: number | null;
  /** The machine (null when the model was never loaded). */
  machine: MachineInfo | null;
}

/** The identity of a run: everything in `run.json` but the model's path. */
export function runKey(manifest: RunManifest): string {
  const { model, shard: _shard, ...rest } = manifest;
  return sha256Hex(canonicalJson({ ...rest, model: { ...model, path: undefined } }));
}

/** Writes JSON atomically (temporary sibling, then rename), creating the folder. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")) || ".", { recursive: true });
  await writeAtomically(
    path,
    (temp) => Deno.writeTextFile(temp, JSON.stringify(value, null, 1) + "\n"),
  );
}

/** Reads a JSON file, or undefined when it does not exist. */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new InputError(
      `${path}: not readable JSON (${(error as Error).message})`,
      "delete the run folder and run again",
    );
  }
}

/**
 * Prepares `out` for a run: a fresh folder gets `run.json`; an existing run is continued only
 * with `resume` and only when it is the same run (same suite, model, cells, limit, options).
 */
export async function openRunDir(
  out: string,
  manifest: RunManifest,
  resume: boolean,
): Promise<void> {
  const existing = await readJsonIfExists<RunManifest>(`${out}/run.json`);
  if (existing && !resume) {
    throw new InputError(
      `${out} already holds a run of suite ${existing.suite}`,
      "pass --resume to continue it, or another --out for a new run",
    );
  }
  if (
    existing &&
    (runKey(existing) !== runKey(manifest) ||
      canonicalJson(existing.shard) !== canonicalJson(manifest.shard))
  ) {
    throw new InputError(
      `${out} holds a different run (suite ${existing.suite}, cells ${
        existing.cells.map((c) => c.name).join(" ")
      }, limit ${existing.limit}, shard ${
        existing.shard ? `${existing.shard.index}/${existing.shard.count}` : "none"
      }); --resume continues the same run only`,
      "resume with the options of the first run, or use another --out",
    );
  }
  if (!existing) {
    let entries: string[] = [];
    try {
      entries = [...Deno.readDirSync(out)].map((e) => e.name);
    } catch { /* does not exist yet */ }
    if (entries.length > 0) {
      throw new InputError(
        `${out} is not empty and holds no run`,
        "choose an empty or new folder for --out",
      );
    }
    await Deno.mkdir(`${out}/records`, { recursive: true });
    await writeJsonAtomic(`${out}/run.json`, manifest);
  }
}
