/**
 * The on-disk cache of built graphs and converted weights, and the content hashes that key it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, resolve } from "node:path";
import { writeAtomically } from "../checkpoint/mod.ts";
import { InputError } from "../errors.ts";

/** The cache folder: `$NANOVLM_CACHE`, else `$XDG_CACHE_HOME/nanovlm-lab`, else `~/.cache/nanovlm-lab`. */
export function defaultCacheDir(): string {
  const explicit = Deno.env.get("NANOVLM_CACHE");
  if (explicit) return explicit;
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (xdg) return `${xdg}/nanovlm-lab`;
  return `${Deno.env.get("HOME") ?? "."}/.cache/nanovlm-lab`;
}

/**
 * Refuses a cache folder that is not one: an existing file or other non-folder, or a path under
 * a file (so the folder cannot be made), with an {@link InputError} naming the path. A missing
 * folder is fine (it is created on the first write).
 */
export async function checkCacheDir(cacheDir: string): Promise<void> {
  const hint = "point --cache-dir (or $NANOVLM_CACHE) at a folder; it is created when missing";
  for (let path = resolve(cacheDir);; path = dirname(path)) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (error) {
      const absent = error instanceof Deno.errors.NotFound ||
        error instanceof Deno.errors.NotADirectory;
      if (absent && dirname(path) !== path) continue;
      throw new InputError(`cannot read the cache folder ${cacheDir}: ${(error as Error).message}`);
    }
    if (info.isDirectory) return;
    const what = info.isFile ? "a file" : "a special file";
    throw new InputError(
      path === resolve(cacheDir)
        ? `the cache folder ${cacheDir} is ${what}, not a folder`
        : `the cache folder ${cacheDir} cannot be made: ${path} is ${what}`,
      hint,
    );
  }
}

/** SHA-256 (hex) of strings and byte arrays, in order. */
export function sha256(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

/**
 * SHA-256 of a file's content, streamed in 8 MiB chunks. Remembered in `cacheDir` per (path,
 * device, inode, size, modification and change time), so an unchanged 888 MB checkpoint is hashed
 * once. The change time (ctime) moves on every write and cannot be set back by tools like
 * `touch -d`, so an in-place edit that keeps size and mtime is still seen.
 */
export async function fileContentHash(path: string, cacheDir: string): Promise<string> {
  const stat = await Deno.stat(path);
  const real = await Deno.realPath(path);
  // Plus a hash of the first and last MiB: an edit is seen even where timestamps are coarse.
  const key = [
    real,
    stat.dev,
    stat.ino,
    stat.size,
    stat.mtime?.getTime(),
    stat.ctime?.getTime(),
    await edgeHash(path, stat.size),
  ].join("|");
  const memoPath = `${cacheDir}/content-hashes.json`;
  let memo: Record<string, string> = {};
  try {
    memo = JSON.parse(await Deno.readTextFile(memoPath));
  } catch { /* no memo yet */ }
  if (memo[key]) return memo[key];
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  try {
    const buffer = new Uint8Array(8 << 20);
    for (let n = await file.read(buffer); n !== null; n = await file.read(buffer)) {
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    file.close();
  }
  memo[key] = hash.digest("hex");
  await writeCacheFile(memoPath, new TextEncoder().encode(JSON.stringify(memo, null, 1)));
  return memo[key];
}

/** SHA-256 of a file's first and last MiB (all of a smaller file). */
async function edgeHash(path: string, size: number): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  try {
    for (const start of size > 2 << 20 ? [0, size - (1 << 20)] : [0]) {
      const buffer = new Uint8Array(size > 2 << 20 ? 1 << 20 : size);
      await file.seek(start, Deno.SeekMode.Start);
      let filled = 0;
      while (filled < buffer.length) {
        const n = await file.read(buffer.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      hash.update(buffer.subarray(0, filled));
    }
  } finally {
    file.close();
  }
  return hash.digest("hex").slice(0, 16);
}

/** Writes a file atomically (temporary sibling + rename, removed on error or Ctrl-C), creating its folder. */
export async function writeCacheFile(
  path: string,
  data: Uint8Array | ReadableStream<Uint8Array>,
): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")) || ".", { recursive: true });
  await writeAtomically(path, (temp) => Deno.writeFile(temp, data));
}

/**
 * A cache file checked by its recorded SHA-256 (a `<path>.sha256` beside it): reused when it
 * matches, else (missing, or corrupt, with a warning) written by `write` and its checksum
 * recorded. Returns whether it was reused.
 */
export async function checkedCacheFile(
  path: string,
  cacheDir: string,
  write: (path: string) => Promise<void>,
  warn: (message: string) => void = (message) => console.warn(`warning: ${message}`),
): Promise<boolean> {
  let recorded: string | undefined;
  try {
    recorded = (await Deno.readTextFile(`${path}.sha256`)).trim();
  } catch { /* not written yet, or written before checksums */ }
  let exists = false;
  try {
    exists = (await Deno.stat(path)).isFile;
  } catch { /* not cached */ }
  if (exists && recorded !== undefined) {
    if ((await fileContentHash(path, cacheDir)) === recorded) return true;
    warn(`the cache entry ${path} is corrupt (its checksum does not match); rebuilding it`);
  } else if (exists) {
    warn(`the cache entry ${path} has no checksum; rebuilding it`);
  }
  await write(path);
  await writeCacheFile(
    `${path}.sha256`,
    new TextEncoder().encode(`${await fileContentHash(path, cacheDir)}\n`),
  );
  return false;
}

/** What a cache folder holds, written beside its files as `entry.json` so `cache list` can say. */
export interface CacheEntryInfo {
  /** `graphs` (graph files over the checkpoint's own weights) or `weights` (converted weights too). */
  kind: "graphs" | "weights";
  /** The checkpoint folder it was made from (the last one, when several share the entry). */
  checkpoint: string;
  /** The checkpoint's generation. */
  generation: string;
}

/** The name of the description file in each cache folder. */
export const CACHE_ENTRY_FILE = "entry.json";

/** Writes `folder/entry.json` when it is missing or names another checkpoint folder. */
export async function describeCacheFolder(folder: string, info: CacheEntryInfo): Promise<void> {
  const path = `${folder}/${CACHE_ENTRY_FILE}`;
  try {
    const known = JSON.parse(await Deno.readTextFile(path)) as CacheEntryInfo;
    if (known.checkpoint === info.checkpoint && known.kind === info.kind) return;
  } catch { /* missing or unreadable: (re)write it */ }
  await writeCacheFile(path, new TextEncoder().encode(JSON.stringify(info, null, 1)));
}
