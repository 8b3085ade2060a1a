/**
 * A strict reader for the safetensors format: the 8-byte header length, the JSON header and the
 * tensor index are validated without reading the data region, so opening the index of an 888 MB
 * checkpoint costs a few kilobytes of I/O. Tensor bytes are read on demand.
 *
 * Format: `u64 little-endian N`, then N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets:
 * [begin, end]}, "__metadata__"?: {string: string}}`, then the data region; offsets are relative
 * to the start of the data region.
 *
 * @module
 */
import { CheckpointError } from "../errors.ts";
import { halfToFloat } from "./float16.ts";

/** Element types of the safetensors format and their sizes in bytes. */
export const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
} as const;

/** A safetensors element type name, e.g. `"F32"`. */
export type Dtype = keyof typeof DTYPE_BYTES;

/** Where one tensor lives in a safetensors file. */
export interface TensorEntry {
  /** The tensor's name in the header. */
  name: string;
  /** Element type. */
  dtype: Dtype;
  /** Shape; `[]` for a scalar. */
  shape: number[];
  /** Absolute byte offset of the tensor's first byte in the file. */
  offset: number;
  /** Number of bytes (elements x element size). */
  byteLength: number;
}

/** The parsed, validated header of a safetensors file. */
export interface SafetensorsIndex {
  /** Path of the file. */
  path: string;
  /** File size in bytes. */
  fileSize: number;
  /** Length of the JSON header in bytes (N). */
  headerLength: number;
  /** Absolute offset of the data region (8 + N). */
  dataStart: number;
  /** Tensors in data-offset order, by name. */
  tensors: Map<string, TensorEntry>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

/** Headers larger than this are refused before any allocation (the format's own limit). */
export const MAX_HEADER_BYTES = 100_000_000;

function fail(
  path: string,
  what: string,
  hint = "the file is corrupt or not a safetensors file: re-download or re-export it",
): never {
  throw new CheckpointError(`${path}: ${what}`, hint);
}

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Reads and validates the index of a safetensors file without reading its tensor data.
 *
 * @example
 * ```ts
 * const index = await readSafetensorsIndex("checkpoints/nanoVLM-222M/model.safetensors");
 * index.tensors.get("decoder.head.weight")?.shape; // [49152, 576]
 * ```
 */
export async function readSafetensorsIndex(path: string): Promise<SafetensorsIndex> {
  // Stat first: opening a FIFO blocks forever, and a folder or device is no weights file.
  const info = await Deno.stat(path).catch(() => undefined);
  if (info && !info.isFile) {
    const kind = info.isDirectory ? "a folder" : info.isFifo ? "a FIFO" : "not a regular file";
    fail(path, `is ${kind}, not a safetensors file`, "point at the model.safetensors file itself");
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      fail(
        path,
        "file not found",
        "check the path; a nanoVLM checkpoint folder holds model.safetensors",
      );
    }
    throw new CheckpointError(
      `${path}: cannot open (${(error as Error).message})`,
      "check the file's permissions",
    );
  }
  try {
    const fileSize = (await file.stat()).size;
    const lengthBytes = fileSize < 8 ? new Uint8Array(8) : await readExactly(file, 0, 8, path);
    const headerLength = checkHeaderLength(path, fileSize, lengthBytes);
    const headerBytes = await readExactly(file, 8, headerLength, path);
    return parseHeader(path, decodeHeader(path, headerBytes), fileSize, headerLength);
  } finally {
    file.close();
  }
}

/**
 * Validates a whole safetensors file held in memory, with the same checks and messages as
 * {@link readSafetensorsIndex}; `path` names it in messages.
 */
export function indexSafetensorsBytes(bytes: Uint8Array, path = "(in memory)"): SafetensorsIndex {
  const headerLength = checkHeaderLength(path, bytes.length, bytes.subarray(0, 8));
  const header = decodeHeader(path, bytes.subarray(8, 8 + headerLength));
  return parseHeader(path, header, bytes.length, headerLength);
}

/** The header length from the 8-byte length field, checked against the file size. */
function checkHeaderLength(path: string, fileSize: number, lengthBytes: Uint8Array): number {
  if (fileSize < 8) {
    fail(path, `file is ${fileSize} bytes, shorter than the 8-byte header length`);
  }
  const declared = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8)
    .getBigUint64(0, true);
  if (declared > BigInt(fileSize - 8)) {
    fail(
      path,
      `declared header length ${declared} bytes exceeds the ${
        fileSize - 8
      } bytes after the length field (truncated file?)`,
    );
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES) {
    fail(
      path,
      `declared header length ${headerLength} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`,
    );
  }
  if (headerLength < 2) {
    fail(path, `header length ${headerLength} is too small for a JSON object`);
  }
  return headerLength;
}

/** The header's JSON value, from its UTF-8 bytes. */
function decodeHeader(path: string, headerBytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
  } catch {
    fail(path, "header is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(path, `header is not valid JSON (${(error as Error).message})`);
  }
}

async function readExactly(
  file: Deno.FsFile,
  position: number,
  length: number,
  path: string,
): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  await file.seek(position, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) {
      fail(
        path,
        `unexpected end of file at byte ${
          position + filled
        } (wanted ${length} bytes from ${position})`,
      );
    }
    filled += n;
  }
  return buffer;
}

function parseHeader(
  path: string,
  header: unknown,
  fileSize: number,
  headerLength: number,
): SafetensorsIndex {
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    fail(path, "header JSON is not an object");
  }
  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  const entries: TensorEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = parseMetadata(path, value);
      continue;
    }
    entries.push(parseEntry(path, name, value, dataStart, dataLength));
  }
  // By (begin, end), as the format's reference reader: an empty tensor sorts before the tensor
  // that starts where it sits, whatever the order of the header's keys.
  entries.sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  let end = dataStart;
  for (const entry of entries) {
    if (entry.offset < end) {
      const previous = entries[entries.indexOf(entry) - 1];
      fail(
        path,
        `tensor "${entry.name}" overlaps tensor "${previous.name}" (data offsets ${
          entry.offset - dataStart
        } < ${end - dataStart})`,
      );
    }
    if (entry.offset > end) {
      fail(
        path,
        `data region bytes ${end - dataStart}..${
          entry.offset - dataStart
        } belong to no tensor (gap before "${entry.name}")`,
      );
    }
    end = entry.offset + entry.byteLength;
  }
  if (end !== fileSize) {
    fail(
      path,
      `the last ${
        fileSize - end
      } bytes of the file belong to no tensor (the data region is ${dataLength} bytes, the tensors cover ${
        end - dataStart
      })`,
    );
  }
  return {
    path,
    fileSize,
    headerLength,
    dataStart,
    tensors: new Map(entries.map((e) => [e.name, e])),
    metadata,
  };
}

function parseMetadata(path: string, value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(path, "__metadata__ is not an object of strings");
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") fail(path, `__metadata__["${key}"] is not a string`);
  }
  return value as Record<string, string>;
}

function parseEntry(
  path: string,
  name: string,
  value: unknown,
  dataStart: number,
  dataLength: number,
): TensorEntry {
  const where = `tensor "${name}"`;
  if (typeof value !== "object" || value === null) fail(path, `${where}: entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== "string" || !(dtype in DTYPE_BYTES)) {
    fail(
      path,
      `${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${
        Object.keys(DTYPE_BYTES).join(", ")
      })`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(path, `${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) || offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[1] < offsets[0]
  ) {
    fail(
      path,
      `${where}: data_offsets ${
        JSON.stringify(offsets)
      } is not [begin, end] with 0 <= begin <= end`,
    );
  }
  const [begin, end] = offsets as number[];
  if (end > dataLength) {
    fail(
      path,
      `${where}: data_offsets [${begin}, ${end}] run past the ${dataLength}-byte data region (truncated file?)`,
    );
  }
  const byteLength = elementCount(shape) * DTYPE_BYTES[dtype as Dtype];
  if (byteLength !== end - begin) {
    fail(
      path,
      `${where}: shape [${
        shape.join(", ")
      }] x ${dtype} is ${byteLength} bytes but data_offsets span ${end - begin}`,
    );
  }
  return {
    name,
    dtype: dtype as Dtype,
    shape: shape as number[],
    offset: dataStart + begin,
    byteLength,
  };
}

/** Reads the raw bytes of one tensor. */
export async function readTensorBytes(index: SafetensorsIndex, name: string): Promise<Uint8Array> {
  const entry = index.tensors.get(name);
  if (!entry) {
    throw new CheckpointError(
      `${index.path}: no tensor named "${name}"`,
      "list the tensors with `nanovlm info`",
    );
  }
  const file = await Deno.open(index.path, { read: true });
  try {
    return await readExactly(file, entry.offset, entry.byteLength, index.path);
  } finally {
    file.close();
  }
}

/**
 * Reads a floating-point tensor (F32, F16 or BF16) as a Float32Array.
 *
 * @example
 * ```ts
 * const index = await readSafetensorsIndex("checkpoints/nanoVLM-222M/model.safetensors");
 * const norm = await readTensorF32(index, "decoder.norm.weight"); // 576 values
 * ```
 */
export async function readTensorF32(index: SafetensorsIndex, name: string): Promise<Float32Array> {
  const bytes = await readTensorBytes(index, name);
  const dtype = index.tensors.get(name)!.dtype;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === "F32") {
    const out = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  if (dtype === "F16" || dtype === "BF16") {
    const out = new Float32Array(bytes.byteLength / 2);
    const scratch = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < out.length; i++) {
      const bits = view.getUint16(2 * i, true);
      if (dtype === "F16") out[i] = halfToFloat(bits);
      else {
        scratch.setUint32(0, bits << 16);
        out[i] = scratch.getFloat32(0);
      }
    }
    return out;
  }
  throw new CheckpointError(
    `${index.path}: tensor "${name}" has dtype ${dtype}, not a floating-point type`,
    "read it with readTensorBytes",
  );
}
