import { grad, init, numpy as np, tree } from "@jax-js/jax";
import { defaultConfig, type NanoVLMConfig, ropeInvFreq } from "../checkpoint/mod.ts";
import { withTempDir } from "../testing/mod.ts";
import { type Params, ropeTables, type VlmBatch, vlmLoss } from "./model.ts";
import { type HostParams, initParams, toDevice, toHost } from "./params.ts";
import { makeTrainStep, zerosLike } from "./step.ts";
import { loadState, saveState } from "./state.ts";

await init("wasm");

/** A tiny v0.1 config: 32-px images, 16 patches -> 4 image tokens, one block each side. */
const TINY: NanoVLMConfig = {
  ...defaultConfig("v0.1"),
  vit_hidden_dim: 16,
  vit_inter_dim: 32,
  vit_patch_size: 8,
  vit_img_size: 32,
  vit_n_heads: 2,
  vit_n_blocks: 1,
  lm_hidden_dim: 16,
  lm_inter_dim: 32,
  lm_n_heads: 2,
  lm_n_kv_heads: 1,
  lm_n_blocks: 1,
  lm_vocab_size: 24,
  mp_pixel_shuffle_factor: 2,
};

type Batch = VlmBatch;

/**
 * A fixed toy task: 4 images whose mean brightness decides the answer token (id 10 + image
 * index), asked with the same 3-token prompt. Host arrays, so each step gets fresh device copies.
 */
function toyData(config: NanoVLMConfig) {
  const n = 4, tokens = 16, per = 3 * 8 * 8, text = 4, imageTokens = 4, total = imageTokens + text;
  const patches = new Float32Array(n * tokens * per);
  for (let i = 0; i < patches.length; i++) {
    const image = Math.floor(i / (tokens * per));
    patches[i] = (image / n) + 0.1 * Math.sin(i * 0.37);
  }
  const ids = new Int32Array(n * text), targets = new Int32Array(n * total);
  const mask = new Float32Array(n * total);
  for (let j = 0; j < n; j++) {
    ids.set([3, 4, 5, 10 + j], j * text);
    targets[j * total + imageTokens + 2] = 10 + j;
    targets[j * total + imageTokens + 3] = 0;
    mask[j * total + imageTokens + 2] = 1;
  }
  const headDim = config.lm_hidden_dim / config.lm_n_heads;
  const rope = ropeTables(ropeInvFreq(headDim, config.lm_re_base), total);
  return (): Batch => ({
    patches: np.array(patches.slice()).reshape([n, tokens, per]),
    ids: np.array(ids.slice()).reshape([n, text]),
    cos: np.array(rope.cos.slice()).reshape([total, headDim]),
    sin: np.array(rope.sin.slice()).reshape([total, headDim]),
    targets: np.array(targets.slice()).reshape([n, total]),
    mask: np.array(mask.slice()).reshape([n, total]),
  });
}

const loss = vlmLoss;

Deno.test("train step: gradients equal central finite differences on a tiny config", async () => {
  const host = initParams(TINY, 3);
  // Weights 4x the training init so every path carries a measurable gradient.
  for (const { data } of host.values()) for (let i = 0; i < data.length; i++) data[i] *= 4;
  const batch = toyData(TINY);
  const f = loss(TINY);
  const value = async (params: HostParams) => {
    const p = toDevice(params);
    const out = await f(p, batch()).data();
    tree.dispose(p);
    return out[0];
  };
  const gradFn = grad((p: Params, b: Batch) => {
    const out = f(p, b);
    tree.dispose(p);
    return out;
  });
  const grads = await toHost(gradFn(toDevice(host), batch()) as Params);
  const names = [
    "vision_encoder.patch_embedding.conv.weight",
    "vision_encoder.blocks.0.attn.qkv_proj.weight",
    "vision_encoder.blocks.0.mlp.fc1.bias",
    "vision_encoder.blocks.0.ln2.weight",
    "vision_encoder.layer_norm.bias",
    "MP.proj.weight",
    "decoder.blocks.0.attn.q_proj.weight",
    "decoder.blocks.0.attn.k_proj.weight",
    "decoder.blocks.0.mlp.down_proj.weight",
    "decoder.blocks.0.norm1.weight",
    "decoder.head.weight",
  ];
  const eps = 2e-3;
  let checked = 0;
  for (const name of names) {
    const { data } = host.get(name)!;
    const g = grads.get(name)!.data;
    // The coordinate with the largest gradient, and one more.
    let top = 0;
    for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[top])) top = i;
    for (const i of [top, (top * 7 + 3) % g.length]) {
      const saved = data[i];
      data[i] = saved + eps;
      const up = await value(host);
      data[i] = saved - eps;
      const down = await value(host);
      data[i] = saved;
      const fd = (up - down) / (2 * eps);
      if (Math.abs(fd - g[i]) > 2e-3 + 5e-2 * Math.abs(g[i])) {
        throw new Error(`${name}[${i}]: analytic ${g[i]}, finite difference ${fd}`);
      }
      checked++;
    }
    if (Math.abs(g[top]) < 1e-4) throw new Error(`${name}: gradient is zero everywhere`);
  }
  if (checked !== 2 * names.length) throw new Error("not every coordinate was checked");
});

/** Runs `steps` Adam steps from `start` (params, moments), returning losses and the final state. */
async function train(
  start: { params: HostParams; m?: HostParams; v?: HostParams; step: number },
  steps: number,
) {
  const batch = toyData(TINY);
  const stepFn = makeTrainStep(loss(TINY), { clip: 1 });
  let params = toDevice(start.params);
  let m = start.m ? toDevice(start.m) : zerosLike(params);
  let v = start.v ? toDevice(start.v) : zerosLike(params);
  const losses: number[] = [];
  for (let t = start.step; t < start.step + steps; t++) {
    const out = stepFn(params, {}, m, v, batch(), np.array(3e-3), np.array(t + 1));
    losses.push((await out.loss.data())[0]);
    out.gradNorm.dispose();
    ({ params, m, v } = out);
  }
  const result = { params: await toHost(params), m: await toHost(m), v: await toHost(v), losses };
  tree.dispose([params, m, v]);
  return result;
}

function sameParams(a: HostParams, b: HostParams): boolean {
  for (const [name, { data }] of a) {
    const other = b.get(name)!.data;
    for (let i = 0; i < data.length; i++) if (data[i] !== other[i]) return false;
  }
  return a.size === b.size;
}

Deno.test("train step: smoke training halves the loss, deterministically", async () => {
  const first = await train({ params: initParams(TINY, 5), step: 0 }, 40);
  const second = await train({ params: initParams(TINY, 5), step: 0 }, 40);
  const start = first.losses[0], end = first.losses[first.losses.length - 1];
  if (!(end <= start / 2)) throw new Error(`loss ${start} -> ${end}: did not halve`);
  if (first.losses.some((l, i) => l !== second.losses[i])) {
    throw new Error("losses differ between runs");
  }
  if (!sameParams(first.params, second.params)) throw new Error("parameters differ between runs");
});

Deno.test("train step: resuming from a saved state reproduces the uninterrupted run exactly", async () => {
  await withTempDir(async (dir) => {
    const whole = await train({ params: initParams(TINY, 7), step: 0 }, 20);
    const half = await train({ params: initParams(TINY, 7), step: 0 }, 10);
    await saveState(`${dir}/state.bin`, {
      meta: { step: 10 },
      groups: { params: half.params, m: half.m, v: half.v },
    });
    const state = await loadState(`${dir}/state.bin`);
    const resumed = await train({
      params: state.groups.params,
      m: state.groups.m,
      v: state.groups.v,
      step: state.meta.step as number,
    }, 10);
    if (!sameParams(whole.params, resumed.params)) throw new Error("resumed parameters differ");
    if (resumed.losses.some((l, i) => l !== whole.losses[10 + i])) {
      throw new Error("resumed losses differ");
    }
  });
});

Deno.test("train step: a step whose gradient is not finite leaves parameters and moments as they were", async () => {
  // loss = sqrt(Σ (w - 1)²) · x: at w = 1 the loss is 0 (finite) and its gradient 0/0 (NaN).
  const loss = (p: Params, batch: { x: np.Array }) =>
    np.sqrt(np.square(p.w.ref.sub(1)).sum()).mul(batch.x.sum());
  const stepFn = makeTrainStep(loss, { clip: 1 });
  const moments = () => ({ w: np.array([0.5, -0.25]) });
  const run = async (w: number[]) => {
    const out = stepFn(
      { w: np.array(w) },
      {},
      moments(),
      { w: np.array([4, 9]) },
      { x: np.array([1]) },
      np.array(0.1),
      np.array(3),
    );
    const read = async (a: np.Array) => Array.from(await a.data());
    return {
      loss: (await read(out.loss))[0],
      gradNorm: (await read(out.gradNorm))[0],
      w: await read(out.params.w),
      m: await read(out.m.w),
      v: await read(out.v.w),
    };
  };
  const skipped = await run([1, 1]);
  if (skipped.loss !== 0 || !Number.isNaN(skipped.gradNorm)) {
    throw new Error(`expected loss 0 and a NaN gradient norm, got ${JSON.stringify(skipped)}`);
  }
  const same = (a: number[], b: number[]) => a.every((x, i) => x === b[i]);
  if (!same(skipped.w, [1, 1]) || !same(skipped.m, [0.5, -0.25]) || !same(skipped.v, [4, 9])) {
    throw new Error(`the skipped step changed the state: ${JSON.stringify(skipped)}`);
  }
  // Away from w = 1 the same step updates everything.
  const taken = await run([2, 1]);
  if (same(taken.w, [2, 1]) || same(taken.m, [0.5, -0.25]) || same(taken.v, [4, 9])) {
    throw new Error(`a finite step left the state unchanged: ${JSON.stringify(taken)}`);
  }
});
