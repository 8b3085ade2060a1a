/**
 * The machine a cell ran on, put in every row of the results (llama-bench style), and the
 * process's peak resident memory (Linux `VmHWM`, reset per cell through `/proc/self/clear_refs`).
 *
 * @module
 */
import { ort } from "../../src/mod.ts";
import type { MachineInfo } from "./types.ts";

function cpuModel(): string {
  try {
    const match = Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.+)$/m);
    if (match) return match[1].trim();
  } catch { /* not Linux, or not readable */ }
  return "unknown";
}

/** Describes this machine for a cell that ran on `provider` with `threads` intra-op threads. */
export function machineInfo(provider: string, threads: number | undefined): MachineInfo {
  return {
    cores: navigator.hardwareConcurrency,
    threads: threads ?? null,
    onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
    provider,
    cpu: cpuModel(),
    os: `${Deno.build.os}-${Deno.build.arch}`,
    deno: Deno.version.deno,
  };
}

/** Resets the peak-RSS counter (Linux; elsewhere nothing happens and the peak is the process's). */
export function resetPeakRss(): void {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  } catch { /* not Linux, or not permitted */ }
}

/** Peak resident memory since the last reset, MiB (falls back to the current RSS). */
export function peakRssMb(): number {
  try {
    const match = Deno.readTextFileSync("/proc/self/status").match(/^VmHWM:\s+(\d+)\s+kB/m);
    if (match) return Number(match[1]) / 1024;
  } catch { /* not Linux */ }
  return Deno.memoryUsage().rss / (1 << 20);
}
