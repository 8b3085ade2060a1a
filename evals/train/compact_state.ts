/**
 * Writes a compact copy of a training state for committing (F16 parameters, F16 first moments
 * and F16 square roots of the second moments, which keeps small second moments representable),
 * and reads it back as a normal state. Resuming from a compact state continues the run closely
 * but not bit-exactly (fp16 rounding); the full F32 state resumes exactly.
 *
 * ```sh
 * deno run -A evals/train/compact_state.ts runs/shapes-nano/state.bin \
 *   data/models/shapes-nano/resume/state-f16.bin data/models/shapes-nano
 * ```
 *
 * @module
 */
import {
  type HostParams,
  loadParams,
  loadState,
  saveState,
  type TrainState,
} from "../../src/train/mod.ts";

function mapValues(group: HostParams, fn: (x: number) => number): HostParams {
  const out: HostParams = new Map();
  for (const [name, { shape, data }] of group) out.set(name, { shape, data: data.map(fn) });
  return out;
}

/**
 * Writes `state` compactly to `path`. With `checkpoint` (a folder exported from the same state),
 * the parameters it holds are left out and read from it on load.
 */
export async function saveCompactState(
  path: string,
  state: TrainState,
  checkpoint?: string,
): Promise<void> {
  const { params, m, v } = state.groups;
  let kept = params;
  if (checkpoint) {
    const stored = (await loadParams(checkpoint)).params;
    kept = new Map([...params].filter(([name]) => !stored.has(name)));
  }
  await saveState(path, {
    meta: { ...state.meta, compact: true, ...(checkpoint ? { paramsCheckpoint: checkpoint } : {}) },
    groups: { params: kept, m, sqrtV: mapValues(v, Math.sqrt) },
  }, { float16: true });
}

/** Reads a full or compact state (a compact one's `sqrtV` squared back into `v`). */
export async function loadAnyState(path: string): Promise<TrainState> {
  const state = await loadState(path);
  const checkpoint = state.meta.paramsCheckpoint as string | undefined;
  if (checkpoint) {
    const stored = (await loadParams(checkpoint)).params;
    state.groups.params = new Map([...stored, ...(state.groups.params ?? new Map())]);
  }
  if (state.groups.sqrtV) {
    state.groups.v = mapValues(state.groups.sqrtV, (x) => x * x);
    delete state.groups.sqrtV;
  }
  // What made it compact does not describe the state as loaded (a full save of it is not compact).
  delete state.meta.compact;
  delete state.meta.paramsCheckpoint;
  return state;
}

if (import.meta.main) {
  const [from, to, checkpoint] = Deno.args;
  await saveCompactState(to, await loadState(from), checkpoint);
  console.log(`wrote ${to}`);
}
