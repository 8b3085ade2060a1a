import { assert } from "../../src/testing/mod.ts";
import { bandwidthLine, machineLine } from "./machine.ts";

Deno.test("machineLine names the CPU model as lscpu does, the cores, threads and load", () => {
  const line = machineLine(3);
  assert(line.includes(`, ${navigator.hardwareConcurrency} cores, 3 threads, `), line);
  assert(/load \d+\.\d\d \d+\.\d\d \d+\.\d\d$/.test(line), line);
  let lscpu: string | undefined;
  try {
    const out = new Deno.Command("lscpu", { stdout: "piped", stderr: "null" }).outputSync();
    lscpu = /^Model name:\s*(.+)$/m.exec(new TextDecoder().decode(out.stdout))?.[1];
  } catch { /* no lscpu here */ }
  if (lscpu) assert(line.startsWith(`${lscpu}, `), `${line} does not start with ${lscpu}`);
  else console.warn("machineLine test: no lscpu on this machine; the CPU model is not checked");
});

Deno.test("bandwidthLine gives the roofline's probe first, then every other probe", () => {
  const line = bandwidthLine({
    bandwidth: 59.34e9,
    bandwidthProbe: "row sums",
    bandwidthProbes: { "sum": 29.71e9, "row sums": 59.34e9 },
    gemmPeak: 3.5e11,
  });
  assert(line === "memory bandwidth 59.3 GB/s (row sums; sum 29.7)", line);
});
