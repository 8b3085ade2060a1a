/**
 * The matrix of a run: `--precision` × `--device` → cells. A precision is `fp32`, `fp16` or a
 * per-module mix such as `vision=fp16,decoder=fp32` (modules not named stay fp32).
 *
 * @module
 */
import { InputError } from "../../src/mod.ts";
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

const MODULES = ["vision", "projector", "decoder"] as const;
const PRECISIONS = ["fp32", "fp16"] as const;
const DEVICES = ["cpu", "cuda", "auto"] as const;

function precisionName(modules: CellPrecision): string {
  const values = MODULES.map((m) => modules[m]);
  return values.every((v) => v === values[0])
    ? values[0]
    : MODULES.map((m) => `${m}=${modules[m]}`).join(",");
}

/**
 * Parses `--precision` values: comma-separated `fp32`/`fp16`, and `module=precision` parts, which
 * join into one mix until a module repeats (repeat `--precision` to separate two mixes).
 *
 * @example
 * ```ts
 * parsePrecisions(["fp32,fp16,vision=fp16,decoder=fp32"]).map((p) => p.name);
 * // ["fp32", "fp16", "vision=fp16,projector=fp32,decoder=fp32"]
 * ```
 */
export function parsePrecisions(
  values: readonly string[],
): { name: string; modules: CellPrecision }[] {
  const out: CellPrecision[] = [];
  for (const value of values.length ? values : ["fp32"]) {
    let mix: Partial<CellPrecision> | undefined;
    const flush = () => {
      if (mix) out.push({ vision: "fp32", projector: "fp32", decoder: "fp32", ...mix });
      mix = undefined;
    };
    for (const part of value.split(",").map((p) => p.trim())) {
      if (PRECISIONS.includes(part as "fp32")) {
        flush();
        const p = part as "fp32" | "fp16";
        out.push({ vision: p, projector: p, decoder: p });
        continue;
      }
      const [module, precision, extra] = part.split("=");
      if (
        extra !== undefined || !MODULES.includes(module as "vision") ||
        !PRECISIONS.includes(precision as "fp32")
      ) {
        throw new InputError(
          `--precision: "${part}" is not fp32, fp16 or <module>=<precision>`,
          "use e.g. --precision fp32,fp16 or --precision vision=fp16,decoder=fp32 (modules: vision, projector, decoder)",
        );
      }
      if (mix && module in mix) flush();
      mix = { ...mix, [module]: precision };
    }
    flush();
  }
  const seen = new Set<string>();
  return out.map((modules) => ({ name: precisionName(modules), modules })).filter((p) => {
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
