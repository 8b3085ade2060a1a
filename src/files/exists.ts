/**
 * Whether something is at a path.
 *
 * @module
 */

/**
 * Whether anything exists at `path` (a dangling symlink counts when `followLinks` is false).
 *
 * @example
 * ```ts
 * if (await pathExists("out/model.safetensors")) console.log("already written");
 * ```
 */
export async function pathExists(
  path: string,
  options: { followLinks?: boolean } = {},
): Promise<boolean> {
  try {
    await (options.followLinks === false ? Deno.lstat(path) : Deno.stat(path));
    return true;
  } catch {
    return false;
  }
}
