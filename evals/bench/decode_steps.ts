/**
 * `deno task bench:steps`: where decode's per-step tails come from, A/B in one process. The
 * decoder session of a checkpoint runs the same prefill + N greedy-shaped steps per variant,
 * alternating variants round by round, and per step records the wall time, the process's CPU
 * time over all its threads (getrusage, µs) and its minor page faults.
 *
 * Variants (comma-separated, combinable with `+`): `fresh` (onnxruntime allocates every
 * `present.*` tensor; with a graph that returns only the new keys and values, the cache grows
 * into new tensors), `arena` (present bound to a preallocated {@link KVCacheArena}), `append`
 * (the generation loop's path: only the new `added.*` keys and values fetched, the cache grown
 * in the arena; the only way a fast graph without present outputs runs besides `fresh`), `ortdefault` (intra-op threads left to onnxruntime), `noarena` (no CPU memory
 * arena), `nopattern` (no memory pattern), `nospin` (no spin-waiting), `stopspin` (spinning stops
 * when each run returns, as the runtime's sessions do). `profile` is not timed: one
 * more generation on the `append` path runs with onnxruntime's profiler, and its steps are printed
 * split into kernels by op type, onnxruntime outside its kernels and the time outside onnxruntime.
 *
 * usage: deno task bench:steps <checkpoint-dir> [rounds=3] [steps=64] [variants=fresh,arena,append] [precision=fp32, e.g. int4/b128] [cache-dir] [prompt=69]
 * (a given graph cache is kept and reused; by default a temporary one is made and removed)
 *
 * @module
 */
import {
  ADDED_ALL,
  buildOptions,
  intraOpThreads,
  KVCache,
  KVCacheArena,
  openCheckpoint,
  ort,
  parsePrecision,
  prepareGraph,
  sessionOptionsFor,
  unpackAdded,
} from "../../src/mod.ts";
import process from "node:process";
import { machineLine } from "./machine.ts";
import { formatBreakdown, type ProfileEvent, stepBreakdown } from "./profile.ts";
import { quantile } from "./model_case.ts";
import { parseBenchPrecision } from "./options.ts";

const [
  dir,
  rounds = "3",
  steps = "64",
  variantsArg = "fresh,arena,append",
  precision = "fp32",
  keptCache,
  promptArg = "69",
] = Deno.args;
if (!dir) {
  console.error(
    "bench:steps needs a checkpoint folder: deno task bench:steps <checkpoint-dir> [rounds=3] " +
      "[steps=64] [variants=fresh,arena,append] [precision=fp32] [cache-dir] [prompt=69] " +
      "(make a 222M one with `deno task nanovlm synth --preset 222m --out DIR`)",
  );
  Deno.exit(2);
}
const checkpoint = await openCheckpoint(dir);
const c = checkpoint.config;
const cacheDir = keptCache ?? await Deno.makeTempDir({ prefix: "nanovlm-steps-" });
const benchPrecision = parseBenchPrecision(precision);
const graph = await prepareGraph(
  "decoder",
  checkpoint,
  buildOptions({
    precision: parsePrecision(benchPrecision.precision),
    quantization: benchPrecision.quantization,
  }),
  cacheDir,
);

/** CPU time of all this process's threads, ms (getrusage: no /proc access needed). */
function cpuMs(): number {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1000;
}

/** Minor page faults of this process so far. */
function minorFaults(): number {
  return process.resourceUsage().minorPageFault;
}

const profiled = variantsArg.split(",").includes("profile");
const variants = variantsArg.split(",").filter((v) => v !== "profile");
const sessions: Record<string, ort.InferenceSession> = {};
let profileFolder: string | undefined;
if (profiled) {
  const options = sessionOptionsFor(graph.weightsFolder);
  profileFolder = await Deno.makeTempDir({ prefix: "nanovlm-profile-" });
  options.enableProfiling = true;
  options.profileFilePrefix = `${profileFolder}/profile`;
  sessions.profile = await ort.InferenceSession.create(graph.bytes, options);
}
for (const v of variants) {
  const options = sessionOptionsFor(graph.weightsFolder, {
    spinning: !v.includes("nospin"),
    stopSpinningAfterRun: v.includes("stopspin"),
  });
  if (v.includes("noarena")) options.enableCpuMemArena = false;
  if (v.includes("nopattern")) options.enableMemPattern = false;
  if (v.includes("ortdefault")) delete options.intraOpNumThreads;
  sessions[v] = await ort.InferenceSession.create(graph.bytes, options);
}
const i64 = (a: number[], dims: number[]) =>
  new ort.Tensor("int64", BigInt64Array.from(a.map(BigInt)), dims);
const hidden = c.lm_hidden_dim;
const blocks = c.lm_n_blocks;
const kvHeads = c.lm_n_kv_heads;
const headDim = hidden / c.lm_n_heads;
/** Positions prefilled before the timed steps (49 image + 20 text tokens by default). */
const promptLength = Number(promptArg);
if (!Number.isInteger(promptLength) || promptLength < 1) {
  console.error(`bench:steps: prompt must be a whole number of positions ≥ 1, got '${promptArg}'`);
  Deno.exit(2);
}

interface Steps {
  wall: number[];
  cpu: number[];
  faults: number[];
}

async function generation(variant: string, n: number): Promise<Steps> {
  const session = sessions[variant];
  const modes = variant.split("+");
  // A graph without present outputs (the fast flavour) always returns the new tokens alone.
  const hasPresent = session.outputNames.includes("present.0.key");
  const appends = !hasPresent || modes.includes("append") || variant === "profile";
  const binds = hasPresent && modes.includes("arena");
  const arena = new KVCacheArena(blocks, kvHeads * (promptLength + n + 1) * headDim);
  let cache = KVCache.empty(blocks, 1, kvHeads, headDim);
  const embeds = new Float32Array(promptLength * hidden).map((_, i) => Math.sin(i) * 0.1);
  const out: Steps = { wall: [], cpu: [], faults: [] };
  for (let t = 0; t <= n; t++) {
    const past = cache.length;
    const tokens = t === 0 ? promptLength : 1;
    const feeds = {
      inputs_embeds: new ort.Tensor("float32", t === 0 ? embeds : new Float32Array(0), [
        1,
        t === 0 ? promptLength : 0,
        hidden,
      ]),
      input_ids: t === 0 ? i64([], [1, 0]) : i64([100 + t], [1, 1]),
      // An arena's spare slots are padding (see KVCache.slotMask).
      attention_mask: i64(Array.from(cache.slotMask(Array(past + tokens).fill(1), tokens)), [
        1,
        cache.slots + tokens,
      ]),
      position_ids: i64(Array.from({ length: tokens }, (_, i) => past + i), [1, tokens]),
      logits_index: i64([tokens - 1], [1]),
      ...cache.feeds(),
    };
    const bound = binds
      ? arena.presentOutputs(cache, [1, kvHeads, past + tokens, headDim])
      : undefined;
    // The new keys and values as the runtime fetches them: one packed output where the graph
    // has it (the fast flavour), else one a block.
    const packed = appends && session.outputNames.includes(ADDED_ALL);
    const fetches: Record<string, ort.Tensor | null> = { logits: null };
    if (packed) fetches[ADDED_ALL] = null;
    for (let i = 0; i < blocks && !packed; i++) {
      for (const k of ["key", "value"]) {
        if (appends) fetches[`added.${i}.${k}`] = null;
        else fetches[`present.${i}.${k}`] = bound?.[`present.${i}.${k}`] ?? null;
      }
    }
    const [wall0, cpu0, faults0] = [performance.now(), cpuMs(), minorFaults()];
    const result = await session.run(feeds, fetches);
    if (t > 0) {
      out.wall.push(performance.now() - wall0);
      out.cpu.push(cpuMs() - cpu0);
      out.faults.push(minorFaults() - faults0);
    }
    const added = packed ? unpackAdded(result[ADDED_ALL], blocks) : result;
    cache = !appends
      ? KVCache.fromPresent(bound ?? result, blocks)
      : modes.includes("fresh")
      ? cache.extend(added)
      : arena.append(cache, added);
  }
  return out;
}

/** One profiled generation on the append path: its decode steps split by where the time goes. */
async function profile(n: number): Promise<string> {
  const { wall } = await generation("profile", n);
  sessions.profile.endProfiling();
  const folder = profileFolder!;
  const file = [...Deno.readDirSync(folder)].find((e) => e.name.startsWith("profile"))!;
  const events: ProfileEvent[] = JSON.parse(Deno.readTextFileSync(`${folder}/${file.name}`));
  await Deno.remove(folder, { recursive: true });
  // Run 0 is the prefill; runs 1..n the decode steps.
  const steps = stepBreakdown(events, Array.from({ length: n }, (_, i) => i + 1));
  const medianWall = [...wall].sort((a, b) => a - b)[wall.length >> 1];
  const meanWall = wall.reduce((a, b) => a + b, 0) / wall.length;
  return `\nprofiled generation (${precision}, ${n} steps; wall p50 ${
    medianWall.toFixed(2)
  } ms, mean ${meanWall.toFixed(2)} ms; the profiler itself adds time):\n\n${
    formatBreakdown(steps, meanWall)
  }`;
}

try {
  const all: Record<string, Steps> = {};
  for (const v of variants) {
    await generation(v, 16); // warm-up: pages in the weights
    all[v] = { wall: [], cpu: [], faults: [] };
  }
  for (let r = 0; r < Number(rounds); r++) {
    for (const v of variants) {
      const steps_ = await generation(v, Number(steps));
      all[v].wall.push(...steps_.wall);
      all[v].cpu.push(...steps_.cpu);
      all[v].faults.push(...steps_.faults);
    }
  }
  const f1 = (x: number) => x.toFixed(1);
  const pct = (a: number[]) => {
    const s = [...a].sort((x, y) => x - y);
    const p50 = quantile(s, 0.5);
    return `${f1(p50)} | ${f1(quantile(s, 0.9))} | ${f1(quantile(s, 0.99))} | ${f1(s.at(-1)!)} | ${
      (quantile(s, 0.99) / p50).toFixed(2)
    }`;
  };
  // `ortdefault` variants leave the threads to onnxruntime; the others use this count.
  console.log(`machine: ${machineLine(intraOpThreads())}`);
  console.log(
    "\n| variant | CPU/wall | wall p50 | p90 | p99 | max | p99/p50 | CPU p50 | p90 | p99 | max | p99/p50 | minor faults/step mean, max |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const v of variants) {
    const { wall, cpu, faults } = all[v];
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    console.log(
      `| ${v} | ${(sum(cpu) / sum(wall)).toFixed(2)} | ${pct(wall)} | ${pct(cpu)} | ${
        (sum(faults) / faults.length).toFixed(0)
      }, ${Math.max(...faults)} |`,
    );
  }
  if (profiled) console.log(await profile(Number(steps)));
} finally {
  for (const s of Object.values(sessions)) await s.release();
  if (!keptCache) await Deno.remove(cacheDir, { recursive: true }).catch(() => {});
  if (profileFolder) await Deno.remove(profileFolder, { recursive: true }).catch(() => {});
}
