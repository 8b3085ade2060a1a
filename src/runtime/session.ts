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

/** Execution providers: `auto` picks cuda when usable, else cpu. */
export type Provider = "cpu" | "cuda" | "auto";

/** Options for {@link createSession}. */
export interface SessionOptions {
  /** Execution provider that was resolved (`cpu` or `cuda`). */
  provider?: "cpu" | "cuda";
  /** Intra-op threads (default: onnxruntime's choice, all cores). */
  threads?: number;
  /** Let onnxruntime print its own log lines (warnings and up). */
  debug?: boolean;
  /** Keep weights memory-mapped instead of prepacking copies (less memory, slower prefill). */
  disablePrepacking?: boolean;
  /**
   * Let idle worker threads spin-wait for the next run (default true). Turn it off for sessions
   * that run between another session's runs (the embedding lookup), or their spinning threads
   * take the cores from the next run.
   */
  spinning?: boolean;
}

/** A created session with the provider it runs on. */
export interface Session {
  /** The onnxruntime-node session. */
  session: ort.InferenceSession;
  /** The execution provider it was created for. */
  provider: "cpu" | "cuda";
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
  const sessionConfig: Record<string, string> = {
    model_external_initializers_file_folder_path: weightsFolder,
  };
  if (options.disablePrepacking) sessionConfig.disable_prepacking = "1";
  if (options.spinning === false) sessionConfig["intra_op.allow_spinning"] = "0";
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: provider === "cuda" ? ["cuda", "cpu"] : ["cpu"],
    graphOptimizationLevel: "all",
    logSeverityLevel: options.debug ? 2 : 3,
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    extra: { session: sessionConfig },
  };
  try {
    return { session: await ort.InferenceSession.create(graph, sessionOptions), provider };
  } catch (error) {
    throw new EngineError(
      `onnxruntime could not create a session: ${(error as Error).message}`,
      provider === "cuda"
        ? "run `deno task nanovlm doctor` to check the CUDA provider installation"
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
