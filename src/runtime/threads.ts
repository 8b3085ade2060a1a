/**
 * How many intra-op threads a session gets. Left to itself, onnxruntime-node's CPU provider runs as
 * one thread on the project's 2-core VMs (its default counts physical cores through cpuinfo, which
 * sees one there), so every session is given the cores this process may actually use: the logical
 * CPUs of its affinity mask, capped by a cgroup CPU quota where one is set.
 *
 * @module
 */

/** The cores this process may use and where the count came from. */
export interface AvailableCores {
  /** Cores to use: at least 1. */
  count: number;
  /** `affinity`, `cgroup quota` or `hardwareConcurrency` — which limit decided `count`. */
  source: "affinity" | "cgroup quota" | "hardwareConcurrency";
}

/** Reads a small system file when read permission is already granted (never prompts). */
function readIfAllowed(path: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return undefined;
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** Counts the CPUs of a list such as `0-3,6,8-9`; undefined when it does not parse. */
export function countCpuList(list: string): number | undefined {
  let count = 0;
  for (const part of list.trim().split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) return undefined;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) return undefined;
    count += last - first + 1;
  }
  return count > 0 ? count : undefined;
}

/** The whole CPUs a cgroup v2 `cpu.max` line (`quota period` or `max period`) allows; undefined for no limit. */
export function cpusOfQuota(cpuMax: string): number | undefined {
  const [quota, period] = cpuMax.trim().split(/\s+/);
  if (quota === "max" || !quota || !period) return undefined;
  const cpus = Number(quota) / Number(period);
  return Number.isFinite(cpus) && cpus > 0 ? Math.max(1, Math.ceil(cpus)) : undefined;
}

/**
 * The cores this process may use: `navigator.hardwareConcurrency`, narrowed by the affinity mask
 * (`/proc/self/status`) and a cgroup v2 quota (`/sys/fs/cgroup/cpu.max`) when those files may be
 * read without asking.
 *
 * @example
 * ```ts
 * const { count, source } = availableCores(); // e.g. { count: 2, source: "affinity" }
 * ```
 */
export function availableCores(): AvailableCores {
  let best: AvailableCores = {
    count: Math.max(1, navigator.hardwareConcurrency || 1),
    source: "hardwareConcurrency",
  };
  const status = readIfAllowed("/proc/self/status");
  const allowed = status && /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1];
  const affinity = allowed ? countCpuList(allowed) : undefined;
  if (affinity !== undefined && affinity <= best.count) {
    best = { count: affinity, source: "affinity" };
  }
  const cpuMax = readIfAllowed("/sys/fs/cgroup/cpu.max");
  const quota = cpuMax ? cpusOfQuota(cpuMax) : undefined;
  if (quota !== undefined && quota < best.count) best = { count: quota, source: "cgroup quota" };
  return best;
}

/** The intra-op threads for a session: `requested` when given, else {@link availableCores}. */
export function intraOpThreads(requested?: number): number {
  return requested ?? availableCores().count;
}
