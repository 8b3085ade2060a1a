import { EngineError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { runDoctor } from "./doctor.ts";
import { missingCudaLibraries, ortBinaryFolder, resolveProvider } from "./providers.ts";

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
});
