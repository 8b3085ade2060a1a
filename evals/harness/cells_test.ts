import { InputError } from "../../src/mod.ts";
import { assertEquals, assertThrows } from "../../src/testing/mod.ts";
import { cellFileStem, parseCells, parsePrecisions } from "./cells.ts";

Deno.test("precisions: plain values, a per-module mix, mixes split where a module repeats", () => {
  assertEquals(parsePrecisions(["fp32,fp16,vision=fp16,decoder=fp32"]).map((p) => p.name), [
    "fp32",
    "fp16",
    "vision=fp16",
  ]);
  assertEquals(parsePrecisions(["vision=fp16,vision=fp32,decoder=fp16"]).map((p) => p.modules), [
    { vision: "fp16", projector: "fp32", decoder: "fp32" },
    { vision: "fp32", projector: "fp32", decoder: "fp16" },
  ]);
  // A mix that sets every module alike is that precision; duplicates collapse.
  assertEquals(
    parsePrecisions(["vision=fp16,projector=fp16,decoder=fp16", "fp16"]).map((p) => p.name),
    ["fp16"],
  );
  assertEquals(parsePrecisions([]).map((p) => p.name), ["fp32"]);
});

Deno.test("cells: precision x device, named <precision>@<device>, file-safe stems", () => {
  const cells = parseCells(["fp32,fp16"], ["cpu,cuda"]);
  assertEquals(cells.map((c) => c.name), ["fp32@cpu", "fp16@cpu", "fp32@cuda", "fp16@cuda"]);
  assertEquals(
    cellFileStem("vision=fp16,projector=fp32,decoder=fp32@cpu"),
    "vision-fp16+projector-fp32+decoder-fp32@cpu",
  );
});

Deno.test("cells: unknown precisions, modules and devices are named errors", () => {
  assertThrows(() => parsePrecisions(["fp8"]), InputError, /must be one of fp32, fp16; got "fp8"/);
  assertThrows(() => parsePrecisions(["lm=fp16"]), InputError, /unknown module "lm"/);
  assertThrows(() => parseCells([], ["tpu"]), InputError, /--device: "tpu"/);
});
