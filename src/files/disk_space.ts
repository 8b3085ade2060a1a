/**
 * Disk space before a large write: the bytes free on the filesystem that will hold a path, and
 * byte counts as short human figures for the messages that refuse a write.
 *
 * @module
 */
import { statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Bytes as a short human figure in SI units (`1.2 GB`). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * Bytes an unprivileged writer may still put on the filesystem that holds `path` (the nearest
 * existing folder at or above it): `df`'s "Available". `undefined` when the system does not say
 * (no `--allow-sys`, or a platform without `statfs`), so callers skip the check.
 *
 * @example
 * ```ts
 * const free = freeBytes("/tmp/new/checkpoint"); // e.g. 77_661_241_344
 * ```
 */
export function freeBytes(path: string): number | undefined {
  let dir = resolve(path);
  while (!isFolder(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    const stats = statfsSync(dir);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return undefined;
  }
}

function isFolder(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
