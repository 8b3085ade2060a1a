/**
 * Token-embedding lookups read straight from the embed graph's weights file: one positioned read
 * per id, converted to float32 as the graph's Cast would. Reading copies rows out of the page
 * cache instead of mapping the table, so the process's resident memory does not grow by the
 * megabyte or so of table that the kernel maps around each distinct id of a memory-mapped table.
 *
 * @module
 */
import { halfToFloat } from "../checkpoint/mod.ts";
import { CheckpointError } from "../errors.ts";
import type { WeightLocation } from "../model/mod.ts";

/** Where a graph's embedding table lies: its weights file and the table's place in it. */
export interface TableLocation extends WeightLocation {
  /** Path of the weights file. */
  path: string;
}

let halfTable: Float32Array | undefined;
/** Every float16 bit pattern's float32 value, built on first use (256 KiB). */
function halfValues(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = halfToFloat(bits);
  }
  return halfTable;
}

/** An open embedding table: rows by token id, as float32. */
export class TokenTable {
  readonly #rowBytes: number;

  private constructor(
    private readonly file: Deno.FsFile,
    private readonly location: TableLocation,
  ) {
    this.#rowBytes = location.shape[1] * (location.type === "float16" ? 2 : 4);
  }

  /** Opens the table at `location` (float32 or float16 rows). */
  static open(location: TableLocation): TokenTable {
    if (location.shape.length !== 2) {
      throw new Error(`an embedding table is [vocab, dim], got [${location.shape}]`);
    }
    return new TokenTable(Deno.openSync(location.path, { read: true }), location);
  }

  /** The rows of `ids` (any number of rows of equal length), `[rows, tokens, dim]` flattened. */
  lookup(ids: readonly (readonly number[])[]): Float32Array {
    const dim = this.location.shape[1];
    const flat = ids.flat();
    const out = new Float32Array(flat.length * dim);
    const row = new Uint8Array(this.#rowBytes);
    for (let i = 0; i < flat.length; i++) {
      this.#read(this.location.offset + flat[i] * this.#rowBytes, row);
      if (this.location.type === "float32") {
        out.set(new Float32Array(row.buffer), i * dim);
      } else {
        const bits = new Uint16Array(row.buffer), values = halfValues();
        for (let j = 0; j < dim; j++) out[i * dim + j] = values[bits[j]];
      }
    }
    return out;
  }

  /** Closes the file. */
  close(): void {
    this.file.close();
  }

  /** Fills `into` from byte `position` of the file (a read may return fewer bytes). */
  #read(position: number, into: Uint8Array): void {
    this.file.seekSync(position, Deno.SeekMode.Start);
    for (let filled = 0; filled < into.length;) {
      const n = this.file.readSync(into.subarray(filled));
      if (n === null || n === 0) {
        throw new CheckpointError(
          `${this.location.path} ends before byte ${position + into.length} of its embedding table`,
          "the weights file was cut short: delete it (a converted file is rebuilt on the next load)",
        );
      }
      filled += n;
    }
  }
}
