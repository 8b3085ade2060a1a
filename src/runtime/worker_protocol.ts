/**
 * The messages between {@link WorkerSessions} and its Worker: tensors travel as plain
 * `{ type, dims, data }` records whose buffers are transferred, not copied, where the sender may
 * give them up.
 *
 * @module
 */
import { ort } from "./ort.ts";
import type { SessionOptions } from "./session.ts";

/** A tensor as a message carries it. */
export interface WireTensor {
  /** onnxruntime element type, e.g. `float32`. */
  type: ort.Tensor.Type;
  /** Shape. */
  dims: readonly number[];
  /** Elements. */
  data: ort.Tensor.DataType;
}

/** A request to the worker. */
export type WorkerRequest =
  | {
    kind: "create";
    id: number;
    graph: Uint8Array;
    weightsFolder: string;
    options: SessionOptions;
  }
  | {
    kind: "run";
    id: number;
    session: number;
    feeds: Record<string, WireTensor>;
    fetches: string[];
    /** Feeds whose buffers were moved here and go back with the reply (in `outputs`, by name). */
    lent: string[];
  }
  | { kind: "release"; id: number };

/** The worker's answer to request `id`. */
export type WorkerReply =
  | {
    id: number;
    ok: true;
    /** `create`: the session's number, output names and the options it was created with. */
    session?: number;
    outputNames?: string[];
    options?: ort.InferenceSession.SessionOptions;
    /** `run`: the fetched outputs, and the lent feeds under their own names. */
    outputs?: Record<string, WireTensor>;
  }
  | { id: number; ok: false; message: string; engine: boolean; hint?: string };

/** A tensor as a message. */
export function toWire(tensor: ort.Tensor): WireTensor {
  return { type: tensor.type, dims: tensor.dims, data: tensor.data };
}

/** The message's tensor as an onnxruntime tensor (no copy). */
export function fromWire(wire: WireTensor): ort.Tensor {
  return new ort.Tensor(wire.type, wire.data as Float32Array, wire.dims);
}

/** The buffers of these tensors, for a transfer list (each once). */
export function buffersOf(tensors: Iterable<WireTensor>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const t of tensors) {
    const data = t.data as ArrayBufferView;
    if (ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer) buffers.add(data.buffer);
  }
  return [...buffers];
}
