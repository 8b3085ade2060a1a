/**
 * One bounded way to read the small files users hand us (`config.json`, tokenizer files,
 * manifests, checksum lists, suites, images): only regular files (a FIFO would block forever,
 * `/dev/zero` never ends), and never more than a size cap, with named errors that say which file,
 * what is wrong and what to do.
 *
 * @module
 */
import { InputError, type NanovlmError } from "../errors.ts";

/** Size caps in bytes per kind of file (generous: ~100x the largest real file). */
export const FILE_SIZE_LIMITS = {
  /** `config.json` of a checkpoint (real ones: ~3 KB). */
  config: 1 << 20,
  /** `tokenizer.json` and its side files (real ones: ~2-4 MB). */
  tokenizer: 64 << 20,
  /** A dataset `manifest.jsonl`, a results or references file. */
  manifest: 256 << 20,
  /** A checksum list such as `images.sha256`. */
  checksums: 64 << 20,
  /** A suite definition. */
  suite: 8 << 20,
  /** One input image. */
  image: 256 << 20,
} as const;

/** Options of {@link readBoundedFile} and its text/JSON forms. */
export interface BoundedReadOptions {
  /** The most bytes the file may hold. */
  maxBytes: number;
  /** What the file is, for messages (e.g. `"config.json"`, `"tokenizer"`). Default `"file"`. */
  what?: string;
  /** The error class to raise (default {@link InputError}). */
  errorClass?: new (message: string, hint?: string, options?: ErrorOptions) => NanovlmError;
  /** The fix to suggest when the file is missing (default: check the path). */
  missingHint?: string;
}

function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a folder";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

function sizeText(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;
}

/**
 * Reads a whole regular file of at most `maxBytes` bytes. A missing or unreadable path, a folder,
 * a FIFO or device, and a file over the cap are named errors; nothing past the cap is read.
 *
 * @example
 * ```ts
 * const bytes = await readBoundedFile("ckpt/config.json", {
 *   maxBytes: FILE_SIZE_LIMITS.config,
 *   what: "config.json",
 * });
 * ```
 */
export async function readBoundedFile(
  path: string,
  options: BoundedReadOptions,
): Promise<Uint8Array> {
  const { maxBytes, what = "file", errorClass: Err = InputError } = options;
  if (path === "") throw new Err(`${what}: the path is empty`, "give the path of a file");
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw openError(path, what, error, Err, options.missingHint);
  }
  if (!info.isFile) {
    throw new Err(
      `${what} ${path} is ${kindOf(info)}, not a regular file`,
      info.isDirectory ? "give the path of a file inside it" : "copy the data into a regular file",
    );
  }
  if (info.size > maxBytes) throw tooLarge(path, what, info.size, maxBytes, Err);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw openError(path, what, error, Err, options.missingHint);
  }
  let filled = 0;
  // Read at most maxBytes + 1: a file that grew since stat is still caught, never read whole.
  const buffer = new Uint8Array(Math.min(info.size, maxBytes) + 1);
  try {
    while (filled < buffer.length) {
      const n = await file.read(buffer.subarray(filled));
      if (n === null) break;
      filled += n;
    }
  } catch (error) {
    throw openError(path, what, error, Err, options.missingHint);
  } finally {
    file.close();
  }
  if (filled > maxBytes) throw tooLarge(path, what, undefined, maxBytes, Err);
  return buffer.subarray(0, filled);
}

/** Reads a bounded regular file as UTF-8 text (see {@link readBoundedFile}). */
export async function readBoundedText(path: string, options: BoundedReadOptions): Promise<string> {
  const bytes = await readBoundedFile(path, options);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const Err = options.errorClass ?? InputError;
    throw new Err(
      `${options.what ?? "file"} ${path} is not UTF-8 text`,
      "check that this is the right file (a text file, saved as UTF-8)",
    );
  }
}

function tooLarge(
  path: string,
  what: string,
  size: number | undefined,
  maxBytes: number,
  Err: NonNullable<BoundedReadOptions["errorClass"]>,
): NanovlmError {
  const held = size === undefined ? "holds more than" : `is ${sizeText(size)}, over`;
  return new Err(
    `${what} ${path} ${held} the ${sizeText(maxBytes)} a ${what} may hold`,
    "check that this is the right file",
  );
}

function openError(
  path: string,
  what: string,
  error: unknown,
  Err: NonNullable<BoundedReadOptions["errorClass"]>,
  missingHint?: string,
): NanovlmError {
  if (error instanceof Deno.errors.NotFound) {
    return new Err(`${what} not found: ${path}`, missingHint ?? "check the path", { cause: error });
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new Err(
      `${what} ${path} cannot be read: permission denied`,
      "check the file's and its folders' permissions",
      { cause: error },
    );
  }
  return new Err(`${what} ${path} cannot be read: ${(error as Error).message}`, "check the path", {
    cause: error,
  });
}
