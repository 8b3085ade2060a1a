/**
 * What the cache folder holds, and removing it: the entries `nanovlm cache list` shows and
 * `nanovlm cache clean` removes. Only entries of this toolkit's own naming are touched: graph and
 * weight folders (24 hex digits, described by their `entry.json`), the content-hash memo, the demo's
 * default model, and the eval harness's response cache. Anything else found there is listed as
 * `unknown` and never removed.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { CACHE_ENTRY_FILE, type CacheEntryInfo } from "./cache_dir.ts";

/** The kinds of cache entry. */
export type CacheEntryKind =
  | "graphs"
  | "weights"
  | "hash-memo"
  | "default-model"
  | "responses"
  | "unknown";

/** One entry of the cache folder. */
export interface CacheEntry {
  /** Its name inside the cache folder. */
  name: string;
  /** What it is. */
  kind: CacheEntryKind;
  /** Bytes on disk (files under it, summed). */
  bytes: number;
  /** Newest modification time under it. */
  modified: Date;
  /** The checkpoint folder it was made from, where known. */
  checkpoint?: string;
}

const KNOWN_NAMES: Record<string, CacheEntryKind> = {
  "content-hashes.json": "hash-memo",
  "default-model": "default-model",
  responses: "responses",
};

async function usage(path: string): Promise<{ bytes: number; modified: number }> {
  const stat = await Deno.lstat(path);
  if (!stat.isDirectory) return { bytes: stat.size, modified: stat.mtime?.getTime() ?? 0 };
  let bytes = 0;
  let modified = stat.mtime?.getTime() ?? 0;
  for await (const child of Deno.readDir(path)) {
    const inner = await usage(`${path}/${child.name}`);
    bytes += inner.bytes;
    modified = Math.max(modified, inner.modified);
  }
  return { bytes, modified };
}

async function describe(path: string): Promise<CacheEntryInfo | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(`${path}/${CACHE_ENTRY_FILE}`));
  } catch {
    return undefined;
  }
}

/**
 * Lists the cache folder's entries, largest first; a missing folder is an empty cache.
 *
 * @example
 * ```ts
 * for (const entry of await listCache(defaultCacheDir())) console.log(entry.name, entry.bytes);
 * ```
 */
export async function listCache(cacheDir: string): Promise<CacheEntry[]> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(cacheDir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw new InputError(`cannot read the cache folder ${cacheDir}: ${(error as Error).message}`);
  }
  if (!stat.isDirectory) {
    throw new InputError(
      `the cache folder ${cacheDir} is not a folder`,
      "point --cache-dir (or $NANOVLM_CACHE) at a folder",
    );
  }
  const entries: CacheEntry[] = [];
  for await (const child of Deno.readDir(cacheDir)) {
    const path = `${cacheDir}/${child.name}`;
    const { bytes, modified } = await usage(path);
    let kind: CacheEntryKind = KNOWN_NAMES[child.name] ?? "unknown";
    let checkpoint: string | undefined;
    if (child.isDirectory && /^[0-9a-f]{24}$/.test(child.name)) {
      const info = await describe(path);
      kind = info?.kind ?? "graphs";
      checkpoint = info?.checkpoint;
    }
    entries.push({
      name: child.name,
      kind,
      bytes,
      modified: new Date(modified),
      ...(checkpoint ? { checkpoint } : {}),
    });
  }
  return entries.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}

/** Options of {@link cleanCache}. */
export interface CleanOptions {
  /** Remove only entries not modified for this many days. Default: every entry. */
  olderThanDays?: number;
  /** Say what would go without removing anything. */
  dryRun?: boolean;
}

/** Removes cache entries of this toolkit's own naming; returns the entries removed (or that would be). */
export async function cleanCache(
  cacheDir: string,
  options: CleanOptions = {},
): Promise<CacheEntry[]> {
  const { olderThanDays, dryRun = false } = options;
  if (olderThanDays !== undefined && !(olderThanDays >= 0)) {
    throw new InputError(`--older-than must be a number of days >= 0, got ${olderThanDays}`);
  }
  const cutoff = olderThanDays === undefined ? Infinity : Date.now() - olderThanDays * 86_400_000;
  const chosen = (await listCache(cacheDir)).filter((entry) =>
    entry.kind !== "unknown" && entry.modified.getTime() < cutoff
  );
  if (!dryRun) {
    for (const entry of chosen) {
      await Deno.remove(`${cacheDir}/${entry.name}`, { recursive: true });
    }
  }
  return chosen;
}
