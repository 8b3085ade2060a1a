/**
 * onnxruntime-node sessions for our graphs. A graph's protobuf (kilobytes) is passed as bytes and its
 * external data is read by onnxruntime from a folder we name — the checkpoint's own folder for fp32
 * weights — so weights are memory-mapped, never copied through JavaScript.
 *
 * @module
 */
import { ort } from "./ort.ts";
import { ORT_TELEMETRY_SWITCH, telemetryOff } from "./telemetry_off.ts";
import { EngineError } from "../errors.ts";
import { intraOpThreads } from "./threads.ts";

/** Execution providers: `auto` picks cuda when usable, else cpu; `webgpu` is onnxruntime-node's bundled GPU provider. */
export type Provider = "cpu" | "cuda" | "webgpu" | "auto";

/** A provider after `auto` was resolved. */
export type ResolvedProvider = Exclude<Provider, "auto">;

/** Options for {@link createSession}. */
export interface SessionOptions {
  /** Execution provider that was resolved (`cpu`, `cuda` or `webgpu`). */
  provider?: ResolvedProvider;
  /** Intra-op threads (default: every core this process may use, see {@link availableCores}). */
  threads?: number;
  /** Let onnxruntime print its own log lines (warnings and up). */
  debug?: boolean;
  /** Keep weights memory-mapped instead of prepacking copies (less memory, slower prefill). */
  disablePrepacking?: boolean;
  /**
   * Let idle worker threads spin-wait for their next piece of work (default true): between the
   * kernels of a run they then start at once instead of waking from a futex.
   */
  spinning?: boolean;
  /**
   * Stop that spinning when a run returns (onnxruntime's `session.force_spinning_stop`; default
   * false), so that whatever runs next (another session, the JavaScript between two decode steps)
   * gets the cores instead of threads that wait for work that is not coming.
   */
  stopSpinningAfterRun?: boolean;
}

/** A created session with the provider it runs on. */
export interface Session {
  /** The onnxruntime-node session. */
  session: ort.InferenceSession;
  /** The execution provider it was created for. */
  provider: ResolvedProvider;
  /** The options the session was created with (threads included), for doctor lines and tests. */
  options: ort.InferenceSession.SessionOptions;
}

/** The onnxruntime session options {@link createSession} passes (exported so tests can check them). */
export function sessionOptionsFor(
  weightsFolder: string,
  options: SessionOptions = {},
): ort.InferenceSession.SessionOptions {
  const provider = options.provider ?? "cpu";
  const sessionConfig: Record<string, string> = {
    model_external_initializers_file_folder_path: weightsFolder,
  };
  if (options.disablePrepacking) sessionConfig.disable_prepacking = "1";
  if (options.spinning === false) sessionConfig["intra_op.allow_spinning"] = "0";
  if (options.stopSpinningAfterRun) sessionConfig.force_spinning_stop = "1";
  return {
    executionProviders: provider === "cpu" ? ["cpu"] : [provider, "cpu"],
    graphOptimizationLevel: "all",
    logSeverityLevel: options.debug ? 2 : 3,
    intraOpNumThreads: intraOpThreads(options.threads),
    extra: { session: sessionConfig },
  };
}

/** Creates a session from graph bytes whose external data lives in `weightsFolder`. */
export async function createSession(
  graph: Uint8Array,
  weightsFolder: string,
  options: SessionOptions = {},
): Promise<Session> {
  if (!telemetryOff()) {
    throw new EngineError(
      `onnxruntime's telemetry could not be switched off (${ORT_TELEMETRY_SWITCH}=1): no session is created`,
      `grant --allow-env (or --allow-env=${ORT_TELEMETRY_SWITCH}), or set ${ORT_TELEMETRY_SWITCH}=1 before starting`,
    );
  }
  const provider = options.provider ?? "cpu";
  const sessionOptions = sessionOptionsFor(weightsFolder, options);
  try {
    const session = await ort.InferenceSession.create(graph, sessionOptions);
    return { session, provider, options: sessionOptions };
  } catch (error) {
    throw new EngineError(
      `onnxruntime could not create a session: ${(error as Error).message}`,
      provider !== "cpu"
        ? `run \`deno task nanovlm doctor\` to check the ${provider} provider`
        : "run again with --debug; if the checkpoint loads with `nanovlm info`, please report this",
      { cause: error },
    );
  }
}

/** A float32 tensor. */
export function f32(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor("float32", data, dims);
}

/** An int64 tensor from numbers. */
export function i64(data: ArrayLike<number>, dims: number[]): ort.Tensor {
  return new ort.Tensor("int64", BigInt64Array.from(Array.from(data, (v) => BigInt(v))), dims);
}
