/**
 * `NanoVLM`: a checkpoint, its sessions and its tokenizer behind one object — the entry point of
 * the public API for generation and the tasks.
 *
 * @module
 */
import { type Checkpoint, type NanoVLMConfig, openCheckpoint } from "../checkpoint/mod.ts";
import { NanoVLMRuntime, type RuntimeOptions } from "../runtime/mod.ts";
import { prepareBatch, type PreparedBatch, type PrepareOptions, type Request } from "./prepare.ts";
import {
  generateText,
  type GenerationOptions,
  type GenerationResult,
  streamText,
} from "./generation/mod.ts";
import { loadTokenizer, type NanoTokenizer, type TokenizerFiles } from "./text/mod.ts";

/** Options of {@link NanoVLM.load}. */
export interface LoadOptions extends RuntimeOptions {
  /**
   * A `tokenizer.json` file or a folder holding one (nanoVLM checkpoints do not include it), or
   * tokenizer files in memory (e.g. `byteLevelTokenizerFiles()` for a synthetic checkpoint).
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
  ) {}

  /**
   * Opens a checkpoint folder, builds (or reuses) its graphs and loads the tokenizer.
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
    const tokenizer = await loadTokenizer(options.tokenizer, checkpoint.config);
    const runtime = await NanoVLMRuntime.load(checkpoint, options);
    return new NanoVLM(checkpoint, runtime, tokenizer);
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
    options: GenerationOptions = {},
  ): AsyncGenerator<string, GenerationResult> {
    return yield* streamText(this.runtime, this.tokenizer, await this.prepare([request]), options);
  }

  /** Releases the sessions (and their Worker, when loaded with `worker: true`). */
  async release(): Promise<void> {
    await this.runtime.release();
  }

  /** `await using model = await NanoVLM.load(...)` releases it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
