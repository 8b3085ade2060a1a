import { EngineError, InputError } from "../errors.ts";
import { buildOptions } from "../model/mod.ts";
import { assertEquals, assertThrows } from "../testing/mod.ts";
import { formatDoctor, probeWebGpu, runDoctor } from "./doctor.ts";
import {
  missingCudaLibraries,
  ortBinaryFolder,
  resolveProvider,
  webgpuBundled,
} from "./providers.ts";
import { availableCores } from "./threads.ts";

Deno.test("providers: cpu is always cpu; auto and cuda follow the CUDA libraries beside the binding", () => {
  assertEquals(resolveProvider("cpu"), "cpu");
  const missing = missingCudaLibraries();
  if (missing.length > 0) {
    assertEquals(resolveProvider("auto"), "cpu");
    const error = assertThrows(
      () => resolveProvider("cuda"),
      EngineError,
      /CUDA execution provider is not installed/,
    );
    // The hint is the fix: where the libraries go and how to get them.
    assertEquals((error as EngineError).hint?.includes(ortBinaryFolder()), true);
    assertEquals(
      (error as EngineError).hint?.includes("--allow-scripts=npm:onnxruntime-node"),
      true,
    );
  } else {
    assertEquals(resolveProvider("auto"), "cuda");
    assertEquals(resolveProvider("cuda"), "cuda");
  }
});

Deno.test("doctor: reports the pinned onnxruntime-node and the state of each CUDA library", () => {
  const report = runDoctor();
  const imports =
    JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url))).imports;
  assertEquals(`npm:onnxruntime-node@${report.onnxruntimeNode}`, imports["onnxruntime-node"]);
  assertEquals(
    report.cuda.libraries.map((l) => l.present),
    report.cuda.libraries.map((l) => !missingCudaLibraries().includes(l.name)),
  );
  assertEquals(report.cuda.usable, report.cuda.libraries.every((l) => l.loadable));
  assertEquals(report.threads, availableCores());
  assertEquals(formatDoctor(report).includes(`${report.threads.count} intra-op threads`), true);
});

Deno.test("doctor: the bundled WebGPU provider is probed with a graph whose result is checked", async () => {
  const status = await probeWebGpu();
  assertEquals(status.bundled, webgpuBundled());
  if (!status.usable) {
    // No adapter (no GPU here): a clear reason, and --device webgpu fails as a named error.
    assertEquals(typeof status.error, "string");
    assertEquals(status.error!.includes("\n"), false);
    const line = formatDoctor({ ...runDoctor(), webgpu: status });
    assertEquals(line.includes("webgpu: not available"), true);
  }
  if (status.bundled) assertEquals(resolveProvider("webgpu"), "webgpu");
});

Deno.test("load options: unknown flavour, kernels, precision and provider are named errors", () => {
  assertThrows(
    () => buildOptions({ flavour: "bogus" as never }),
    InputError,
    /flavour must be one of fast, inspect/,
  );
  assertThrows(() => buildOptions({ precision: "fp8" as never }), InputError, /vision precision/);
  assertThrows(
    () => buildOptions({ precision: { decoder: "bf16" as never } }),
    InputError,
    /decoder precision/,
  );
  assertThrows(() => buildOptions({ kernels: "cudnn" as never }), InputError, /kernels/);
  assertThrows(
    () => resolveProvider("tpu" as never),
    InputError,
    /provider must be cpu, cuda, webgpu or auto/,
  );
  assertEquals(buildOptions({ precision: { decoder: "fp16" } }).precision, {
    vision: "fp32",
    projector: "fp32",
    decoder: "fp16",
    head: "fp16",
  });
});
