/**
 * `NanoVLM`: a checkpoint, its sessions and its tokenizer behind one object — the entry point of
 * the public API for generation and the tasks.
 *
 * @module
 */
import { type Checkpoint, type NanoVLMConfig, openCheckpoint } from "../checkpoint/mod.ts";
import { ConfigError } from "../errors.ts";
import {
  checkCacheDir,
  defaultCacheDir,
  NanoVLMRuntime,
  type RuntimeOptions,
} from "../runtime/mod.ts";
import { checkRunMemory, estimateRunMemory } from "./run_memory.ts";
import { prepareBatch, type PreparedBatch, type PrepareOptions, type Request } from "./prepare.ts";
import {
  generateText,
  type GenerationOptions,
  type GenerationResult,
  streamText,
} from "./generation/mod.ts";
import {
  loadTokenizer,
  type NanoTokenizer,
  tokenizerBeside,
  type TokenizerFiles,
} from "./text/mod.ts";
import type { Trace, TraceEstimate, TraceOptions } from "../inspect/mod.ts";

/** Options of {@link NanoVLM.load}. */
export interface LoadOptions extends RuntimeOptions {
  /**
   * A `tokenizer.json` file or a folder holding one (nanoVLM checkpoints do not include it), or
   * tokenizer files in memory (e.g. `byteLevelTokenizerFiles()` for a synthetic checkpoint).
   * Default: the model folder's own `tokenizer.json`, when it has one.
   */
  tokenizer?: string | TokenizerFiles;
}

/** A loaded model ready to generate. */
export class NanoVLM {
  private constructor(
    /** The opened checkpoint. */
    readonly checkpoint: Checkpoint,
    /** The graph sessions. */
    readonly runtime: NanoVLMRuntime,
    /** The tokenizer with the config's extra tokens. */
    readonly tokenizer: NanoTokenizer,
    /** The options the model was loaded with (the inspect sessions reuse them). */
    private readonly loadOptions: RuntimeOptions = {},
  ) {}

  #inspect?: { key: string; runtime: Promise<NanoVLMRuntime> };

  /**
   * Opens a checkpoint folder, builds (or reuses) its graphs and loads the tokenizer. A config
   * whose run would need more than the machine's memory is refused first (a ConfigError with the
   * estimate).
   *
   * @example
   * ```ts
   * const model = await NanoVLM.load("checkpoints/nanoVLM-222M", { tokenizer: "cosmo2/tokenizer.json" });
   * const [result] = await model.generate([{ images: ["cat.jpg"], text: "What is this?" }]);
   * console.log(result.text);
   * ```
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<NanoVLM> {
    const checkpoint = await openCheckpoint(dir);
    checkRunMemory(estimateRunMemory(checkpoint.config), {
      what: `a run of the model in ${dir} (one image at max_img_size)`,
      hint: "the config's sizes decide it (max_img_size, vit_img_size, hidden sizes, vocab): use " +
        "the model's own config.json, or a machine with more memory",
      errorClass: ConfigError,
    });
    await checkCacheDir(options.cacheDir ?? defaultCacheDir());
    const tokenizer = await loadTokenizer(
      options.tokenizer ?? await tokenizerBeside(dir),
      checkpoint.config,
    );
    const runtime = await NanoVLMRuntime.load(checkpoint, options);
    return new NanoVLM(checkpoint, runtime, tokenizer, options);
  }

  /** The model's config. */
  get config(): NanoVLMConfig {
    return this.checkpoint.config;
  }

  /** Prepares requests (images, prompts, padding, image embeddings) for the decoder. */
  prepare(requests: readonly Request[], options: PrepareOptions = {}): Promise<PreparedBatch> {
    return prepareBatch(this.runtime, this.tokenizer, requests, options);
  }

  /** Generates for a batch of requests (left-padded together). */
  async generate(
    requests: readonly Request[],
    options: GenerationOptions & { prepare?: PrepareOptions } = {},
  ): Promise<GenerationResult[]> {
    return await generateText(
      this.runtime,
      this.tokenizer,
      await this.prepare(requests, options.prepare),
      options,
    );
  }

  /** Streams the answer to one request as text chunks. */
  async *stream(
    request: Request,
    options: GenerationOptions & { prepare?: PrepareOptions } = {},
  ): AsyncGenerator<string, GenerationResult> {
    const prepared = await this.prepare([request], options.prepare);
    return yield* streamText(this.runtime, this.tokenizer, prepared, options);
  }

  /**
   * The inspect-flavour sessions (explicit ops, internal outputs) that {@link trace} runs on: the
   * model's own when it was loaded with `flavour: "inspect"`, else opened with the same precision,
   * provider and cache, with graphs that hold only `taps` (default: every internal output). The
   * last such runtime is kept for the next call with the same taps; other taps replace it, so run
   * one trace at a time.
   */
  async inspectRuntime(taps?: readonly string[]): Promise<NanoVLMRuntime> {
    if (this.runtime.options.flavour === "inspect") return this.runtime;
    const key = taps === undefined ? "*" : JSON.stringify([...taps].sort());
    if (this.#inspect?.key !== key) {
      const previous = this.#inspect?.runtime;
      this.#inspect = undefined;
      if (previous) await (await previous).release();
      const runtime = NanoVLMRuntime.load(this.checkpoint, {
        ...this.loadOptions,
        flavour: "inspect",
        taps,
      });
      this.#inspect = { key, runtime };
    }
    return await this.#inspect.runtime;
  }

  /**
   * Traces one request through every stage (`src/inspect/`): tokens with roles, tiles placed on
   * the picture, pixel values, ViT and decoder residuals and attention, projector output, logits.
   *
   * @example
   * ```ts
   * const trace = await model.trace({ images: ["cat.jpg"], text: "What colour is the cat?" }, {
   *   answer: " Black",
   * });
   * trace.attention(0).shape; // [heads, positions, positions]
   * ```
   */
  async trace(request: Request, options: TraceOptions = {}): Promise<Trace> {
    const { traceModel } = await import("../inspect/mod.ts");
    return await traceModel(this, request, options);
  }

  /** What {@link trace} would keep, stage by stage, before computing anything. */
  async estimateTrace(request: Request, options: TraceOptions = {}): Promise<TraceEstimate> {
    const { estimateTrace } = await import("../inspect/mod.ts");
    return await estimateTrace(this, request, options);
  }

  /** Releases the sessions (and their Worker, when loaded with `worker: true`). */
  async release(): Promise<void> {
    if (this.#inspect) await (await this.#inspect.runtime).release();
    await this.runtime.release();
  }

  /** `await using model = await NanoVLM.load(...)` releases it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
