/**
 * A loaded nanoVLM: the vision, embedding and decoder sessions of one checkpoint, with typed calls
 * for each stage. This is the engine the pipeline, the parity checker and notebooks drive.
 *
 * @module
 */
import type { ort } from "./ort.ts";
import { geometryOf, type ModelGeometry, type NanoVLMConfig } from "../checkpoint/mod.ts";
import {
  type BuildOptions,
  buildOptions,
  type Flavour,
  type GraphName,
  type Kernels,
  type ModulePrecision,
  type Precision,
  type QuantOptions,
} from "../model/mod.ts";
import { EngineError, InputError } from "../errors.ts";
import { defaultCacheDir } from "./cache_dir.ts";
import { type CheckpointSource, prepareGraph } from "./graph_cache.ts";
import { KVCache, KVCacheArena } from "./kv_cache.ts";
import { resolveProvider } from "./providers.ts";
import { createSession, f32, i64, type Provider, type ResolvedProvider } from "./session.ts";
import { LocalSession, type RunnableSession, SessionWorker } from "./worker_sessions.ts";

/** The graphs of a model, re-exported because {@link NanoVLMRuntime.outputNames} takes one. */
export type { GraphName };

/** The outputs every task consumes: a NaN or Inf in them is an error, never a result. */
const FINITE_OUTPUTS = new Set(["image_embeds", "inputs_embeds", "logits"]);

/**
 * Values past sqrt(float32 max): the squares in the next RMSNorm/LayerNorm overflow to Inf, so the
 * model silently computes zeros (a saturated head gives an "empty" caption).
 */
const SATURATED = 2 ** 64;

/** Refuses a graph output holding NaN, +-Inf or saturated values, naming graph, output, index. */
function checkFinite(graph: GraphName, name: string, tensor: ort.Tensor): void {
  const data = tensor.data as Float32Array;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v > -SATURATED && v < SATURATED)) {
      const what = Number.isFinite(v) ? `${v}, a saturated value (|x| >= 2^64)` : String(v);
      throw new EngineError(
        `the ${graph} graph's output ${name} holds ${what} (first at element ${i} of ` +
          `${data.length}, shape [${tensor.dims.join(", ")}]): the weights or the inputs are ` +
          "not usable numbers",
        "run `nanovlm info --check <model>` to list weight tensors holding NaN, Inf or saturated values",
      );
    }
  }
}

/** Options of {@link NanoVLMRuntime.load}. */
export interface RuntimeOptions {
  /** `fast` (default) or `inspect` (explicit ops, internal outputs). */
  flavour?: Flavour;
  /** The fast flavour's decoder kernels (default `onnx`; `microsoft` serves unpadded batches only). */
  kernels?: Kernels;
  /** One precision for every module, or one per module (default fp32). */
  precision?: Precision | Partial<ModulePrecision>;
  /** How int8/int4 modules are quantised (default block 32, symmetric, accuracy level 4). */
  quantization?: Partial<QuantOptions>;
  /** `cpu` (default), `cuda`, `webgpu` or `auto`. */
  provider?: Provider;
  /** Intra-op threads of every session (default: every core this process may use, {@link availableCores}). */
  threads?: number;
  /** Cache folder for graphs and converted weights. */
  cacheDir?: string;
  /**
   * Inspect flavour: the internal outputs to build (e.g. `lm.attn_probs.layer3`); the others are
   * left out of the graphs, so they are neither computed nor held. Default: every one.
   */
  taps?: readonly string[];
  /** Show onnxruntime's own log. */
  debug?: boolean;
  /** Spin-wait in every session's worker threads (default: the decoder only). */
  spinning?: boolean;
  /**
   * Keep weights memory-mapped instead of letting onnxruntime prepack copies of them: resident
   * memory stays near zero until weights are touched and sessions open faster, at some speed cost
   * (measured by `deno task bench`).
   */
  disablePrepacking?: boolean;
  /**
   * Run the sessions in a Worker of their own (one per loaded model, ended by `release()`), so
   * that inference never blocks this thread's event loop (default false: in this thread).
   */
  worker?: boolean;
  /** Called after every session run (the eval harness times the stages with it). */
  onRun?: (run: SessionRun) => void;
}

/** One onnxruntime session run, as reported to {@link RuntimeOptions.onRun}. */
export interface SessionRun {
  /** The graph that ran. */
  graph: GraphName;
  /** Start, `performance.now()` milliseconds. */
  start: number;
  /** End, `performance.now()` milliseconds. */
  end: number;
  /** Rows of the run's first input (vision: image tiles; decoder: batch rows). */
  rows: number;
}

/** Which sessions spin-wait: by default only the decoder, whose runs follow each other closely. */
function spinningFor(name: GraphName, setting: boolean | undefined): boolean {
  return setting ?? name === "decoder";
}

/** One decoder step's inputs. */
export interface DecodeStep {
  /** `[batch, tokens, dim]` merged embeddings of the new tokens (give this or `ids`). */
  embeds?: Float32Array;
  /** `[batch][tokens]` ids of the new tokens, embedded inside the graph (give this or `embeds`). */
  ids?: readonly (readonly number[])[];
  /** Rows. */
  batch: number;
  /** New tokens per row. */
  tokens: number;
  /** `[batch, cached + tokens]` 1/0 key mask, row-major. */
  attentionMask: ArrayLike<number>;
  /** `[batch, tokens]` RoPE positions, row-major. */
  positionIds: ArrayLike<number>;
  /** New-token indices whose logits are wanted (default: the last). */
  logitsIndex?: number[];
  /** The cache of earlier tokens (default: empty). */
  cache?: KVCache;
  /** Internal outputs to fetch (inspect flavour), e.g. `lm.attn_probs.layer0`. */
  taps?: string[];
  /**
   * Preallocated buffers the new cache is written into (see {@link KVCacheArena}); the cache
   * returned by the step before the previous one is overwritten. Default: fresh tensors per step.
   */
  arena?: KVCacheArena;
}

/** One decoder step's outputs. */
export interface DecodeResult {
  /** `[batch, selected, vocab]` logits. */
  logits: Float32Array;
  /** The cache including the new tokens. */
  cache: KVCache;
  /** Fetched internal outputs by name. */
  taps: Record<string, ort.Tensor>;
}

/** The sessions of a loaded checkpoint. */
export class NanoVLMRuntime {
  private constructor(
    /** The model's config. */
    readonly config: NanoVLMConfig,
    /** Derived geometry (image tokens, head dims). */
    readonly geometry: ModelGeometry,
    /** The build options in force. */
    readonly options: BuildOptions,
    /** The provider the sessions run on. */
    readonly provider: ResolvedProvider,
    private readonly sessions: Record<GraphName, RunnableSession>,
    private readonly worker: SessionWorker | undefined,
    private readonly releaseLocal: () => Promise<void>,
    private readonly onRun?: (run: SessionRun) => void,
    /**
     * Whether decode steps may bind `present.*` to the KV-cache arena: onnxruntime-node in this
     * thread writes bound outputs in place; sessions opened elsewhere (onnxruntime-web) may not.
     */
    private readonly bindsOutputs = true,
  ) {}

  /** The intra-op threads every session runs with. */
  get threads(): number {
    return this.sessions.decoder.options.intraOpNumThreads ?? 1;
  }

  /** Whether the sessions run in a Worker (the `worker` load option). */
  get inWorker(): boolean {
    return this.worker !== undefined;
  }

  /** The onnxruntime options a graph's session was created with (threads, provider, config entries). */
  sessionOptions(graph: GraphName): Readonly<ort.InferenceSession.SessionOptions> {
    return this.sessions[graph].options;
  }

  /**
   * Builds (or reuses cached) graphs for a checkpoint and opens their sessions.
   *
   * @example
   * ```ts
   * const runtime = await NanoVLMRuntime.load(await openCheckpoint("checkpoints/nanoVLM-222M"));
   * const embeds = await runtime.embedTokens([[72, 105]]);
   * const { logits } = await runtime.decode({
   *   embeds,
   *   batch: 1,
   *   tokens: 2,
   *   attentionMask: [1, 1],
   *   positionIds: [0, 1],
   * }); // [1, 1, lm_vocab_size]: the last token's logits
   * await runtime.release();
   * ```
   */
  static async load(
    source: CheckpointSource,
    options: RuntimeOptions = {},
  ): Promise<NanoVLMRuntime> {
    const build = buildOptions(options);
    const provider = resolveProvider(options.provider ?? "cpu");
    const cacheDir = options.cacheDir ?? defaultCacheDir();
    const sessions = {} as Record<GraphName, RunnableSession>;
    const local: LocalSession[] = [];
    const worker = options.worker ? new SessionWorker() : undefined;
    const releaseAll = async () => {
      for (const session of local) await session.release();
      await worker?.release();
    };
    try {
      for (const name of ["vision", "embed", "decoder"] as const) {
        const graph = await prepareGraph(name, source, build, cacheDir, options.taps);
        const sessionOptions = {
          provider,
          threads: options.threads,
          debug: options.debug,
          spinning: spinningFor(name, options.spinning),
          disablePrepacking: options.disablePrepacking,
        };
        if (worker) {
          sessions[name] = await worker.createSession(
            graph.bytes,
            graph.weightsFolder,
            sessionOptions,
          );
        } else {
          const made = await createSession(graph.bytes, graph.weightsFolder, sessionOptions);
          local.push(new LocalSession(made.session, made.options));
          sessions[name] = local[local.length - 1];
        }
      }
    } catch (error) {
      await releaseAll();
      throw error;
    }
    return new NanoVLMRuntime(
      source.config,
      geometryOf(source.config),
      build,
      provider,
      sessions,
      worker,
      releaseAll,
      options.onRun,
    );
  }

  /**
   * A runtime over sessions opened elsewhere (e.g. onnxruntime-web sessions of an exported bundle
   * in a browser page): the graphs must be the ones `load` builds for `options`.
   */
  static fromSessions(
    config: NanoVLMConfig,
    sessions: Record<GraphName, ort.InferenceSession>,
    options: RuntimeOptions = {},
  ): NanoVLMRuntime {
    const local = Object.fromEntries(
      Object.entries(sessions).map(([name, session]) => [name, new LocalSession(session, {})]),
    ) as Record<GraphName, LocalSession>;
    const release = async () => {
      for (const session of Object.values(local)) await session.release();
    };
    return new NanoVLMRuntime(
      config,
      geometryOf(config),
      buildOptions(options),
      "cpu",
      local,
      undefined,
      release,
      options.onRun,
      false,
    );
  }

  /** Output names a graph offers (inspect taps included). */
  outputNames(graph: GraphName): readonly string[] {
    return this.sessions[graph].outputNames;
  }

  /** Encodes `count` images `[count, 3, S, S]` to `[count, imageTokensPerImage, dim]`. */
  async encodeImages(
    pixels: Float32Array,
    count: number,
    taps: string[] = [],
  ): Promise<{ embeds: Float32Array; taps: Record<string, ort.Tensor> }> {
    const s = this.config.vit_img_size;
    checkLength(
      "pixel values",
      pixels.length,
      count * 3 * s * s,
      `${count} images of 3 x ${s} x ${s}`,
    );
    const out = await this.#run("vision", { pixel_values: f32(pixels, [count, 3, s, s]) }, [
      "image_embeds",
      ...taps,
    ]);
    return { embeds: out.image_embeds.data as Float32Array, taps: pick(out, taps) };
  }

  /** Runs one session; onnxruntime failures become {@link EngineError}s, unknown outputs {@link InputError}s. */
  async #run(
    graph: GraphName,
    feeds: Record<string, ort.Tensor>,
    fetches: string[] | Record<string, ort.Tensor | null>,
    transfer: readonly string[] = [],
  ): Promise<Record<string, ort.Tensor>> {
    const available = this.sessions[graph].outputNames;
    const names = Array.isArray(fetches) ? fetches : Object.keys(fetches);
    const unknown = names.filter((name) => !available.includes(name));
    if (unknown.length > 0) {
      throw new InputError(
        `the ${graph} graph (${this.options.flavour} flavour) has no output ${unknown.join(", ")}`,
        this.options.flavour === "fast"
          ? 'internal outputs need the inspect flavour: load with flavour "inspect"'
          : `available: ${available.join(", ")}`,
      );
    }
    let out: Record<string, ort.Tensor>;
    try {
      const start = performance.now();
      out = await this.sessions[graph].run(feeds, fetches, transfer);
      this.onRun?.({ graph, start, end: performance.now(), rows: firstDim(feeds) });
    } catch (error) {
      throw new EngineError(
        `onnxruntime failed running the ${graph} graph: ${(error as Error).message}`,
        "run again with --debug for onnxruntime's log; if the inputs are valid, please report this",
        { cause: error },
      );
    }
    for (const name of names) if (FINITE_OUTPUTS.has(name)) checkFinite(graph, name, out[name]);
    return out;
  }

  /** Checks that every id is a row of the embedding table and that rows are equally long. */
  #checkIds(ids: readonly (readonly number[])[]): void {
    const vocab = this.config.lm_vocab_size;
    if (ids.some((row) => row.length !== ids[0].length)) {
      throw new InputError(
        "token id rows have different lengths",
        "pad the rows to one length (batchPrompts does)",
      );
    }
    for (const row of ids) {
      for (const id of row) {
        if (!Number.isInteger(id) || id < 0 || id >= vocab) {
          throw new InputError(
            `token id ${id} is outside the model's vocabulary (0..${vocab - 1})`,
            "use the tokenizer made for this checkpoint (its config's lm_tokenizer and extra tokens)",
          );
        }
      }
    }
  }

  /**
   * Refuses the one step the graphs cannot match exactly: past `lm_max_position_embeddings`, RoPE's
   * dynamic scaling rescales every position of the call (the graphs do so); v0.1 re-encodes the
   * whole sequence each step, so there it would re-rotate keys a KV cache already holds.
   */
  #checkRopeScaling(positionIds: ArrayLike<number>, cached: number): void {
    const limit = this.config.lm_max_position_embeddings;
    if (this.config.generation !== "v0.1" || cached === 0) return;
    const end = Array.from(positionIds).reduce((max, p) => Math.max(max, p), -1) + 1;
    if (end > limit) {
      throw new InputError(
        `position ${
          end - 1
        } is past lm_max_position_embeddings (${limit}): v0.1 rescales RoPE over the whole sequence there, which a KV-cached step cannot reproduce`,
        `keep prompt and generated tokens within ${limit}, or run the whole sequence as one prefill (no cache)`,
      );
    }
  }

  /** Looks up token embeddings for `batch` rows of equal length. */
  async embedTokens(ids: readonly (readonly number[])[]): Promise<Float32Array> {
    this.#checkIds(ids);
    const tokens = ids.length ? ids[0].length : 0;
    const out = await this.#run("embed", { input_ids: i64(ids.flat(), [ids.length, tokens]) }, [
      "inputs_embeds",
    ]);
    return out.inputs_embeds.data as Float32Array;
  }

  /** An empty cache for `batch` rows. */
  emptyCache(batch: number): KVCache {
    const c = this.config;
    return KVCache.empty(c.lm_n_blocks, batch, c.lm_n_kv_heads, this.geometry.lmHeadDim);
  }

  /** Buffers for the caches of up to `batch` rows of `positions` tokens, reused step after step. */
  cacheArena(batch: number, positions: number): KVCacheArena {
    const c = this.config;
    return new KVCacheArena(
      c.lm_n_blocks,
      batch * c.lm_n_kv_heads * positions * this.geometry.lmHeadDim,
    );
  }

  /** Runs the decoder over new tokens on top of a cache. */
  async decode(step: DecodeStep): Promise<DecodeResult> {
    const { batch, tokens } = step;
    if (step.ids) this.#checkIds(step.ids);
    if (
      this.options.flavour === "fast" && this.options.kernels === "microsoft" &&
      Array.from(step.attentionMask).includes(0)
    ) {
      throw new EngineError(
        "the com.microsoft GroupQueryAttention kernels cannot mask left padding",
        'load the model with kernels "onnx" (the default) to run padded batches',
      );
    }
    const cache = step.cache ?? this.emptyCache(batch);
    const index = step.logitsIndex ?? [tokens - 1];
    const d = this.config.lm_hidden_dim;
    if (step.ids) {
      checkLength(
        "ids",
        step.ids.length * (step.ids[0]?.length ?? 0),
        batch * tokens,
        `${batch} rows of ${tokens}`,
      );
    } else {checkLength(
        "embeddings",
        step.embeds?.length ?? 0,
        batch * tokens * d,
        `${batch} x ${tokens} x ${d}`,
      );}
    if (cache.batch !== batch) {
      throw new InputError(
        `the cache holds ${cache.batch} rows, the step ${batch}`,
        "select the cache rows of this batch",
      );
    }
    checkLength(
      "attention mask",
      step.attentionMask.length,
      batch * (cache.length + tokens),
      `${batch} rows of cached + new tokens`,
    );
    checkLength(
      "position ids",
      step.positionIds.length,
      batch * tokens,
      `${batch} rows of ${tokens}`,
    );
    for (const values of [step.attentionMask, step.positionIds, index]) {
      if (!Array.from(values).every(Number.isSafeInteger)) {
        throw new InputError(
          "masks, positions and logit indices must be integers",
          "pass whole numbers",
        );
      }
    }
    this.#checkRopeScaling(step.positionIds, cache.length);
    if (index.some((i) => i < 0 || i >= tokens)) {
      throw new InputError(
        `logits index out of range 0..${tokens - 1}: ${index.join(", ")}`,
        "index the new tokens of this step",
      );
    }
    const taps = step.taps ?? [];
    const blocks = this.config.lm_n_blocks;
    const present = [batch, this.config.lm_n_kv_heads, cache.length + tokens];
    // In a Worker, outputs cannot be bound to this thread's buffers (the chain's cache moves
    // instead), and foreign sessions need not write bound outputs in place.
    const bound = this.worker || !this.bindsOutputs
      ? undefined
      : step.arena?.presentOutputs(cache, [...present, this.geometry.lmHeadDim]);
    const pastNames = step.arena && this.worker ? Object.keys(cache.feeds()) : [];
    const fetches: Record<string, ort.Tensor | null> = { logits: null };
    for (let i = 0; i < blocks; i++) {
      for (const name of [`present.${i}.key`, `present.${i}.value`]) {
        fetches[name] = bound?.[name] ?? null;
      }
    }
    for (const tap of taps) fetches[tap] = null;
    const out = await this.#run(
      "decoder",
      {
        inputs_embeds: step.ids
          ? f32(new Float32Array(0), [batch, 0, this.config.lm_hidden_dim])
          : f32(step.embeds!, [batch, tokens, this.config.lm_hidden_dim]),
        input_ids: step.ids ? i64(step.ids.flat(), [batch, tokens]) : i64([], [batch, 0]),
        attention_mask: i64(step.attentionMask, [batch, cache.length + tokens]),
        position_ids: i64(step.positionIds, [batch, tokens]),
        logits_index: i64(index, [index.length]),
        ...cache.feeds(),
      },
      fetches,
      pastNames,
    );
    return {
      logits: out.logits.data as Float32Array,
      // The binding returns copies of bound outputs: keep the arena's own buffers as the cache.
      cache: KVCache.fromPresent(bound ?? out, blocks),
      taps: pick(out, taps),
    };
  }

  /** Releases the sessions (and ends their Worker). */
  async release(): Promise<void> {
    await this.releaseLocal();
  }

  /** `await using runtime = await NanoVLMRuntime.load(...)` releases it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

/** Throws an {@link InputError} when an input's length is not the expected one. */
function checkLength(what: string, actual: number, expected: number, shape: string): void {
  if (actual !== expected) {
    throw new InputError(
      `${what}: ${actual} values, expected ${expected} (${shape})`,
      "check the shapes passed to the runtime",
    );
  }
}

/** The first dimension of the first feed (0 for a scalar). */
function firstDim(feeds: Record<string, ort.Tensor>): number {
  return Number(Object.values(feeds)[0]?.dims[0] ?? 0);
}

function pick(out: Record<string, ort.Tensor>, names: string[]): Record<string, ort.Tensor> {
  return Object.fromEntries(names.map((n) => [n, out[n]]));
}
