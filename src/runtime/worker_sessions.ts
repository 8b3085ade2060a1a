/**
 * Sessions that run in a Worker: one Worker per loaded model holds its onnxruntime sessions, so
 * a `run()` (synchronous inside onnxruntime-node) never blocks the caller's event loop — streams,
 * progress bars and notebook updates keep flowing while the model works. Outputs come back
 * transferred; inputs are copied, except those the caller lends (`lend`: the KV cache of a
 * generation loop), which move to the Worker and back.
 *
 * @module
 */
import type * as ort from "onnxruntime-node";
import { EngineError } from "../errors.ts";
import type { SessionOptions } from "./session.ts";
import {
  buffersOf,
  fromWire,
  toWire,
  type WireTensor,
  type WorkerReply,
  type WorkerRequest,
} from "./worker_protocol.ts";

/** What the runtime needs of a session, in this thread or in a Worker. */
export interface RunnableSession {
  /** The graph's output names. */
  readonly outputNames: readonly string[];
  /** The options it was created with. */
  readonly options: ort.InferenceSession.SessionOptions;
  /**
   * Runs the graph. `fetches` as an object binds preallocated outputs (in this thread only);
   * `lend` names feeds whose buffers move to a Worker and back without a copy (detached here
   * meanwhile): they come back in the result under their own names, as new tensors over the same
   * data (in this thread, as the same tensors).
   */
  run(
    feeds: Record<string, ort.Tensor>,
    fetches: string[] | Record<string, ort.Tensor | null>,
    lend?: readonly string[],
  ): Promise<Record<string, ort.Tensor>>;
}

/** A session in this thread. */
export class LocalSession implements RunnableSession {
  /** Wraps a created session. */
  constructor(
    /** The onnxruntime session. */
    readonly session: ort.InferenceSession,
    /** The options it was created with. */
    readonly options: ort.InferenceSession.SessionOptions,
  ) {}

  /** The graph's output names. */
  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs the graph on this thread (blocking it while onnxruntime works). */
  async run(
    feeds: Record<string, ort.Tensor>,
    fetches: string[] | Record<string, ort.Tensor | null>,
    lend: readonly string[] = [],
  ): Promise<Record<string, ort.Tensor>> {
    const out = await this.session.run(feeds, fetches);
    if (lend.length === 0) return out;
    return { ...out, ...Object.fromEntries(lend.map((name) => [name, feeds[name]])) };
  }

  /** Releases the session. */
  release(): Promise<void> {
    return this.session.release();
  }
}

/** The Worker holding one model's sessions. */
export class SessionWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (reply: WorkerReply) => void>();
  #next = 0;
  #closed = false;

  /** Starts the Worker (it inherits this process's permissions). */
  constructor() {
    this.#worker = new Worker(new URL("./session_worker.ts", import.meta.url).href, {
      type: "module",
    });
    this.#worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      this.#pending.get(event.data.id)?.(event.data);
      this.#pending.delete(event.data.id);
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#fail(`the inference worker failed: ${event.message}`);
    };
  }

  #fail(message: string): void {
    for (const resolve of this.#pending.values()) {
      resolve({ id: -1, ok: false, message, engine: true });
    }
    this.#pending.clear();
  }

  /** Sends a request and waits for its reply; errors come back as the named errors they were. */
  async request(request: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.#closed) {
      throw new EngineError(
        "the model was released",
        "load the model again before using it",
      );
    }
    const reply = await new Promise<WorkerReply>((resolve) => {
      this.#pending.set(request.id, resolve);
      this.#worker.postMessage(request, transfer);
    });
    if (!reply.ok) {
      throw new EngineError(
        reply.message,
        reply.hint ?? "run again with --debug; if the inputs are valid, please report this",
      );
    }
    return reply;
  }

  /** A request id. */
  nextId(): number {
    return this.#next++;
  }

  /** Creates a session in the Worker from graph bytes whose external data lives in `weightsFolder`. */
  async createSession(
    graph: Uint8Array,
    weightsFolder: string,
    options: SessionOptions,
  ): Promise<RunnableSession> {
    const reply = await this.request({
      kind: "create",
      id: this.nextId(),
      graph,
      weightsFolder,
      options,
    }) as Extract<WorkerReply, { ok: true }>;
    return new WorkerSession(this, reply.session!, reply.outputNames!, reply.options!);
  }

  /** Releases the Worker's sessions and ends it; later requests are refused. */
  async release(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.request({ kind: "release", id: this.nextId() });
    } finally {
      this.#closed = true;
      this.#worker.terminate();
    }
  }
}

/** A session living in a {@link SessionWorker}. */
class WorkerSession implements RunnableSession {
  constructor(
    private readonly worker: SessionWorker,
    private readonly index: number,
    readonly outputNames: readonly string[],
    readonly options: ort.InferenceSession.SessionOptions,
  ) {}

  async run(
    feeds: Record<string, ort.Tensor>,
    fetches: string[] | Record<string, ort.Tensor | null>,
    lend: readonly string[] = [],
  ): Promise<Record<string, ort.Tensor>> {
    const wire: Record<string, WireTensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) wire[name] = toWire(tensor);
    const reply = await this.worker.request({
      kind: "run",
      id: this.worker.nextId(),
      session: this.index,
      feeds: wire,
      fetches: Array.isArray(fetches) ? fetches : Object.keys(fetches),
      lent: [...lend],
    }, buffersOf(lend.map((name) => wire[name]).filter(Boolean))) as Extract<
      WorkerReply,
      { ok: true }
    >;
    return Object.fromEntries(
      Object.entries(reply.outputs!).map(([name, t]) => [name, fromWire(t)]),
    );
  }
}
