/**
 * Training state files: named float tensors (parameters, Adam moments) plus a JSON record
 * (step, stage, data position, seed), in one file written atomically. Layout: 8-byte
 * little-endian header length, a JSON header `{meta, tensors: [{name, shape, dtype, offset}]}`,
 * then the tensor bytes (F32, or F16 for compact commits).
 *
 * @module
 */
import { halfToFloat, toHalfBits, writeAtomically } from "../checkpoint/mod.ts";
import type { HostParams } from "./params.ts";

/** A saved training state. */
export interface TrainState {
  /** Free-form JSON record (step, stage, seed, schedule...). */
  meta: Record<string, unknown>;
  /** Tensor groups by name (e.g. `params`, `m`, `v`). */
  groups: Record<string, HostParams>;
}

/** Writes `state` to `path` atomically (F16 tensors with `float16`). */
export async function saveState(
  path: string,
  state: TrainState,
  options: { float16?: boolean } = {},
): Promise<void> {
  const entries: { name: string; shape: number[]; dtype: string; offset: number }[] = [];
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [group, tensors] of Object.entries(state.groups)) {
    for (const [name, { shape, data }] of tensors) {
      let bytes: Uint8Array;
      if (options.float16) bytes = new Uint8Array(toHalfBits(data).buffer);
      else bytes = new Uint8Array(data.slice().buffer);
      entries.push({
        name: `${group}/${name}`,
        shape,
        dtype: options.float16 ? "F16" : "F32",
        offset,
      });
      blobs.push(bytes);
      offset += bytes.length;
    }
  }
  const header = new TextEncoder().encode(JSON.stringify({ meta: state.meta, tensors: entries }));
  const out = new Uint8Array(8 + header.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const blob of blobs) {
    out.set(blob, at);
    at += blob.length;
  }
  await writeAtomically(path, (temp) => Deno.writeFile(temp, out));
}

/** Reads a state written by {@link saveState} (F16 tensors widened to float32). */
export async function loadState(path: string): Promise<TrainState> {
  const bytes = await Deno.readFile(path);
  const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  const base = 8 + length;
  const groups: Record<string, HostParams> = {};
  for (
    const entry of header.tensors as {
      name: string;
      shape: number[];
      dtype: string;
      offset: number;
    }[]
  ) {
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const start = base + entry.offset;
    let data: Float32Array;
    if (entry.dtype === "F16") {
      const half = new Uint16Array(bytes.slice(start, start + 2 * count).buffer);
      data = Float32Array.from(half, halfToFloat);
    } else data = new Float32Array(bytes.slice(start, start + 4 * count).buffer);
    const slash = entry.name.indexOf("/");
    const group = entry.name.slice(0, slash);
    (groups[group] ??= new Map()).set(entry.name.slice(slash + 1), { shape: entry.shape, data });
  }
  return { meta: header.meta, groups };
}
