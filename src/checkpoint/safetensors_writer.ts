/**
 * A streaming safetensors writer that produces the bytes the Python `safetensors` library itself
 * writes: a compact JSON header with `__metadata__` first and the tensors ordered by dtype
 * (descending, in the library's dtype order) then by name, padded with spaces to a multiple of 8
 * bytes, then the tensors' data back to back. Tensor data arrive in chunks, so an 888 MB file is
 * never held in memory; the file appears atomically.
 *
 * @module
 */
import { CheckpointError } from "../errors.ts";
import { writeAtomically } from "./atomic.ts";
import { type Dtype, DTYPE_BYTES, elementCount } from "./safetensors.ts";

/** One tensor to write; `chunks()` yields its little-endian bytes in order. */
export interface TensorSource {
  /** Tensor name in the header. */
  name: string;
  /** Element type of the stored data. */
  dtype: Dtype;
  /** Tensor shape; with `dtype` it fixes how many bytes `chunks()` must yield. */
  shape: readonly number[];
  /**
   * The tensor's bytes, in order. Each chunk is written before the next is requested, so a
   * source may reuse one buffer.
   */
  chunks(): Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

/** The library's dtype order (Rust `Dtype` enum); files list larger dtypes first. */
const DTYPE_ORDER: readonly Dtype[] = [
  "BOOL",
  "U8",
  "I8",
  "F8_E5M2",
  "F8_E4M3",
  "I16",
  "U16",
  "F16",
  "BF16",
  "I32",
  "U32",
  "F32",
  "F64",
  "I64",
  "U64",
];

function compareBytes(a: string, b: string): number {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/** Sorts tensors as the library does: dtype descending, then name (bytewise). */
export function sortForSafetensors<T extends { name: string; dtype: Dtype }>(tensors: T[]): T[] {
  return [...tensors].sort((a, b) =>
    DTYPE_ORDER.indexOf(b.dtype) - DTYPE_ORDER.indexOf(a.dtype) || compareBytes(a.name, b.name)
  );
}

/**
 * The header bytes (8-byte length + padded JSON) for tensors already in file order.
 */
export function safetensorsHeader(
  ordered: readonly { name: string; dtype: Dtype; shape: readonly number[] }[],
  metadata?: Record<string, string>,
): Uint8Array {
  const parts: string[] = [];
  if (metadata) {
    const keys = Object.keys(metadata).sort(compareBytes);
    parts.push(
      `"__metadata__":{${
        keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(",")
      }}`,
    );
  }
  let offset = 0;
  const seen = new Set<string>();
  for (const t of ordered) {
    if (seen.has(t.name) || t.name === "__metadata__") {
      throw new CheckpointError(
        `cannot write tensor "${t.name}": duplicate or reserved name`,
        "give every tensor a distinct name",
      );
    }
    seen.add(t.name);
    const size = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    parts.push(
      `${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],` +
        `"data_offsets":[${offset},${offset + size}]}`,
    );
    offset += size;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/**
 * Writes a safetensors file atomically (temporary sibling + rename), streaming each tensor's
 * chunks. A source that yields the wrong number of bytes is a {@link CheckpointError}; nothing is
 * left behind on any error or Ctrl-C. Returns the file size.
 *
 * @example
 * ```ts
 * const data = new Float32Array([1, 2, 3]);
 * await writeSafetensors("x.safetensors", [
 *   { name: "w", dtype: "F32", shape: [3], chunks: () => [new Uint8Array(data.buffer)] },
 * ]);
 * ```
 */
export function writeSafetensors(
  path: string,
  tensors: readonly TensorSource[],
  options: { metadata?: Record<string, string> } = {},
): Promise<number> {
  return writeAtomically(path, (temp) => writeSafetensorsTo(temp, tensors, options.metadata));
}

/** Writes a safetensors file in place (not atomic); use inside {@link writeAtomically}. */
export async function writeSafetensorsTo(
  path: string,
  tensors: readonly TensorSource[],
  metadata?: Record<string, string>,
): Promise<number> {
  const ordered = sortForSafetensors([...tensors]);
  const header = safetensorsHeader(ordered, metadata);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let size = header.length;
  try {
    await writeAll(file, header);
    for (const tensor of ordered) {
      const expected = elementCount(tensor.shape) * DTYPE_BYTES[tensor.dtype];
      let got = 0;
      for await (const chunk of tensor.chunks()) {
        got += chunk.length;
        if (got > expected) break;
        await writeAll(file, chunk);
      }
      if (got !== expected) {
        throw new CheckpointError(
          `${path}: tensor "${tensor.name}" produced ${got} bytes, its shape [${
            tensor.shape.join(", ")
          }] x ${tensor.dtype} needs ${expected}`,
          "this is a bug in the tensor source",
        );
      }
      size += expected;
    }
  } finally {
    file.close();
  }
  return size;
}
