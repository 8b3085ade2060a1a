/**
 * A seeded fuzz of the safetensors reader: 12,000 headers made by mutating valid files. Every case
 * must either be refused with a {@link CheckpointError} naming the file, or be accepted and then
 * pass an independent check written from the format's specification (huggingface/safetensors
 * README and its Rust reader's rules), read with no code shared with the reader. The order of the
 * header's keys must never change the verdict. Nothing may hang or grow memory.
 */
import { CheckpointError } from "../errors.ts";
import { assert, withTempDir } from "../testing/mod.ts";
import { Random } from "./random.ts";
import {
  indexSafetensorsBytes,
  readSafetensorsIndex,
  type SafetensorsIndex,
} from "./safetensors.ts";

const CASES = 12_000;
const SEED = 20261201;

/** Element sizes as the specification lists them (kept apart from the reader's table). */
const SPEC_SIZES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

type Header = Record<string, unknown>;

class Fuzz {
  readonly #random: Random;
  constructor(seed: number) {
    this.#random = new Random(seed, "safetensors-fuzz");
  }
  int(n: number): number {
    return this.#random.nextUint32() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.#random.nextUint32() / 2 ** 32 < p;
  }
}

/** A valid header over a contiguous data region, with some empty and scalar tensors. */
function validHeader(f: Fuzz): { header: Header; dataBytes: number } {
  const header: Header = {};
  let offset = 0;
  const count = 1 + f.int(5);
  for (let i = 0; i < count; i++) {
    const dtype = f.pick(Object.keys(SPEC_SIZES));
    const rank = f.int(4);
    const shape = Array.from({ length: rank }, () => (f.chance(0.15) ? 0 : 1 + f.int(4)));
    const bytes = shape.reduce((a, b) => a * b, 1) * SPEC_SIZES[dtype];
    header[`t${i}.${f.pick(["weight", "bias", "é", "", " "])}`] = {
      dtype,
      shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  if (f.chance(0.3)) header.__metadata__ = { format: "pt" };
  return { header, dataBytes: offset };
}

const WEIRD_VALUES: unknown[] = [
  -1,
  0.5,
  -0,
  1e300,
  2 ** 53,
  2 ** 64,
  "4",
  null,
  true,
  [],
  {},
  [1, 2, 3],
  [[1]],
  "F32",
  { a: 1 },
];

/** Mutates a header's structure (values, keys, order). */
function mutateHeader(f: Fuzz, header: Header): void {
  const names = Object.keys(header);
  const name = f.pick(names);
  const entry = header[name] as Record<string, unknown>;
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    header[name] = { dtype: "U8", shape: [f.int(3)], data_offsets: [0, f.int(3)] };
    return;
  }
  switch (f.int(11)) {
    case 0:
      entry[f.pick(["dtype", "shape", "data_offsets"])] = f.pick(WEIRD_VALUES);
      break;
    case 1:
      if (Array.isArray(entry.shape) && entry.shape.length) {
        entry.shape[f.int(entry.shape.length)] = f.pick([0, 1, 7, -2, 1.5, 2 ** 40, "2"]);
      } else entry.shape = [f.pick([0, 3, 2 ** 31])];
      break;
    case 2:
      if (Array.isArray(entry.data_offsets)) {
        entry.data_offsets[f.int(2)] += f.pick([-4, -1, 1, 2, 8, 1000]);
      }
      break;
    case 3:
      entry.dtype = f.pick(["f32", "F33", "I4", "", "U1", "F8_E8M0", "complex64"]);
      break;
    case 4:
      delete entry[f.pick(["dtype", "shape", "data_offsets"])];
      break;
    case 5:
      header[name] = f.pick(WEIRD_VALUES);
      break;
    case 6:
      header.__metadata__ = f.pick([{ a: 1 }, "x", [], null, { a: "b", c: { d: "e" } }, {}]);
      break;
    case 7: {
      const other = header[f.pick(names)] as Record<string, unknown>;
      if (other && typeof other === "object" && entry && typeof entry === "object") {
        [entry.data_offsets, other.data_offsets] = [other.data_offsets, entry.data_offsets];
      }
      break;
    }
    case 8:
      header[`${name}.copy`] = structuredClone(entry);
      break;
    case 9:
      header[`empty${f.int(9)}`] = {
        dtype: "F32",
        shape: [0],
        data_offsets: f.pick([[0, 0], [4, 4], [2, 2], [1 << 20, 1 << 20]]),
      };
      break;
    default:
      entry.extra = f.pick(WEIRD_VALUES);
  }
}

/** The same entries in another key order. */
function shuffled(f: Fuzz, header: Header): Header {
  const keys = Object.keys(header);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = f.int(i + 1);
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return Object.fromEntries(keys.map((k) => [k, header[k]]));
}

/** The exact file of a header: correct length field, `dataBytes` zero bytes of data. */
function exactFile(headerText: string, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

/** Byte-level damage: header bytes, the length field, the data length, truncation. */
function damaged(f: Fuzz, file: Uint8Array): Uint8Array {
  let out = Uint8Array.from(file);
  const headerEnd = 8 + Number(new DataView(out.buffer).getBigUint64(0, true));
  switch (f.int(5)) {
    case 0:
      for (let n = 1 + f.int(3); n > 0; n--) out[8 + f.int(headerEnd - 8)] = f.int(256);
      break;
    case 1:
      new DataView(out.buffer).setBigUint64(
        0,
        f.pick([
          0n,
          1n,
          2n,
          7n,
          BigInt(headerEnd - 9),
          BigInt(headerEnd - 7),
          2n ** 63n,
          2n ** 64n - 1n,
          99_999_999n,
        ]),
        true,
      );
      break;
    case 2:
      out = out.subarray(0, f.int(out.length));
      break;
    case 3: {
      const longer = new Uint8Array(out.length + 1 + f.int(8));
      longer.set(out);
      out = longer;
      break;
    }
    default:
      out[8 + f.int(headerEnd - 8)] = f.pick([0x00, 0x80, 0xff, 0x22, 0x5c, 0x7d]);
  }
  return out;
}

/**
 * The specification, checked on the raw bytes: u64 header length; UTF-8 JSON object; each
 * entry a known dtype, a shape of non-negative integers, `data_offsets` [begin, end] with
 * end - begin = product(shape) x size; sorted by (begin, end) the entries tile the data region
 * exactly, without gaps or overlaps.
 */
function specCheck(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return "shorter than 8 bytes";
  const n = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) return "header length beyond the file";
  const headerEnd = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, headerEnd)),
    );
  } catch {
    return "header is not UTF-8 JSON";
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    return "not an object";
  }
  const spans: [number, number][] = [];
  for (const [key, value] of Object.entries(header)) {
    if (key === "__metadata__") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return "metadata";
      if (!Object.values(value).every((v) => typeof v === "string")) return "metadata value";
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return `${key} entry`;
    const { dtype, shape, data_offsets } = value as Record<string, unknown>;
    if (typeof dtype !== "string" || !(dtype in SPEC_SIZES)) return `dtype of ${key}`;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      return `shape of ${key}`;
    }
    if (
      !Array.isArray(data_offsets) || data_offsets.length !== 2 ||
      !data_offsets.every((d) => Number.isInteger(d) && d >= 0)
    ) return `offsets of ${key}`;
    const [begin, end] = data_offsets as number[];
    let size = BigInt(SPEC_SIZES[dtype]);
    for (const d of shape) size *= BigInt(d);
    if (end < begin || BigInt(end - begin) !== size) return `size of ${key}`;
    spans.push([begin, end]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let at = 0;
  for (const [begin, end] of spans) {
    if (begin !== at) return `hole or overlap at ${begin}`;
    at = end;
  }
  if (at !== bytes.length - headerEnd) return "data region not covered exactly";
  return undefined;
}

type Verdict = { index: SafetensorsIndex } | { error: string };

const PATH = "fuzz/model.safetensors";

/** The in-memory reader's verdict; only a CheckpointError naming the file may escape. */
function verdict(bytes: Uint8Array): Verdict {
  try {
    return { index: indexSafetensorsBytes(bytes, PATH) };
  } catch (error) {
    return { error: refusal(error, PATH) };
  }
}

function refusal(error: unknown, path: string): string {
  assert(
    error instanceof CheckpointError,
    `only CheckpointError may escape, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
  );
  assert(error.message.startsWith(`${path}: `), `the message names the file: ${error.message}`);
  return error.message.slice(path.length);
}

/** The file reader's verdict on the same bytes (within 2 s: no hang). */
async function fileVerdict(path: string, bytes: Uint8Array): Promise<Verdict> {
  await Deno.writeFile(path, bytes);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the reader hung for 2 s")), 2000);
  });
  try {
    return { index: await Promise.race([readSafetensorsIndex(path), hang]) };
  } catch (error) {
    return { error: refusal(error, path) };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test(`safetensors fuzz: ${CASES} seeded headers, named errors or spec-valid files`, async () => {
  await withTempDir(async (dir) => {
    const f = new Fuzz(SEED);
    const rssBefore = Deno.memoryUsage().rss;
    const counts = { accepted: 0, refused: 0, fromFile: 0 };
    for (let i = 0; i < CASES; i++) {
      const { header, dataBytes } = validHeader(f);
      for (let m = f.int(3); m > 0; m--) mutateHeader(f, header);
      const exact = exactFile(JSON.stringify(header), dataBytes);
      const files: Uint8Array[] = [];
      if (f.chance(0.6)) {
        // Structural cases: the reader accepts exactly what the spec accepts, in any key order.
        const spec = specCheck(exact);
        for (const bytes of [exact, exactFile(JSON.stringify(shuffled(f, header)), dataBytes)]) {
          const result = verdict(bytes);
          assert(
            ("index" in result) === (spec === undefined),
            `case ${i}: the spec says ${spec ?? "valid"}, the reader ${
              "index" in result ? "accepted" : `refused: ${result.error}`
            }\n${new TextDecoder().decode(bytes.subarray(8, 8 + 400))}`,
          );
          files.push(bytes);
        }
      } else {
        // Damaged bytes: refused with a named error, or accepted and then valid.
        const bytes = damaged(f, exact);
        const result = verdict(bytes);
        if ("index" in result) {
          const spec = specCheck(bytes);
          assert(spec === undefined, `case ${i}: accepted but the spec says ${spec}`);
        }
        files.push(bytes);
      }
      for (const bytes of files) {
        const result = verdict(bytes);
        counts["index" in result ? "accepted" : "refused"]++;
        // Every 50th case also goes through the file reader: same verdict, same message.
        if (i % 50 === 0) {
          const path = `${dir}/model.safetensors`;
          const fromFile = await fileVerdict(path, bytes);
          counts.fromFile++;
          assert(
            JSON.stringify("error" in fromFile ? fromFile.error : "accepted") ===
              JSON.stringify("error" in result ? result.error : "accepted"),
            `case ${i}: the file reader disagrees with the in-memory reader`,
          );
        }
      }
    }
    const grown = (Deno.memoryUsage().rss - rssBefore) / 2 ** 20;
    assert(grown < 256, `memory grew by ${grown.toFixed(0)} MiB`);
    assert(counts.accepted > CASES / 10, `enough accepted cases: ${JSON.stringify(counts)}`);
    assert(counts.refused > CASES / 2, `enough refused cases: ${JSON.stringify(counts)}`);
  });
});
