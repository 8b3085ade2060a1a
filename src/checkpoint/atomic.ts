/**
 * Atomic output: a file or folder is built under a hidden temporary name beside its destination
 * and renamed into place only when complete. On an error, or on SIGINT (Ctrl-C), SIGTERM or SIGHUP,
 * the temporary is removed, so no partial output is left behind. A run killed outright (SIGKILL,
 * power loss) cannot clean up: the next write to the same destination sweeps the temporaries of
 * our own naming whose process is gone, and says so.
 *
 * @module
 */

function parentAndBase(path: string): { parent: string; base: string } {
  const trimmed = path.replace(/(.)\/+$/, "$1");
  const slash = trimmed.lastIndexOf("/");
  return slash < 0
    ? { parent: ".", base: trimmed }
    : { parent: slash === 0 ? "/" : trimmed.slice(0, slash), base: trimmed.slice(slash + 1) };
}

function siblingName(path: string, tag: string): string {
  const { parent, base } = parentAndBase(path);
  const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `${parent}/.${base}.${tag}-${Deno.pid}-${random}`;
}

/** Signals that end the process after removing the temporary, with the shell's exit codes. */
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Temporaries left unnamed by pid (older versions) count as stale after this long. */
const LEGACY_STALE_MS = 60 * 60 * 1000;

/**
 * Whether the process `pid` that made a temporary at `made` (ms) may still be writing it: it is
 * running and started before the temporary was made (a later start is a reused pid).
 */
function processAlive(pid: number, made: number): boolean {
  if (pid === Deno.pid) return true;
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (error) {
    // Without /proc (not Linux) a process cannot be checked: keep its temporary.
    return !(error instanceof Deno.errors.NotFound) || !exists("/proc/self");
  }
  try {
    // Field 22 (after the parenthesised name) is the start time in clock ticks after boot.
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const boot = Number(/^btime (\d+)$/m.exec(Deno.readTextFileSync("/proc/stat"))![1]);
    const started = (boot + ticks / 100) * 1000;
    return started <= made + 1000;
  } catch {
    return true;
  }
}

/**
 * Removes the temporaries (`.<name>.partial-*`, `.<name>.old-*`) that interrupted writes to
 * `finalPath` left beside it, when the process that made them is gone; returns their paths.
 */
export function sweepStalePartials(finalPath: string): string[] {
  const { parent, base } = parentAndBase(finalPath);
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const ours = new RegExp(`^\\.${escaped}\\.(?:partial|old)-(?:(\\d+)-)?[0-9a-z]+$`);
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(parent)];
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const match = ours.exec(entry.name);
    if (!match) continue;
    const path = `${parent}/${entry.name}`;
    let stale: boolean;
    const info = Deno.lstatSync(path);
    const made = (info.birthtime ?? info.mtime)?.getTime() ?? Date.now();
    if (match[1] !== undefined) stale = !processAlive(Number(match[1]), made);
    else stale = Date.now() - made > LEGACY_STALE_MS;
    if (stale) {
      removeQuietly(path);
      removed.push(path);
    }
  }
  return removed;
}

function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch {
    // Already gone.
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `build(tempPath)` and then renames `tempPath` to `finalPath`, replacing whatever is there.
 * `tempPath` is a sibling of `finalPath` (same file system). If `build` throws or the process gets
 * SIGINT, SIGTERM or SIGHUP, `tempPath` is removed (and the process exits with 130, 143 or 129).
 * Stale temporaries of earlier killed runs are swept first (see {@link sweepStalePartials}).
 *
 * @example
 * ```ts
 * await writeAtomically("out/model.safetensors", (tmp) => Deno.writeFile(tmp, bytes));
 * ```
 */
export async function writeAtomically<T>(
  finalPath: string,
  build: (tempPath: string) => Promise<T>,
): Promise<T> {
  for (const path of sweepStalePartials(finalPath)) {
    console.warn(`warning: removed ${path}, left by an interrupted earlier run`);
  }
  const temp = siblingName(finalPath, "partial");
  const listeners: [Deno.Signal, () => void][] = [];
  for (const [signal, code] of Object.entries(SIGNALS) as [Deno.Signal, number][]) {
    const onSignal = () => {
      removeQuietly(temp);
      Deno.exit(code);
    };
    try {
      Deno.addSignalListener(signal, onSignal);
      listeners.push([signal, onSignal]);
    } catch {
      // Signal unsupported on this platform: errors are still cleaned up below.
    }
  }
  try {
    const result = await build(temp);
    replace(temp, finalPath);
    return result;
  } catch (error) {
    removeQuietly(temp);
    throw error;
  } finally {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  }
}

function replace(temp: string, finalPath: string): void {
  if (!exists(finalPath)) {
    Deno.renameSync(temp, finalPath);
    return;
  }
  const old = siblingName(finalPath, "old");
  Deno.renameSync(finalPath, old);
  try {
    Deno.renameSync(temp, finalPath);
  } catch (error) {
    Deno.renameSync(old, finalPath);
    throw error;
  }
  removeQuietly(old);
}
