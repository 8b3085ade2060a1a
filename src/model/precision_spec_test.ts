import { InputError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/mod.ts";
import { buildOptions } from "./options.ts";
import { formatPrecision, parsePrecision } from "./precision_spec.ts";

Deno.test("parsePrecision: one precision, or a per-module mix with the rest fp32", () => {
  assertEquals(parsePrecision("fp16"), "fp16");
  assertEquals(parsePrecision(" fp32 "), "fp32");
  const mix = parsePrecision("vision=fp16, decoder=fp32");
  assertEquals(mix, { vision: "fp16", decoder: "fp32" });
  assertEquals(buildOptions({ precision: mix }).precision, {
    vision: "fp16",
    projector: "fp32",
    decoder: "fp32",
  });
});

Deno.test("parsePrecision: a bad module, value or shape is a named error", () => {
  assertThrows(
    () => parsePrecision("fp8"),
    InputError,
    /--precision must be one of fp32, fp16; got "fp8"/,
  );
  assertThrows(() => parsePrecision("encoder=fp16"), InputError, /unknown module "encoder"/);
  assertThrows(() => parsePrecision("vision=fp16,vision=fp32"), InputError, /named twice/);
  assertThrows(() => parsePrecision("vision=fp16,decoder"), InputError, /is not module=precision/);
  assertThrows(
    () => parsePrecision("vision=bf16"),
    InputError,
    /--precision vision= must be one of fp32, fp16; got "bf16"/,
  );
});

Deno.test("formatPrecision: the shared value, or the modules that differ from fp32", () => {
  assertEquals(formatPrecision({ vision: "fp16", projector: "fp16", decoder: "fp16" }), "fp16");
  assertEquals(
    formatPrecision({ vision: "fp16", projector: "fp32", decoder: "fp32" }),
    "vision=fp16",
  );
  for (const spec of ["vision=fp16", "vision=fp16,decoder=fp16", "projector=fp16"]) {
    assertEquals(
      formatPrecision(buildOptions({ precision: parsePrecision(spec) }).precision),
      spec,
    );
  }
});
