/**
 * `nanovlm eval merge`: joins the run folders of `--shard 1/n … n/n` into one, checking that they
 * are shards of the same run, that every shard is there once, and that their records cover every
 * item of every cell exactly once; then scores the whole suite as an unsharded run would.
 *
 * @module
 */
import { InputError, writeAtomically } from "../../src/mod.ts";
import { cellFileStem } from "./cells.ts";
import { writeRunOutputs } from "./outputs.ts";
import { planTasks } from "./plan.ts";
import { readRecords } from "./records.ts";
import {
  type CellState,
  readJsonIfExists,
  runKey,
  type RunManifest,
  writeJsonAtomic,
} from "./run_dir.ts";
import { datasetSuite, loadSuite } from "./suite.ts";
import { scoredTask } from "./scoring.ts";
import { buildSummary, recordsPath, type SummaryWithDetails } from "./summary.ts";
import type { EvalRecord } from "./types.ts";

async function manifestOf(dir: string): Promise<RunManifest> {
  const manifest = await readJsonIfExists<RunManifest>(`${dir}/run.json`);
  if (!manifest) {
    throw new InputError(
      `${dir} holds no run (no run.json)`,
      "pass the --out folders of the shard runs",
    );
  }
  if (!manifest.shard) {
    throw new InputError(
      `${dir} is not a shard (it ran without --shard)`,
      "merge the folders of --shard i/n runs",
    );
  }
  if (!(await readJsonIfExists(`${dir}/summary.json`))) {
    throw new InputError(
      `${dir}: shard ${manifest.shard.index}/${manifest.shard.count} did not finish (no summary.json)`,
      `finish it with --resume --out ${dir}`,
    );
  }
  return manifest;
}

/**
 * Merges shard run folders into `out` and returns the merged summary.
 *
 * @example
 * ```ts
 * const { summary } = await mergeShards(["runs/s1", "runs/s2"], "runs/all");
 * ```
 */
export async function mergeShards(
  dirs: readonly string[],
  out: string,
): Promise<SummaryWithDetails> {
  if (dirs.length === 0) {
    throw new InputError(
      "eval merge: no shard folders given",
      "pass the --out folder of every shard",
    );
  }
  const manifests = await Promise.all(dirs.map(manifestOf));
  const first = manifests[0];
  const count = first.shard!.count;
  manifests.forEach((m, i) => {
    if (runKey(m) !== runKey(first) || m.shard!.count !== count) {
      throw new InputError(
        `${dirs[i]} is a shard of another run than ${
          dirs[0]
        } (suite, model, cells, limit or options differ)`,
        "merge the shards of one run only",
      );
    }
  });
  const seen = new Map<number, string>();
  manifests.forEach((m, i) => {
    const other = seen.get(m.shard!.index);
    if (other) {
      throw new InputError(
        `shard ${m.shard!.index}/${count} is given twice (${other} and ${dirs[i]})`,
        "pass each shard once",
      );
    }
    seen.set(m.shard!.index, dirs[i]);
  });
  const absent = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (absent.length) {
    throw new InputError(
      `shards ${absent.map((i) => `${i}/${count}`).join(", ")} are missing`,
      "pass the folder of every shard",
    );
  }
  const suite = first.adhoc
    ? await datasetSuite(first.suiteSource)
    : await loadSuite(first.suiteSource);
  const planned = planTasks(suite, { limit: first.limit ?? undefined });
  const manifest: RunManifest = { ...first, shard: null };
  planned.forEach((p, i) => {
    const ids = p.items.map((item) => item.id);
    if (JSON.stringify(ids) !== JSON.stringify(first.tasks[i]?.ids)) {
      throw new InputError(
        `task ${p.task.name} of ${first.suiteSource} no longer has the items the shards ran`,
        "merge with the suite and data the shards ran on",
      );
    }
  });
  try {
    if ([...Deno.readDirSync(out)].length > 0) {
      throw new InputError(`${out} is not empty`, "merge into a new folder");
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
  }
  const merged = new Map<string, EvalRecord[]>();
  for (const cell of first.cells) {
    const records = (await Promise.all(dirs.map((d) =>
      readRecords(`${d}/${recordsPath(cell.name)}`)
    ))).flat();
    const counts = new Map<string, number>();
    for (const r of records) {
      counts.set(
        `${r.task}/${r.id}`,
        (counts.get(`${r.task}/${r.id}`) ?? 0) + 1,
      );
    }
    const twice = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
    const expected = first.tasks.flatMap((t) => t.ids.map((id) => `${t.name}/${id}`));
    const missing = expected.filter((k) => !counts.has(k));
    if (twice.length || missing.length || counts.size !== expected.length) {
      throw new InputError(
        `cell ${cell.name}: the shards cover ${counts.size} of ${expected.length} items (${missing.length} missing, e.g. ${
          missing.slice(0, 3).join(", ")
        }; ${twice.length} more than once, e.g. ${twice.slice(0, 3).join(", ")})`,
        "merge the complete shards of one run, each once",
      );
    }
    const order = new Map(expected.map((k, i) => [k, i]));
    records.sort((a, b) => order.get(`${a.task}/${a.id}`)! - order.get(`${b.task}/${b.id}`)!);
    merged.set(cell.name, records);
  }
  // Every check passed: only now is anything written.
  await Deno.mkdir(`${out}/records`, { recursive: true });
  for (const cell of first.cells) {
    const records = merged.get(cell.name)!;
    await writeAtomically(
      `${out}/${recordsPath(cell.name)}`,
      (temp) => Deno.writeTextFile(temp, records.map((r) => JSON.stringify(r) + "\n").join("")),
    );
    const states = (await Promise.all(dirs.map((d) =>
      readJsonIfExists<CellState>(`${d}/results/${cellFileStem(cell.name)}/cell.json`)
    )))
      .filter((s): s is CellState =>
        s !== undefined
      );
    const loads = states.map((s) =>
      s.loadMs
    ).filter((v): v is number => v !== null);
    const peaks = states.map((s) => s.peakRssMb).filter((v): v is number => v !== null);
    await writeJsonAtomic(
      `${out}/results/${cellFileStem(cell.name)}/cell.json`,
      {
        loadMs: loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : null,
        peakRssMb: peaks.length ? Math.max(...peaks) : null,
        machine: states.find((s) => s.machine)?.machine ?? null,
      } satisfies CellState,
    );
  }
  await writeJsonAtomic(`${out}/run.json`, manifest);
  const details = await buildSummary(
    out,
    manifest,
    planned.map((p) => scoredTask(p, p.items)),
    suite.bootstrap,
  );
  await writeRunOutputs(out, details);
  return details;
}
