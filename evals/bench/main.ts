/**
 * `deno task bench`: the performance figures of issue 3 on a synthesized full-size 222M checkpoint.
 * For each flavour × precision (each case in its own process): conversion time and peak extra RSS,
 * session creation, vision encode (one 224 px image), prefill (49 image + 20 text tokens) and
 * decode ms/token over 4 generations of 65 tokens (per-step p50/p90/p99/max and whole-generation
 * percentiles, with the threads and CPU/wall of every case); in the same run the machine's memory
 * bandwidth and GEMM peak, and the fractions: decode vs the bandwidth roofline, vision and prefill
 * vs GEMM peak, and time to first token (224 px image + 20-token prompt) over its FLOP bound (vision
 * and prefill FLOPs at the GEMM peak). The ceilings are best-of figures, so the stages' fractions
 * are given at their median and at their best run. Every case runs with all available cores unless --threads is given. Prints
 * Markdown tables headed by the machine line (CPU, cores, threads, onnxruntime version, load);
 * `--out <file.json>` also writes the figures as JSON (committed reports change only on purpose).
 *
 * usage: deno task bench [--checkpoint <dir>] [--threads n] [--cases fast:fp32,fast/worker:fp32,...] [--out <file>]
 *
 * @module
 */
import {
  buildOptions,
  intraOpThreads,
  openCheckpoint,
  parsePrecision,
  resolveProvider,
} from "../../src/mod.ts";
import { decodeBytesRead, decodeWeightBytes, prefillFlops, visionFlops } from "./flops.ts";
import { bandwidthLine, machineLine, measureMachine } from "./machine.ts";
import type { CaseResult } from "./model_case.ts";
import {
  benchCheckpoint,
  CASE_OPTIONS,
  parseBenchArgs,
  parseBenchPrecision,
  threadsOf,
} from "./options.ts";

const values = parseBenchArgs({ ...CASE_OPTIONS, cases: { type: "string" } });
const work = await Deno.makeTempDir({ prefix: "nanovlm-bench-" });
try {
  const dir = await benchCheckpoint(values.checkpoint, work, { timed: true });
  const checkpoint = await openCheckpoint(dir);
  const machine = await measureMachine(threadsOf(values));
  const config = checkpoint.config;
  const defaults =
    "fast:fp32,fast/worker:fp32,fast+microsoft:fp32,fast/nopack:fp32,inspect:fp32,fast:fp16,inspect:fp16";
  // Where the CUDA provider is installed, every default case runs on it too.
  const cudaCases = resolveProvider("auto") === "cuda"
    ? "," + defaults.split(",").map((c) => c.replace(":", "@cuda:")).join(",")
    : "";
  const cases = (values.cases ?? defaults + cudaCases).split(",").map((c) => c.split(":"));
  const results: CaseResult[] = [];
  for (const [flavour, precision] of cases) {
    const cacheDir = `${work}/cache-${flavour}-${precision}`;
    const args = [
      "run",
      "-A",
      new URL("./model_case.ts", import.meta.url).pathname,
      dir,
      flavour,
      precision,
      cacheDir,
    ];
    if (values.threads) args.push(values.threads);
    const out = await new Deno.Command(Deno.execPath(), { args, stderr: "inherit" }).output();
    if (!out.success) throw new Error(`case ${flavour}:${precision} failed`);
    const result: CaseResult = JSON.parse(
      new TextDecoder().decode(out.stdout).trim().split("\n").pop()!,
    );
    results.push(result);
    const d = result.decodeMsPerToken;
    console.error(
      `${flavour} ${precision} (${result.threads} threads): decode p50 ${d.median.toFixed(1)} p99 ${
        d.p99.toFixed(1)
      } ms/token`,
    );
  }
  const weightsBytes = checkpoint.parameters.total * 4;
  const pct = (x: number) => Number.isNaN(x) ? "—" : `${(100 * x).toFixed(0)}%`;
  const times = (x: number) => Number.isNaN(x) ? "—" : `${x.toFixed(2)}×`;
  const ms = (t: { mean: number; sd: number; median: number }) =>
    `${t.mean.toFixed(1)} ± ${t.sd.toFixed(1)} (median ${t.median.toFixed(1)})`;
  // The ceilings are the CPU's: GPU rows get no fractions.
  const cpuOnly = (r: CaseResult, value: number) => r.flavour.includes("@cuda") ? NaN : value;
  const rows = results.map((r) => {
    // Each precision's own bytes (fp16 graphs still compute on fp32 weights on this CPU).
    const spec = parseBenchPrecision(r.precision);
    const options = buildOptions({
      precision: parsePrecision(spec.precision),
      quantization: spec.quantization,
    });
    const bytes = decodeBytesRead(config, options.precision, options.quantization);
    const roofline = bytes / machine.bandwidth * 1000;
    // Each stage's FLOPs at the GEMM peak, ms: the time it could take at best.
    const visionBoundMs = visionFlops(config) / machine.gemmPeak * 1000;
    const prefillBoundMs = prefillFlops(config, r.prefillTokens) / machine.gemmPeak * 1000;
    return {
      ...r,
      decodeRooflineMs: roofline,
      decodeVsRoofline: cpuOnly(r, roofline / r.decodeMsPerToken.median),
      visionVsGemmPeak: cpuOnly(r, visionBoundMs / r.visionMs.median),
      visionBestVsGemmPeak: cpuOnly(r, visionBoundMs / r.visionMs.min),
      prefillVsGemmPeak: cpuOnly(r, prefillBoundMs / r.prefillMs.median),
      prefillBestVsGemmPeak: cpuOnly(r, prefillBoundMs / r.prefillMs.min),
      firstTokenBoundMs: visionBoundMs + prefillBoundMs,
      firstTokenVsBound: cpuOnly(r, r.firstTokenMs.median / (visionBoundMs + prefillBoundMs)),
      firstTokenBestVsBound: cpuOnly(r, r.firstTokenMs.min / (visionBoundMs + prefillBoundMs)),
      conversionExtraRssVsWeights: r.conversionPeakExtraRss / weightsBytes,
    };
  });
  const best = Math.min(
    ...rows.filter((r) => r.precision === "fp32").map((r) => r.decodeMsPerToken.median),
  );
  const f1 = (x: number) => x.toFixed(1);
  const lines = [
    `# ${
      values.checkpoint ?? "nanoVLM-222M (synthesized)"
    } on ${navigator.hardwareConcurrency} CPU cores, onnxruntime-node cpu`,
    "",
    `machine: ${machineLine(intraOpThreads(values.threads ? Number(values.threads) : undefined))}`,
    "",
    `machine: ${bandwidthLine(machine)}, fp32 GEMM peak ${
      (machine.gemmPeak / 1e9).toFixed(0)
    } GFLOP/s; ` +
    `fp32 decode reads ${
      (decodeWeightBytes(config, 4) / 1e6).toFixed(0)
    } MB of weights per token ` +
    "(each row's roofline uses its own precision's bytes)",
    "",
    "| flavour | precision | threads | convert s | convert peak extra RSS (× weights) | session s (RSS) | vision ms | prefill ms (69 tok) | decode ms/token | decode vs roofline (median) | vision vs GEMM peak (median; best) | prefill vs GEMM peak (median; best) | first token ms | first token ÷ FLOP bound (median; best) |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) =>
      `| ${r.flavour} | ${r.precision} | ${r.threads} | ${(r.conversionMs / 1000).toFixed(2)} | ${
        (r.conversionPeakExtraRss / 1e6).toFixed(0)
      } MB (${r.conversionExtraRssVsWeights.toFixed(2)}) | ${(r.sessionMs / 1000).toFixed(2)} (${
        (r.sessionRss / 1e6).toFixed(0)
      } MB) | ${ms(r.visionMs)} | ${ms(r.prefillMs)} | ${ms(r.decodeMsPerToken)} | ${
        pct(r.decodeVsRoofline)
      } | ${pct(r.visionVsGemmPeak)}; ${pct(r.visionBestVsGemmPeak)} | ${
        pct(r.prefillVsGemmPeak)
      }; ${pct(r.prefillBestVsGemmPeak)} | ${ms(r.firstTokenMs)} | ${times(r.firstTokenVsBound)}; ${
        times(r.firstTokenBestVsBound)
      } |`
    ),
    "",
    "Decode steps and whole generations (prefill + 65 greedy tokens through the generation loop, 4 timed), ms:",
    "",
    "| flavour | precision | threads | CPU/wall | decode p50 | p90 | p99 | max | p99/p50 | generation p50 | p90 | p99 | max | event-loop delay (vision + prefill) |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => {
      const d = r.decodeMsPerToken;
      const g = r.generationMs;
      return `| ${r.flavour} | ${r.precision} | ${r.threads} | ${r.cpuPerWall.toFixed(2)} | ${
        f1(d.median)
      } | ${f1(d.p90)} | ${f1(d.p99)} | ${f1(d.max)} | ${(d.p99 / d.median).toFixed(2)} | ${
        f1(g.median)
      } | ${f1(g.p90)} | ${f1(g.p99)} | ${f1(g.max)} | ${f1(r.eventLoopDelayMs)} |`;
    }),
  ];
  const fastFp32 = rows.find((r) => r.flavour === "fast" && r.precision === "fp32");
  if (fastFp32) {
    lines.push(
      "",
      `fp32 decode: fast flavour ${fastFp32.decodeMsPerToken.median.toFixed(1)} ms/token vs best ` +
        `attention implementation ${best.toFixed(1)} ms/token (medians)`,
    );
  }
  console.log(lines.join("\n"));
  if (values.out) {
    const config = values.checkpoint ?? "222m";
    await Deno.writeTextFile(values.out, JSON.stringify({ machine, config, rows }, null, 2));
    console.log(`\nwrote ${values.out}`);
  }
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
