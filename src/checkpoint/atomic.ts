/**
 * Atomic output: a file or folder is built under a hidden temporary name beside its destination
 * and renamed into place only when complete. On an error, or on Ctrl-C (SIGINT), the temporary is
 * removed, so no partial output is ever left behind.
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
 * SIGINT, `tempPath` is removed (and on SIGINT the process exits with code 130).
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
  const temp = siblingName(finalPath, "partial");
  const onInterrupt = () => {
    removeQuietly(temp);
    Deno.exit(130);
  };
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onInterrupt);
    listening = true;
  } catch {
    // Signals unsupported on this platform: errors are still cleaned up below.
  }
  try {
    const result = await build(temp);
    replace(temp, finalPath);
    return result;
  } catch (error) {
    removeQuietly(temp);
    throw error;
  } finally {
    if (listening) Deno.removeSignalListener("SIGINT", onInterrupt);
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
