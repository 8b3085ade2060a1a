/**
 * `deno task bench:quant`: fp32 vs int8 vs int4 weights on a synthesized 222M checkpoint, side by
 * side in one run (issue 11 §4). Each precision runs `model_case.ts` twice in its own process: the
 * first converts (quantises into the graph cache: conversion time and peak extra RSS), the second
 * runs with the cache warm and gives the timings and the process's peak RSS (its own `VmHWM`). Also measures the memory bandwidth in the same run and
 * prints, per precision, decode tokens/s and its ratio to fp32, the bytes a decode step reads,
 * that precision's own roofline (bytes ÷ bandwidth) and the fraction of the step it explains.
 *
 * A background process may be paused while measuring (`--pause <pid>`, SIGSTOP; always resumed
 * with SIGCONT, also on error or Ctrl-C).
 *
 * With `--profile`, each precision's decode steps are also profiled (see `decode_steps.ts`) and
 * printed split into kernels by op type, onnxruntime outside its kernels and the rest: where the
 * time beyond the roofline goes.
 *
 * usage: deno task bench:quant [--checkpoint <dir>] [--precisions fp32,int8,int4,int4/b128] [--threads n]
 *        [--pause <pid>] [--profile] [--out <file.json>]
 *
 * @module
 */
import { buildOptions, formatPrecision, openCheckpoint, parsePrecision } from "../../src/mod.ts";
import { decodeBytesRead } from "./flops.ts";
import { bandwidthLine, machineLine, measureMachine } from "./machine.ts";
import type { CaseResult } from "./model_case.ts";
import {
  benchCheckpoint,
  CASE_OPTIONS,
  parseBenchArgs,
  parseBenchPrecision,
  threadsOf,
} from "./options.ts";

const values = parseBenchArgs({
  ...CASE_OPTIONS,
  precisions: { type: "string" },
  pause: { type: "string" },
  profile: { type: "boolean" },
});

/**
 * Where a decode step at `precision` goes: `decode_steps.ts`'s profiled generation (32 steps, the
 * generation loop's path) on the case's warm graph cache, as its Markdown table.
 */
async function profileChild(dir: string, precision: string, cacheDir: string): Promise<string> {
  const script = new URL("./decode_steps.ts", import.meta.url).pathname;
  const args = ["run", "-A", script, dir, "1", "32", "profile", precision, cacheDir];
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
    .output();
  if (!out.success) throw new Error(`profile of ${precision} failed`);
  const text = new TextDecoder().decode(out.stdout);
  return text.slice(text.indexOf("profiled generation")).trim();
}

/** A `ps` field of a process (`/proc/<pid>` of another process needs --allow-all in Deno). */
function psField(pid: number, field: string): string {
  const out = new Deno.Command("ps", { args: ["-o", `${field}=`, "-p", String(pid)] }).outputSync();
  return new TextDecoder().decode(out.stdout).trim();
}

/**
 * Runs one model case in a child process; returns its figures, with the child's own peak resident
 * memory (`VmHWM`: nothing samples it from outside, so measuring costs the case nothing).
 */
async function runChild(
  dir: string,
  precision: string,
  cacheDir: string,
): Promise<{ result: CaseResult; peakRss: number }> {
  const args = ["run", "-A", new URL("./model_case.ts", import.meta.url).pathname];
  args.push(dir, "fast", precision, cacheDir);
  if (values.threads) args.push(values.threads);
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
    .output();
  if (!out.success) throw new Error(`case ${precision} failed`);
  const line = new TextDecoder().decode(out.stdout).trim().split("\n").pop()!;
  const result: CaseResult = JSON.parse(line);
  return { result, peakRss: result.peakRss };
}

const pausePid = values.pause ? Number(values.pause) : undefined;
/** Whether a process is stopped already (someone else paused it: it is theirs to resume). */
const stopped = (pid: number) => psField(pid, "stat").startsWith("T");
let pausedPid: number | undefined;
const resume = () => {
  if (pausedPid) {
    try {
      Deno.kill(pausedPid, "SIGCONT");
    } catch { /* gone */ }
    pausedPid = undefined;
  }
};
const onSignal = () => {
  resume();
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

const work = await Deno.makeTempDir({ prefix: "nanovlm-bench-quant-" });
try {
  const dir = await benchCheckpoint(values.checkpoint, work);
  const checkpoint = await openCheckpoint(dir);
  const config = checkpoint.config;
  const precisions = (values.precisions ?? "fp32,int8,int4").split(",");
  const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  if (pausePid && !stopped(pausePid)) {
    pausedPid = pausePid;
    Deno.kill(pausedPid, "SIGSTOP");
  } else if (pausePid) console.error(`pid ${pausePid} is already stopped: left as it is`);
  const machine = await measureMachine(threadsOf(values));
  const rows = [];
  const profiles: string[] = [];
  for (const spec of precisions) {
    const cacheDir = `${work}/cache-${spec}`;
    const first = await runChild(dir, spec, cacheDir);
    const warm = await runChild(dir, spec, cacheDir);
    const bench = parseBenchPrecision(spec);
    const options = buildOptions({
      precision: parsePrecision(bench.precision),
      quantization: bench.quantization,
    });
    const bytes = decodeBytesRead(config, options.precision, options.quantization);
    const msPerToken = warm.result.decodeMsPerToken.median;
    rows.push({
      precision: formatPrecision(options.precision) + spec.slice(bench.precision.length),
      quantization: options.quantization,
      conversionMs: first.result.conversionMs,
      conversionPeakExtraRss: first.result.conversionPeakExtraRss,
      peakRss: warm.peakRss,
      threads: warm.result.threads,
      visionMs: warm.result.visionMs.median,
      prefillMs: warm.result.prefillMs.median,
      decodeMsPerToken: msPerToken,
      decodeSd: warm.result.decodeMsPerToken.sd,
      tokensPerSecond: 1000 / msPerToken,
      bytesPerToken: bytes,
      rooflineMs: bytes / machine.bandwidth * 1000,
    });
    console.error(`${spec}: decode ${msPerToken.toFixed(1)} ms/token, peak RSS ${warm.peakRss}`);
    if (values.profile) profiles.push(`#### ${spec}: ${await profileChild(dir, spec, cacheDir)}`);
  }
  resume();
  const loadAfter = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  const fp32 = rows.find((r) => r.precision === "fp32");
  const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
  const lines = [
    `# ${values.checkpoint ?? "nanoVLM-222M (synthesized)"}: fp32 vs int8 vs int4 weights`,
    "",
    `machine: ${machineLine(rows[0]?.threads ?? 0)}${
      values.threads ? "" : " (the CLI's default: every core)"
    }; ${bandwidthLine(machine)}; load average before ${load}, after ${loadAfter}${
      pausedPid ? `; background pid ${pausedPid} paused while measuring` : ""
    }`,
    "",
    "| precision | convert s (peak extra RSS) | peak RSS (× fp32) | vision ms | prefill ms | decode ms/token | tokens/s (× fp32) | bytes/token | own roofline ms (share of step) |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) =>
      `| ${r.precision} | ${(r.conversionMs / 1000).toFixed(1)} (${
        mb(r.conversionPeakExtraRss)
      }) | ${mb(r.peakRss)} (${fp32 ? (r.peakRss / fp32.peakRss).toFixed(2) : "—"}) | ${
        r.visionMs.toFixed(0)
      } | ${r.prefillMs.toFixed(0)} | ${r.decodeMsPerToken.toFixed(1)} ± ${
        r.decodeSd.toFixed(1)
      } | ${r.tokensPerSecond.toFixed(1)} (${
        fp32 ? (r.tokensPerSecond / fp32.tokensPerSecond).toFixed(2) : "—"
      }) | ${mb(r.bytesPerToken)} | ${r.rooflineMs.toFixed(1)} (${
        (100 * r.rooflineMs / r.decodeMsPerToken).toFixed(0)
      }%) |`
    ),
  ];
  if (profiles.length) {
    lines.push(
      "",
      "### Where a decode step goes (onnxruntime's profiler)",
      "",
      profiles.join("\n\n"),
    );
  }
  console.log(lines.join("\n"));
  if (values.out) {
    await Deno.writeTextFile(values.out, JSON.stringify({ machine, load, rows }, null, 2));
  }
} finally {
  resume();
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
