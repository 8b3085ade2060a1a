/**
 * Precision as a user writes it: one precision for every module (`fp16`), or a per-module mix
 * (`vision=fp16,decoder=fp32`; modules not named stay fp32). The CLI's `--precision` and the
 * eval harness read it with {@link parsePrecision} and print it back with {@link formatPrecision}.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { ModulePrecision, Precision } from "./options.ts";

/** The precisions a module can be computed in. */
export const PRECISIONS: readonly Precision[] = ["fp32", "fp16"];

/** The modules whose precision can be chosen on their own, in graph order. */
export const PRECISION_MODULES: readonly (keyof ModulePrecision)[] = [
  "vision",
  "projector",
  "decoder",
];

function precisionValue(value: string, where: string): Precision {
  if (!(PRECISIONS as readonly string[]).includes(value)) {
    throw new InputError(
      `${where} must be one of ${PRECISIONS.join(", ")}; got ${JSON.stringify(value)}`,
      "or a per-module mix such as vision=fp16,decoder=fp32",
    );
  }
  return value as Precision;
}

/**
 * Reads `fp16` or `vision=fp16,decoder=fp32` (modules not named stay fp32).
 *
 * @example
 * ```ts
 * parsePrecision("fp16"); // "fp16"
 * parsePrecision("vision=fp16,decoder=fp32"); // { vision: "fp16", decoder: "fp32" }
 * ```
 */
export function parsePrecision(
  spec: string,
  where = "--precision",
): Precision | Partial<ModulePrecision> {
  const text = spec.trim();
  if (!text.includes("=")) return precisionValue(text, where);
  const mix: Partial<ModulePrecision> = {};
  for (const part of text.split(",")) {
    const [module, value, ...rest] = part.split("=").map((s) => s.trim());
    if (value === undefined || rest.length > 0 || module === "") {
      throw new InputError(
        `${where}: "${part}" is not module=precision`,
        `write e.g. vision=fp16,decoder=fp32 (modules: ${PRECISION_MODULES.join(", ")})`,
      );
    }
    if (!(PRECISION_MODULES as readonly string[]).includes(module)) {
      throw new InputError(
        `${where}: unknown module "${module}"`,
        `name one of ${PRECISION_MODULES.join(", ")}`,
      );
    }
    const key = module as keyof ModulePrecision;
    if (key in mix) {
      throw new InputError(`${where}: module "${module}" is named twice`, "name each module once");
    }
    mix[key] = precisionValue(value, `${where} ${module}=`);
  }
  return mix;
}

/**
 * The short name of a per-module precision: `fp16` when every module shares it, else the mix of
 * the modules that differ from fp32, e.g. `vision=fp16`.
 */
export function formatPrecision(precision: ModulePrecision): string {
  const values = PRECISION_MODULES.map((m) => precision[m]);
  if (values.every((v) => v === values[0])) return values[0];
  return PRECISION_MODULES.filter((m) => precision[m] !== "fp32")
    .map((m) => `${m}=${precision[m]}`).join(",");
}
