/**
 * Environment checks for `nanovlm doctor`: the onnxruntime-node version, the CUDA provider's
 * libraries (present, loadable), thread settings, and what to do when CUDA is missing.
 *
 * @module
 */
import { createRequire } from "node:module";
import { CUDA_PROVIDER_LIBRARIES, cudaInstallSteps, ortBinaryFolder } from "./providers.ts";

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
  /**
   * The CUDA provider: usable when every library loads; `installSteps` (only when not usable) says
   * how to install what is missing.
   */
  cuda: { usable: boolean; libraries: LibraryStatus[]; installSteps?: string };
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
    cuda: { usable, libraries, ...(usable ? {} : { installSteps: cudaInstallSteps() }) },
  };
}

/** Formats the report for a terminal. */
export function formatDoctor(report: DoctorReport): string {
  const lines = [
    `deno                 ${report.deno}`,
    `onnxruntime-node     ${report.onnxruntimeNode} (${report.binaryFolder})`,
    `cpu                  ${report.cpuCores} cores; onnxruntime uses all of them unless --threads is given`,
    `execution providers  cpu: available; cuda: ${
      report.cuda.usable ? "available" : "not available"
    }`,
  ];
  for (const lib of report.cuda.libraries) {
    const state = !lib.present
      ? "missing"
      : lib.loadable
      ? "loadable"
      : `present but not loadable: ${lib.error}`;
    lines.push(`  ${lib.name.padEnd(40)} ${state}`);
  }
  if (report.cuda.installSteps) lines.push("", "To enable CUDA:", report.cuda.installSteps);
  return lines.join("\n");
}
