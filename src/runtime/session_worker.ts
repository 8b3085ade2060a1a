/**
 * The Worker behind {@link WorkerSessions}: it owns one model's onnxruntime sessions, so their
 * synchronous `run()` blocks this thread and never the caller's event loop. Outputs go back
 * transferred (their buffers move, no copy).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type * as ort from "onnxruntime-node";
import { EngineError } from "../errors.ts";
import { createSession } from "./session.ts";
import {
  buffersOf,
  fromWire,
  toWire,
  type WireTensor,
  type WorkerReply,
  type WorkerRequest,
} from "./worker_protocol.ts";

const sessions: ort.InferenceSession[] = [];

async function handle(request: WorkerRequest): Promise<[WorkerReply, ArrayBuffer[]]> {
  switch (request.kind) {
    case "create": {
      const made = await createSession(request.graph, request.weightsFolder, request.options);
      sessions.push(made.session);
      return [{
        id: request.id,
        ok: true,
        session: sessions.length - 1,
        outputNames: [...made.session.outputNames],
        options: made.options,
      }, []];
    }
    case "run": {
      const feeds = Object.fromEntries(
        Object.entries(request.feeds).map(([name, t]) => [name, fromWire(t)]),
      );
      const out = await sessions[request.session].run(feeds, request.fetches);
      const outputs: Record<string, WireTensor> = {};
      for (const [name, tensor] of Object.entries(out)) outputs[name] = toWire(tensor);
      for (const name of request.lent) outputs[name] = request.feeds[name];
      return [{ id: request.id, ok: true, outputs }, buffersOf(Object.values(outputs))];
    }
    case "release": {
      for (const session of sessions.splice(0)) await session.release();
      return [{ id: request.id, ok: true }, []];
    }
  }
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  try {
    const [reply, transfer] = await handle(event.data);
    self.postMessage(reply, transfer);
  } catch (error) {
    const e = error as Error;
    self.postMessage(
      {
        id: event.data.id,
        ok: false,
        message: e.message,
        engine: e instanceof EngineError,
        hint: (e as EngineError).hint,
      } satisfies WorkerReply,
    );
  }
};
