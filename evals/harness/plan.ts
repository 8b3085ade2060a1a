/**
 * Which items a run evaluates: each task's items of its kind in manifest order, cut to the
 * task's limit and `--limit`, then the shard's share (`--shard i/n`: every n-th item from the
 * i-th, a deterministic partition that covers each item exactly once over i = 1..n).
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import type { ManifestItem } from "../datasets/mod.ts";
import type { Suite, SuiteTask } from "./suite.ts";

/** A shard: the `index`-th (1-based) of `count`. */
export interface Shard {
  /** 1..count. */
  index: number;
  /** Number of shards. */
  count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InputError(
      `--shard ${text}: not a shard i/n with 1 <= i <= n`,
      "use e.g. --shard 1/4 ... --shard 4/4, one per machine, then `nanovlm eval merge`",
    );
  }
  return { index, count };
}

/** A task with its items. */
export interface PlannedTask {
  /** The suite task. */
  task: SuiteTask;
  /** Every item of the task (all shards), in order. */
  items: ManifestItem[];
  /** The items this shard runs. */
  assigned: ManifestItem[];
}

/** The items of every task of a suite for a limit and a shard. */
export function planTasks(
  suite: Suite,
  options: { limit?: number; shard?: Shard } = {},
): PlannedTask[] {
  return suite.tasks.map((task) => {
    const caps = [task.limit, options.limit].filter((v): v is number => v !== undefined);
    const all = task.dataset.items.filter((item) => item.task === task.kind);
    const items = caps.length ? all.slice(0, Math.min(...caps)) : all;
    const shard = options.shard;
    const assigned = shard ? items.filter((_, i) => i % shard.count === shard.index - 1) : items;
    return { task, items, assigned };
  });
}
