/**
 * Records: one append-only JSONL file per cell, one line per item, written and fsynced per batch.
 * After a SIGKILL the file ends with whole lines and perhaps one torn line; reopening for
 * `--resume` cuts the torn line, so nothing is lost that was synced and nothing is duplicated.
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
import type { EvalRecord } from "./types.ts";

const encoder = new TextEncoder();

/** Parses a records file's text: whole lines only; returns the records and the length of the valid prefix. */
export function parseRecords(
  text: string,
  file: string,
): { records: EvalRecord[]; validBytes: number } {
  const records: EvalRecord[] = [];
  let offset = 0;
  let validBytes = 0;
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const last = i === lines.length - 1;
    offset += encoder.encode(line).length + (last ? 0 : 1);
    if (last) return; // no newline: torn (or empty) tail
    if (line.trim() === "") {
      validBytes = offset;
      return;
    }
    let value: EvalRecord;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InputError(
        `${file} line ${i + 1}: not valid JSON (${(error as Error).message})`,
        "the records were edited or damaged; delete the run folder and run again",
      );
    }
    if (typeof value?.id !== "string" || typeof value?.task !== "string") {
      throw new InputError(
        `${file} line ${i + 1}: a record needs "id" and "task"`,
        "delete the run folder and run again",
      );
    }
    records.push(value);
    validBytes = offset;
  });
  return { records, validBytes };
}

/** Reads a records file (missing file: no records). */
export async function readRecords(file: string): Promise<EvalRecord[]> {
  try {
    return parseRecords(await Deno.readTextFile(file), file).records;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/**
 * An open records file. Each batch's lines go out in one write; the write's fsync then runs while
 * the next batch computes, and the next write waits for it, so every batch is synced in order
 * without the model waiting on the disk.
 */
export class RecordWriter {
  private syncing: Promise<void> = Promise.resolve();

  private constructor(private readonly file: Deno.FsFile, readonly path: string) {}

  /**
   * Opens `path` for appending. With `resume`, existing records are returned and a torn last line
   * is cut off; without it the file must not exist yet.
   */
  static async open(
    path: string,
    resume: boolean,
  ): Promise<{ writer: RecordWriter; existing: EvalRecord[] }> {
    let existing: EvalRecord[] = [];
    if (resume) {
      try {
        const bytes = await Deno.readFile(path);
        const parsed = parseRecords(new TextDecoder().decode(bytes), path);
        existing = parsed.records;
        if (parsed.validBytes !== bytes.length) await Deno.truncate(path, parsed.validBytes);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    const file = await Deno.open(path, { create: true, append: true });
    return { writer: new RecordWriter(file, path), existing };
  }

  /** Appends records as lines in one write (after the previous batch's fsync) and starts their fsync. */
  async append(records: readonly EvalRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.syncing;
    const bytes = encoder.encode(records.map((r) => JSON.stringify(r) + "\n").join(""));
    let written = 0;
    // A synchronous write lands in the page cache at once (no thread-pool round trip).
    while (written < bytes.length) written += this.file.writeSync(bytes.subarray(written));
    this.syncing = this.file.syncData();
  }

  /** Waits for the last fsync and closes the file. */
  async close(): Promise<void> {
    try {
      await this.syncing;
    } finally {
      this.file.close();
    }
  }
}
