/**
 * The options of {@link NanoVLMRuntime.load} and the record of one session run it reports.
 *
 * @module
 */
import type {
  Flavour,
  GraphName,
  Kernels,
  ModulePrecision,
  Precision,
  QuantOptions,
} from "../model/mod.ts";
import type { Provider } from "./session.ts";

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
  /**
   * Spin-wait in the sessions' worker threads between the kernels of a run (default true; they
   * stop spinning when the run returns). `false`: they sleep between kernels.
   */
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
