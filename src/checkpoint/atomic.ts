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
  return `${parent}/.${base}.${tag}-${random}`;
}

/** Signals that end the process after removing the temporary, with the shell's exit codes. */
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Temporaries without a lock file (older versions, `.old-*`) count as stale after this long. */
const UNLOCKED_STALE_MS = 60 * 60 * 1000;

/**
 * Holds an exclusive lock on `<temp>.lock` while a temporary is built. The operating system drops
 * the lock when the process ends in any way (SIGKILL included), so a lock that can be taken marks
 * a temporary whose writer is gone. (Deno refuses /proc without --allow-all: no pid checks.)
 */
function holdLock(temp: string): Deno.FsFile | undefined {
  try {
    const file = Deno.openSync(`${temp}.lock`, { write: true, create: true });
    file.lockSync(true);
    return file;
  } catch {
    return undefined; // Locks unsupported here: errors and signals still clean up.
  }
}

/** Whether the writer of `path` is gone: its lock file can be locked, or there is none and it is old. */
function abandoned(path: string): boolean {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(`${path}.lock`, { write: true });
  } catch {
    const info = Deno.lstatSync(path);
    const made = (info.birthtime ?? info.mtime)?.getTime() ?? Date.now();
    return Date.now() - made > UNLOCKED_STALE_MS;
  }
  try {
    return file.tryLockSync(true);
  } catch {
    return false;
  } finally {
    file.close();
  }
}

/**
 * Removes the temporaries (`.<name>.partial-*`, `.<name>.old-*`) that interrupted writes to
 * `finalPath` left beside it, when the process that made them is gone; returns their paths.
 */
export function sweepStalePartials(finalPath: string): string[] {
  const { parent, base } = parentAndBase(finalPath);
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const ours = new RegExp(`^\\.${escaped}\\.(?:partial|old)-[0-9a-z]+$`);
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(parent)];
  } catch {
    return removed;
  }
  for (const entry of entries) {
    if (!ours.test(entry.name)) continue;
    const path = `${parent}/${entry.name}`;
    try {
      if (!abandoned(path)) continue;
    } catch {
      continue; // Gone meanwhile.
    }
    removeQuietly(path);
    removeQuietly(`${path}.lock`);
    removed.push(path);
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
  const lock = holdLock(temp);
  const listeners: [Deno.Signal, () => void][] = [];
  for (const [signal, code] of Object.entries(SIGNALS) as [Deno.Signal, number][]) {
    const onSignal = () => {
      removeQuietly(temp);
      removeQuietly(`${temp}.lock`);
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
    lock?.close();
    removeQuietly(`${temp}.lock`);
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
