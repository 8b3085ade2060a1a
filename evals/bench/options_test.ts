import { assertEquals, assertThrows } from "../../src/testing/mod.ts";
import {
  benchCheckpoint,
  CASE_OPTIONS,
  CHECKPOINT_OPTION,
  parseBenchArgs,
  parseBenchPrecision,
  threadsOf,
} from "./options.ts";

Deno.test("bench options: the shared options a script names parse; the others are refused", () => {
  const args = ["--checkpoint", "ckpt", "--threads", "3", "--out", "f"];
  const values = parseBenchArgs(CASE_OPTIONS, args);
  assertEquals({ ...values }, { checkpoint: "ckpt", threads: "3", out: "f" });
  assertEquals(threadsOf(values), 3);
  assertEquals(threadsOf(parseBenchArgs(CASE_OPTIONS, [])), undefined);
  // A script that writes no JSON takes no --out.
  assertThrows(() => parseBenchArgs(CHECKPOINT_OPTION, ["--out", "f"]), TypeError, /--out/);
});

Deno.test("bench options: a given checkpoint is measured as it is, nothing synthesized", async () => {
  const work = await Deno.makeTempDir();
  try {
    assertEquals(await benchCheckpoint("checkpoints/given", work), "checkpoints/given");
    assertEquals([...Deno.readDirSync(work)], []);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("bench options: a precision spec carries its quantisation suffixes; an unknown one is refused", () => {
  assertEquals(parseBenchPrecision("int4"), { precision: "int4", quantization: {} });
  assertEquals(parseBenchPrecision("int4/b128/asym"), {
    precision: "int4",
    quantization: { blockSize: 128, symmetric: false },
  });
  assertEquals(parseBenchPrecision("vision=fp16,decoder=int8/acc0"), {
    precision: "vision=fp16,decoder=int8",
    quantization: { accuracyLevel: 0 },
  });
  assertThrows(() => parseBenchPrecision("int4/b"), Error, /unknown suffix "\/b"/);
});
