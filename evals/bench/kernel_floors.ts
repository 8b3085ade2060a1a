/**
 * `deno task bench:floors`: the floor under a decode step, one kind of kernel at a time. Each probe
 * is a graph of one kernel kind only, on the decoder's shapes (a checkpoint's config, default the
 * 222M preset), with distinct random weights held as external data like a checkpoint's, timed at
 * its median over many runs: a chain of small kernels, the step's fp32 products with the head, its
 * int4 MatMulNBits products, the attention over `past` cached positions (onnxruntime's
 * Attention-23, which copies the cache into its `present` outputs, and the fast decoder's own),
 * a session's inputs and outputs, and the cache growing in its arena. A step cannot be faster than
 * the sum of its parts; the table says what each part costs on this machine.
 *
 * usage: deno task bench:floors [--checkpoint <dir>] [--threads n] [--past 100,1000]
 *
 * @module
 */
import {
  float,
  GraphBuilder,
  intraOpThreads,
  KVCache,
  KVCacheArena,
  openCheckpoint,
  ort,
  pastAttention,
  presetConfig,
  serializeModel,
  SLOT_CHUNK,
} from "../../src/mod.ts";
import { machineLine } from "./machine.ts";
import { timing } from "./model_case.ts";
import { parseBenchArgs, THREADS_OPTION, threadsOf } from "./options.ts";

const values = parseBenchArgs({
  ...THREADS_OPTION,
  checkpoint: { type: "string" },
  past: { type: "string" },
});
const config = values.checkpoint
  ? (await openCheckpoint(values.checkpoint)).config
  : presetConfig("222m");
const threads = intraOpThreads(threadsOf(values));
const pasts = (values.past ?? "100,1000").split(",").map(Number);
if (pasts.some((p) => !Number.isInteger(p) || p < 1)) {
  console.error(`bench:floors: --past takes whole numbers of positions ≥ 1, got '${values.past}'`);
  Deno.exit(2);
}
const d = config.lm_hidden_dim, heads = config.lm_n_heads, kvHeads = config.lm_n_kv_heads;
const headDim = d / heads, kv = kvHeads * headDim, inter = config.lm_inter_dim;
const blocks = config.lm_n_blocks, vocab = config.lm_vocab_size;

const work = await Deno.makeTempDir({ prefix: "nanovlm-floors-" });
let seed = 1;
const random = (n: number) =>
  new Float32Array(n).map(() => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5);

/** Random external data for one graph: `add` appends a tensor's bytes and names it. */
class WeightFile {
  readonly #chunks: Uint8Array[] = [];
  #offset = 0;
  constructor(readonly g: GraphBuilder, readonly name: string) {}
  add(bytes: Uint8Array, type: "float32" | "uint8", dims: number[]): string {
    const tensor = this.g.external(
      `w${this.#chunks.length}`,
      type,
      dims,
      this.name,
      this.#offset,
      bytes.length,
    );
    this.#chunks.push(bytes);
    this.#offset += bytes.length;
    return tensor;
  }
  async write(): Promise<void> {
    const file = await Deno.open(`${work}/${this.name}`, { write: true, create: true });
    for (const chunk of this.#chunks) await file.write(chunk);
    file.close();
  }
}

/** The median of `runs` timed runs after 3 warm-ups, ms. */
async function median(run: () => Promise<unknown>, runs = 40): Promise<number> {
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return timing(times).median;
}

/**
 * Builds a graph, writes its weights, opens it and times it on `feeds`, fetching `fetches`
 * (default: every output); ms per run.
 */
async function probe(
  build: (g: GraphBuilder, weights: WeightFile) => void,
  feeds: Record<string, ort.Tensor>,
  fetches?: string[],
): Promise<number> {
  const g = new GraphBuilder("floor");
  const weights = new WeightFile(g, `w${seed}.bin`);
  build(g, weights);
  await weights.write();
  const session = await ort.InferenceSession.create(serializeModel(g), {
    logSeverityLevel: 3,
    intraOpNumThreads: threads,
    graphOptimizationLevel: "all",
    extra: { session: { model_external_initializers_file_folder_path: work } },
  });
  try {
    return await median(() => fetches ? session.run(feeds, fetches) : session.run(feeds));
  } finally {
    await session.release();
  }
}

const x = new ort.Tensor("float32", random(d), [1, 1, d]);
const xInter = new ort.Tensor("float32", random(inter), [1, 1, inter]);
/** The step's products: per block q/v stacked, k, out, gate/up stacked, down; then the head. */
const products: [number, number][] = [
  ...Array.from({ length: blocks }, (): [number, number][] => [
    [d + kv, d],
    [kv, d],
    [d, d],
    [2 * inter, d],
    [d, inter],
  ]).flat(),
  [vocab, d],
];

/** What, per call, calls in the probe (a step's worth), the probe's ms. */
const rows: [string, string, number, number][] = [];
const perCall = (ms: number, calls: number) => `${(1000 * ms / calls).toFixed(1)} µs`;

try {
  const small = 300;
  const adds = await probe((g) => {
    let y = g.input("x", "float32", [1, 1, d]);
    for (let i = 0; i < small; i++) y = g.op("Add", [y, g.constant(random(d), "float32", [d])]);
    g.output(y, "y", "float32");
  }, { x });
  rows.push([
    `a small kernel (Add on [1, ${d}], a chain of ${small})`,
    perCall(adds, small),
    small,
    adds,
  ]);

  const fp32 = await probe((g, w) => {
    const inD = g.input("x", "float32", [1, 1, d]);
    const inInter = g.input("h", "float32", [1, 1, inter]);
    products.forEach(([n, k], i) => {
      const weight = w.add(new Uint8Array(random(n * k).buffer), "float32", [n, k]);
      const y = g.op("FusedMatMul", [k === d ? inD : inInter, weight], { transB: 1 }, {
        domain: "com.microsoft",
      });
      g.output(y, `y${i}`, "float32");
    });
  }, { x, h: xInter });
  const fp32Bytes = products.reduce((sum, [n, k]) => sum + 4 * n * k, 0);
  rows.push([
    `the fp32 products, their outputs fetched (${(fp32Bytes / 1e6).toFixed(0)} MB, ${
      (fp32Bytes / fp32 / 1e6).toFixed(0)
    } GB/s)`,
    perCall(fp32, products.length),
    products.length,
    fp32,
  ]);

  const block = 32;
  const int4 = await probe((g, w) => {
    const inD = g.input("x", "float32", [1, 1, d]);
    const inInter = g.input("h", "float32", [1, 1, inter]);
    // Quantised, the fast flavour stacks q/k/v as one matrix: four products a block.
    const quantised: [number, number][] = [
      ...Array.from({ length: blocks }, (): [number, number][] => [
        [d + 2 * kv, d],
        [d, d],
        [2 * inter, d],
        [d, inter],
      ]).flat(),
      [vocab, d],
    ];
    quantised.forEach(([n, k], i) => {
      const codes = w.add(
        new Uint8Array(n * k / 2).map((_, j) => (j * 2654435761) >>> 24),
        "uint8",
        [n, k / block, block / 2],
      );
      const scales = w.add(
        new Uint8Array(random(n * k / block).map((v) => v * 0.02).buffer),
        "float32",
        [n * k / block],
      );
      const y = g.op("MatMulNBits", [k === d ? inD : inInter, codes, scales], {
        K: k,
        N: n,
        bits: 4,
        block_size: block,
        accuracy_level: 4,
      }, { domain: "com.microsoft" });
      g.output(y, `y${i}`, "float32");
    });
  }, { x, h: xInter });
  rows.push([
    `the int4 MatMulNBits products (block ${block}, accuracy 4)`,
    perCall(int4, 4 * blocks + 1),
    4 * blocks + 1,
    int4,
  ]);

  for (const past of pasts) {
    const pastFeed = new ort.Tensor("float32", random(kvHeads * past * headDim), [
      1,
      kvHeads,
      past,
      headDim,
    ]);
    const attentionGraph = (own: boolean) => (g: GraphBuilder) => {
      let y = g.input("x", "float32", [1, 1, d]);
      const cached = g.input("past", "float32", [1, kvHeads, past, headDim]);
      const mask = g.input("mask", "float32", [1, 1, heads / kvHeads, past + 1]);
      const sizes = g.constant([past, 1], "int64", [2]);
      const newKv = g.op("Slice", [y, g.ints([0]), g.ints([kv]), g.ints([2])]);
      for (let i = 0; i < blocks; i++) {
        if (own) {
          y = pastAttention(g, "float32", y, newKv, newKv, { key: cached, value: cached }, {
            mask,
            sizes,
          }, config);
        } else {
          const [out, key, value] = g.node("Attention", [y, newKv, newKv, "", cached, cached], {
            q_num_heads: heads,
            kv_num_heads: kvHeads,
            scale: float(1 / Math.sqrt(headDim)),
          }, { outputs: 3 });
          g.output(key, `key${i}`, "float32");
          g.output(value, `value${i}`, "float32");
          y = out;
        }
      }
      g.output(y, "y", "float32");
    };
    const feeds = {
      x,
      past: pastFeed,
      mask: new ort.Tensor("float32", new Float32Array(heads / kvHeads * (past + 1)), [
        1,
        1,
        heads / kvHeads,
        past + 1,
      ]),
    };
    for (const own of [false, true]) {
      // Only the attention's output is fetched, as a generation step fetches no present.
      const ms = await probe(attentionGraph(own), feeds, ["y"]);
      const name = own
        ? "the fast decoder's attention over the past"
        : "Attention-23 with past and present";
      rows.push([`${name}, ${past} cached positions`, perCall(ms, blocks), blocks, ms]);
    }
  }

  // A decode step feeds every block's cached keys and values and fetches its new ones.
  const io = 2 * blocks;
  const single = await probe((g) => {
    g.output(g.op("Identity", [g.input("x", "float32", [1, 1, d])]), "y", "float32");
  }, { x });
  const many = await probe((g) => {
    for (let i = 0; i < io; i++) {
      g.output(g.op("Identity", [g.input(`x${i}`, "float32", [1, 1, d])]), `y${i}`, "float32");
    }
  }, Object.fromEntries(Array.from({ length: io }, (_, i) => [`x${i}`, x])));
  rows.push([
    `session inputs + outputs (${io} of each against 1)`,
    perCall(Math.max(0, many - single), 2 * io),
    2 * io,
    Math.max(0, many - single),
  ]);

  for (const past of pasts) {
    const arena = new KVCacheArena(blocks, kvHeads * (past + 200) * headDim);
    const added = (t: number) =>
      Object.fromEntries(
        Array.from({ length: blocks }, (_, i) =>
          ["key", "value"].map((
            k,
          ) => [`added.${i}.${k}`, new ort.Tensor("float32", random(t * kv), [1, t, kv])])).flat(),
      );
    let cache = arena.append(KVCache.empty(blocks, 1, kvHeads, headDim), added(past));
    const one = added(1);
    const ms = await median(() => Promise.resolve(cache = arena.append(cache, one)), 150);
    rows.push([
      `the cache growing in its arena by one token (median: every ${SLOT_CHUNK}th step moves it), ${past} cached positions`,
      perCall(ms, 1),
      1,
      ms,
    ]);
  }

  console.log(`# The floor under a decode step: ${values.checkpoint ?? "the 222M preset"}\n`);
  console.log(`machine: ${machineLine(threads)}\n`);
  console.log("| probe | per call | calls (a step's worth) | ms |");
  console.log("|---|---|---|---|");
  for (const [what, call, calls, ms] of rows) {
    console.log(`| ${what} | ${call} | ${calls} | ${ms.toFixed(3)} |`);
  }
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
