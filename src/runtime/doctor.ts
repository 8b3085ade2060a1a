/**
 * Environment checks for `nanovlm doctor`: the onnxruntime-node version, the CUDA provider's
 * libraries (present, loadable), the WebGPU provider (bundled, adapter found), thread settings,
 * and what to do when CUDA is missing.
 *
 * @module
 */
import { createRequire } from "node:module";
import { ort } from "./ort.ts";
import { GraphBuilder, serializeModel } from "../onnx/mod.ts";
import {
  CUDA_PROVIDER_LIBRARIES,
  cudaInstallSteps,
  ortBinaryFolder,
  webgpuBundled,
} from "./providers.ts";
import { type AvailableCores, availableCores } from "./threads.ts";

/** One library's status. */
export interface LibraryStatus {
  /** File name of the library, e.g. `libonnxruntime_providers_cuda.so`. */
  name: string;
  /** Whether the file exists in onnxruntime-node's binary folder. */
  present: boolean;
  /** Whether the dynamic linker could load it (with its own dependencies). */
  loadable: boolean;
  /** The linker's message when it could not. */
  error?: string;
}

/** The doctor's findings. */
export interface DoctorReport {
  /** Deno's version. */
  deno: string;
  /** onnxruntime-node's version. */
  onnxruntimeNode: string;
  /** The folder holding onnxruntime-node's native binding and provider libraries. */
  binaryFolder: string;
  /** Logical CPU cores (`navigator.hardwareConcurrency`). */
  cpuCores: number;
  /** The cores this process may use: every session's intra-op threads unless `--threads` is given. */
  threads: AvailableCores;
  /**
   * The CUDA provider: usable when every library loads; `installSteps` (only when not usable) says
   * how to install what is missing.
   */
  cuda: { usable: boolean; libraries: LibraryStatus[]; installSteps?: string };
  /** The WebGPU provider, once {@link probeWebGpu} ran (the CLI's doctor runs it). */
  webgpu?: WebGpuStatus;
}

/** Whether onnxruntime-node's bundled WebGPU provider can run a graph here. */
export interface WebGpuStatus {
  /** The build lists the provider (`listSupportedBackends`). */
  bundled: boolean;
  /** A one-node graph ran on it. */
  usable: boolean;
  /** onnxruntime's message when it did not (e.g. "Failed to get a WebGPU adapter"). */
  error?: string;
}

/** Tries a one-node graph (`y = x + x`) on the WebGPU provider and checks its result. */
export async function probeWebGpu(): Promise<WebGpuStatus> {
  if (!webgpuBundled()) return { bundled: false, usable: false, error: "not in this build" };
  const g = new GraphBuilder("webgpu_probe");
  const x = g.input("x", "float32", [4]);
  g.output(g.op("Add", [x, x]), "y", "float32", [4]);
  let session: ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(serializeModel(g), {
      executionProviders: ["webgpu"],
      logSeverityLevel: 4,
    });
    const out = await session.run({
      x: new ort.Tensor("float32", Float32Array.of(1, 2, 3, 4), [4]),
    });
    const y = Array.from(out.y.data as Float32Array);
    const ok = y.join() === "2,4,6,8";
    return { bundled: true, usable: ok, ...(ok ? {} : { error: `wrong result ${y.join(",")}` }) };
  } catch (error) {
    return { bundled: true, usable: false, error: firstLine((error as Error).message) };
  } finally {
    await session?.release();
  }
}

/** onnxruntime's message without its source location and failed condition (`… was false. `). */
function firstLine(text: string): string {
  const line = text.trim().split("\n")[0];
  const reason = line.split(" was false. ").pop()!;
  return reason.slice(0, 200);
}

/**
 * Checks the environment.
 *
 * @example
 * ```ts
 * const report = runDoctor();
 * if (!report.cuda.usable) console.log(formatDoctor(report)); // includes the install steps
 * ```
 */
export function runDoctor(): DoctorReport {
  const require = createRequire(import.meta.url);
  const version = (require("onnxruntime-node/package.json") as { version: string }).version;
  const folder = ortBinaryFolder();
  const libraries = CUDA_PROVIDER_LIBRARIES.map((name): LibraryStatus => {
    const path = `${folder}/${name}`;
    try {
      Deno.statSync(path);
    } catch {
      return { name, present: false, loadable: false };
    }
    try {
      Deno.dlopen(path, {}).close();
      return { name, present: true, loadable: true };
    } catch (error) {
      return { name, present: true, loadable: false, error: (error as Error).message };
    }
  });
  const usable = libraries.every((l) => l.loadable);
  return {
    deno: Deno.version.deno,
    onnxruntimeNode: version,
    binaryFolder: folder,
    cpuCores: navigator.hardwareConcurrency,
    threads: availableCores(),
    cuda: { usable, libraries, ...(usable ? {} : { installSteps: cudaInstallSteps() }) },
  };
}

/** Formats the report for a terminal. */
export function formatDoctor(report: DoctorReport): string {
  const lines = [
    `deno                 ${report.deno}`,
    `onnxruntime-node     ${report.onnxruntimeNode} (${report.binaryFolder})`,
    `cpu                  ${report.cpuCores} cores; this process may use ${report.threads.count} (${report.threads.source})`,
    `threads              ${report.threads.count} intra-op threads per session (vision, embed, decoder) unless --threads is given`,
    `execution providers  cpu: available; cuda: ${
      report.cuda.usable ? "available" : "not available"
    }${report.webgpu ? `; webgpu: ${report.webgpu.usable ? "available" : "not available"}` : ""}`,
  ];
  for (const lib of report.cuda.libraries) {
    const state = !lib.present
      ? "missing"
      : lib.loadable
      ? "loadable"
      : `present but not loadable: ${lib.error}`;
    lines.push(`  ${lib.name.padEnd(40)} ${state}`);
  }
  if (report.webgpu) {
    const w = report.webgpu;
    const state = !w.bundled
      ? "not bundled in this onnxruntime-node build"
      : w.usable
      ? "bundled; a test graph ran (--device webgpu)"
      : `bundled; no usable adapter: ${w.error}`;
    lines.push(`  ${"webgpu (bundled with onnxruntime-node)".padEnd(40)} ${state}`);
  }
  if (report.cuda.installSteps) lines.push("", "To enable CUDA:", report.cuda.installSteps);
  return lines.join("\n");
}
