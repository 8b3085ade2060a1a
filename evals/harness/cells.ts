/**
 * The matrix of a run: `--precision` × `--device` → cells. A precision is `fp32`, `fp16` or a
 * per-module mix such as `vision=fp16,decoder=fp32` (modules not named stay fp32), read with the
 * library's `parsePrecision`.
 *
 * @module
 */
import { formatPrecision, InputError, parsePrecision } from "../../src/mod.ts";
import type { CellPrecision } from "./types.ts";

/** One cell to run. */
export interface CellSpec {
  /** `<precision>@<device>`. */
  name: string;
  /** The precision as written (`fp32`, `fp16`, or `vision=fp16,projector=fp32,decoder=fp32`). */
  precision: string;
  /** Precision per module. */
  modules: CellPrecision;
  /** `cpu`, `cuda` or `auto`. */
  device: "cpu" | "cuda" | "auto";
}

const DEVICES = ["cpu", "cuda", "auto"] as const;

/** A precision spec (as {@link parsePrecision} reads it) with every module filled in. */
function fullPrecision(spec: string): CellPrecision {
  const parsed = parsePrecision(spec);
  const fill = typeof parsed === "string"
    ? { vision: parsed, projector: parsed, decoder: parsed }
    : { vision: "fp32", projector: "fp32", decoder: "fp32", ...parsed };
  return fill as CellPrecision;
}

/**
 * Parses `--precision` values: comma-separated specs, where `fp32`/`fp16` stand alone and
 * `module=precision` parts join into one mix until a module repeats (repeat `--precision` to
 * separate two mixes). Names are {@link formatPrecision}'s (`fp16`, `vision=fp16`).
 *
 * @example
 * ```ts
 * parsePrecisions(["fp32,fp16,vision=fp16,decoder=fp32"]).map((p) => p.name);
 * // ["fp32", "fp16", "vision=fp16"]
 * ```
 */
export function parsePrecisions(
  values: readonly string[],
): { name: string; modules: CellPrecision }[] {
  const specs: string[] = [];
  for (const value of values.length ? values : ["fp32"]) {
    let mix: string[] = [];
    const flush = () => {
      if (mix.length) specs.push(mix.join(","));
      mix = [];
    };
    for (const part of value.split(",").map((p) => p.trim())) {
      if (!part.includes("=")) {
        flush();
        specs.push(part);
        continue;
      }
      const module = part.split("=")[0].trim();
      if (mix.some((m) => m.split("=")[0].trim() === module)) flush();
      mix.push(part);
    }
    flush();
  }
  const seen = new Set<string>();
  return specs.map((spec) => {
    const modules = fullPrecision(spec);
    return { name: formatPrecision(modules), modules };
  }).filter((p) => {
    if (seen.has(p.name)) return false;
    seen.add(p.name);
    return true;
  });
}

/** The cells of `--precision` × `--device` (devices comma-separated; default cpu). */
export function parseCells(precisions: readonly string[], devices: readonly string[]): CellSpec[] {
  const deviceList = (devices.length ? devices : ["cpu"]).flatMap((d) => d.split(",")).map((d) =>
    d.trim()
  );
  for (const device of deviceList) {
    if (!DEVICES.includes(device as "cpu")) {
      throw new InputError(
        `--device: "${device}" is not one of ${DEVICES.join(", ")}`,
        "use e.g. --device cpu,cuda",
      );
    }
  }
  const cells: CellSpec[] = [];
  for (const device of [...new Set(deviceList)]) {
    for (const p of parsePrecisions(precisions)) {
      cells.push({
        name: `${p.name}@${device}`,
        precision: p.name,
        modules: p.modules,
        device: device as CellSpec["device"],
      });
    }
  }
  return cells;
}

/** The file name stem of a cell's records and results (`=` → `-`, `,` → `+`). */
export function cellFileStem(name: string): string {
  return name.replaceAll("=", "-").replaceAll(",", "+");
}
