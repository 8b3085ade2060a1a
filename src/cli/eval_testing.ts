/**
 * Test helpers for `nanovlm eval`: the real CLI in a child process, and record/summary readers.
 *
 * @module
 */
import type { EvalRecord, EvalSummary } from "../../evals/harness/mod.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const PERMISSIONS = ["--allow-read", "--allow-write", "--allow-env", "--allow-ffi", "--allow-sys"];

/** The child-process command line of `nanovlm <args>`. */
export function cliCommand(args: string[], cacheDir: string): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, MAIN, ...args],
    env: { NANOVLM_CACHE: cacheDir, CI: "true", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs `nanovlm <args>` in a child process; returns its exit code and output. */
export async function cli(
  args: string[],
  cacheDir: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await cliCommand(args, cacheDir).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

/** Reads a run's summary. */
export async function readSummary(out: string): Promise<EvalSummary> {
  return JSON.parse(await Deno.readTextFile(`${out}/summary.json`));
}

/** Reads a cell's records. */
export async function cellRecords(out: string, cell = "fp32@cpu"): Promise<EvalRecord[]> {
  return (await Deno.readTextFile(`${out}/records/${cell}.jsonl`)).split("\n").filter((l) => l)
    .map((l) => JSON.parse(l));
}

/** The outputs of records, without timing and cache state, sorted: what must not change. */
export function outputsOf(records: readonly EvalRecord[]): unknown[] {
  return records.map((r) => ({
    task: r.task,
    id: r.id,
    prediction: r.prediction,
    hash: r.outputHash,
    scores: r.scores,
  }))
    .sort((a, b) => `${a.task}/${a.id}`.localeCompare(`${b.task}/${b.id}`));
}

/** The quality part of a summary (per cell: task results), which reruns must reproduce. */
export function qualityOf(summary: EvalSummary): unknown {
  return summary.cells.map((c) => ({ name: c.name, tasks: c.tasks }));
}
