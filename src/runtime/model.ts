/**
 * A loaded nanoVLM: the vision and decoder sessions of one checkpoint and its token table (read
 * from the weights file; an embed session where sessions come from elsewhere), with typed calls
 * for each stage. This is the engine the pipeline, the parity checker and notebooks drive.
 *
 * @module
 */
import type { ort } from "./ort.ts";
import { geometryOf, type ModelGeometry, type NanoVLMConfig } from "../checkpoint/mod.ts";
import { ADDED_ALL, type BuildOptions, buildOptions, type GraphName } from "../model/mod.ts";
import { EngineError, InputError } from "../errors.ts";
import { defaultCacheDir } from "./cache_dir.ts";
import type { DecodeResult, DecodeStep } from "./decode_step.ts";
import { checkFinite, FINITE_OUTPUTS } from "./finite_outputs.ts";
import { type CheckpointSource, prepareGraph } from "./graph_cache.ts";
import { checkDecodeInputs, checkDecodeShapes, checkIds, checkLength } from "./input_checks.ts";
import { KVCache, KVCacheArena, unpackAdded } from "./kv_cache.ts";
import { resolveProvider } from "./providers.ts";
import type { RuntimeOptions, SessionRun } from "./runtime_options.ts";
import { createSession, f32, i64, type ResolvedProvider } from "./session.ts";
import { TokenTable } from "./token_table.ts";
import { LocalSession, type RunnableSession, SessionWorker } from "./worker_sessions.ts";

/** The graphs of a model, re-exported because {@link NanoVLMRuntime.outputNames} takes one. */
export type { GraphName };

/**
 * A runtime's sessions: vision and decoder always; embed only where the token rows are not read
 * from the weights file (sessions opened elsewhere, e.g. onnxruntime-web in a page).
 */
type RuntimeSessions = Record<"vision" | "decoder", RunnableSession> & { embed?: RunnableSession };

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
    private readonly sessions: RuntimeSessions,
    private readonly worker: SessionWorker | undefined,
    private readonly releaseLocal: () => Promise<void>,
    private readonly onRun?: (run: SessionRun) => void,
    /**
     * Whether decode steps may bind `present.*` to the KV-cache arena: onnxruntime-node in this
     * thread writes bound outputs in place; sessions opened elsewhere (onnxruntime-web) may not.
     */
    private readonly bindsOutputs = true,
    /** The embedding table read from its file; without one, lookups run the embed session. */
    private readonly tokenTable?: TokenTable,
  ) {}

  /** The intra-op threads every session runs with. */
  get threads(): number {
    return this.sessions.decoder.options.intraOpNumThreads ?? 1;
  }

  /** Whether the sessions run in a Worker (the `worker` load option). */
  get inWorker(): boolean {
    return this.worker !== undefined;
  }

  /**
   * The onnxruntime options a graph's session was created with (threads, provider, config
   * entries); undefined for the embed graph when no embed session was opened (`load` reads the
   * token rows from the weights file instead).
   */
  sessionOptions(graph: GraphName): Readonly<ort.InferenceSession.SessionOptions> | undefined {
    return this.sessions[graph]?.options;
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
    const sessions = {} as RuntimeSessions;
    const local: LocalSession[] = [];
    const worker = options.worker ? new SessionWorker() : undefined;
    let tokenTable: TokenTable | undefined;
    const releaseAll = async () => {
      for (const session of local) await session.release();
      await worker?.release();
      tokenTable?.close();
    };
    try {
      for (const name of ["vision", "embed", "decoder"] as const) {
        const graph = await prepareGraph(name, source, build, cacheDir, options.taps);
        if (graph.tokenTable) {
          // Lookups read the rows from the file: no embed session is needed (nor its start-up).
          tokenTable = TokenTable.open(graph.tokenTable);
          continue;
        }
        const sessionOptions = {
          provider,
          threads: options.threads,
          debug: options.debug,
          // Threads spin between a run's kernels and stop when it returns: a session's
          // spinning threads would otherwise slow whatever runs next (the vision encoder after a
          // generation ran ~10-20% slower behind the decoder's).
          spinning: options.spinning ?? true,
          stopSpinningAfterRun: true,
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
      true,
      tokenTable,
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

  /** Output names a graph offers (inspect taps included; none for an embed graph without a session). */
  outputNames(graph: GraphName): readonly string[] {
    return this.sessions[graph]?.outputNames ?? [];
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
    lend: readonly string[] = [],
  ): Promise<Record<string, ort.Tensor>> {
    // Every graph the runtime runs has a session: embed has one whenever there is no token table.
    const session = this.sessions[graph]!;
    const available = session.outputNames;
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
      out = await session.run(feeds, fetches, lend);
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

  /**
   * Looks up token embeddings for `batch` rows of equal length: read from the table's file when
   * the runtime opened it (`load`), else by the embed session (`fromSessions`).
   */
  async embedTokens(ids: readonly (readonly number[])[]): Promise<Float32Array> {
    checkIds(this.config, ids);
    if (this.tokenTable) {
      const embeds = this.tokenTable.lookup(ids);
      const dims = [ids.length, ids[0]?.length ?? 0, this.config.lm_hidden_dim];
      checkFinite("embed", "inputs_embeds", { data: embeds, dims });
      return embeds;
    }
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
    checkDecodeInputs(this.config, this.options, step);
    const cache = step.cache ?? this.emptyCache(batch);
    const index = step.logitsIndex ?? [tokens - 1];
    checkDecodeShapes(this.config, step, cache, index);
    const taps = step.taps ?? [];
    const blocks = this.config.lm_n_blocks;
    const present = [batch, this.config.lm_n_kv_heads, cache.length + tokens];
    // A graph that outputs the new keys and values alone (the fast flavour) has them fetched and
    // appended: to the arena in a chain, else to a copy of the cache. A chain's cache is lent to a
    // Worker (it moves there and back); foreign sessions need not write bound outputs in place.
    const adds = this.sessions.decoder.outputNames.includes(ADDED_ALL);
    if (!adds && cache.slots !== cache.length) {
      throw new InputError(
        "this cache has spare slots (grown in an arena by a fast decoder); this decoder returns whole caches",
        "continue a cache with the runtime that grew it",
      );
    }
    const appends = adds && step.arena?.fits(cache, tokens) === true;
    const bound = this.worker || !this.bindsOutputs || adds
      ? undefined
      : step.arena?.presentOutputs(cache, [...present, this.geometry.lmHeadDim]);
    const lent = step.arena && this.worker ? Object.keys(cache.feeds()) : [];
    const fetches: Record<string, ort.Tensor | null> = { logits: null };
    if (adds) fetches[ADDED_ALL] = null;
    else {
      for (let i = 0; i < blocks; i++) {
        for (const kind of ["key", "value"]) {
          fetches[`present.${i}.${kind}`] = bound?.[`present.${i}.${kind}`] ?? null;
        }
      }
    }
    for (const tap of taps) fetches[tap] = null;
    // Ids are looked up like the prompt's text (embedTokens): the decoder's own copy of the table
    // is then never paged in (each distinct id maps up to a megabyte of a memory-mapped table on
    // kernels that map whole page-cache folios).
    const embeds = step.ids ? await this.embedTokens(step.ids) : step.embeds!;
    const out = await this.#run(
      "decoder",
      {
        inputs_embeds: f32(embeds, [batch, tokens, this.config.lm_hidden_dim]),
        input_ids: i64([], [batch, 0]),
        // Spare slots of a cache grown in an arena are padding.
        attention_mask: i64(cache.slotMask(step.attentionMask, tokens), [
          batch,
          cache.slots + tokens,
        ]),
        position_ids: i64(step.positionIds, [batch, tokens]),
        logits_index: i64(index, [index.length]),
        ...cache.feeds(),
      },
      fetches,
      lent,
    );
    // A lent cache comes back over the arena's own buffers, under its feed names.
    const past = lent.length ? KVCache.fromFeeds(out, blocks, cache.length) : cache;
    if (lent.length && appends) step.arena!.adopt(past);
    const added = adds ? unpackAdded(out[ADDED_ALL], blocks) : {};
    return {
      logits: out.logits.data as Float32Array,
      // The binding returns copies of bound outputs: keep the arena's own buffers as the cache.
      cache: appends
        ? step.arena!.append(past, added)
        : adds
        ? past.extend(added)
        : KVCache.fromPresent(bound ?? out, blocks),
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

/** The first dimension of the first feed (0 for a scalar). */
function firstDim(feeds: Record<string, ort.Tensor>): number {
  return Number(Object.values(feeds)[0]?.dims[0] ?? 0);
}

/** The named outputs of a run (the taps asked for). */
function pick(out: Record<string, ort.Tensor>, names: string[]): Record<string, ort.Tensor> {
  return Object.fromEntries(names.map((n) => [n, out[n]]));
}
