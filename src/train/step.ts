/**
 * One jitted training step: loss, gradients of the trainable parameters only (frozen ones are a
 * separate argument and never change), global gradient-norm clipping, a step with a non-finite
 * gradient skipped (parameters and moments unchanged, its `gradNorm` reports it), and Adam
 * (`m = b1·m + (1-b1)·g; v = b2·v + (1-b2)·g²; p -= lr·m̂/(√v̂ + eps)`) with the learning rate and
 * step number passed as arrays so a schedule does not recompile.
 *
 * @module
 */
import { jit, numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import type { Params } from "./model.ts";

/** Adam hyper-parameters. */
export interface AdamOptions {
  /** First-moment decay (default 0.9). */
  beta1?: number;
  /** Second-moment decay (default 0.999). */
  beta2?: number;
  /** Denominator epsilon (default 1e-8). */
  eps?: number;
  /** Clip the global gradient norm to this value (default 1; 0 disables). */
  clip?: number;
  /** Decoupled weight decay (AdamW) on matrices (default 0). */
  weightDecay?: number;
}

/** A loss of (all parameters, batch) -> scalar; it borrows the parameters, consumes the batch. */
export type LossFn<B> = (params: Params, batch: B) => np.Array;

/** What one step returns; the caller owns every array. */
export type StepResult = {
  /** The batch loss (before the update). */
  loss: np.Array;
  /** The global gradient norm (before clipping). */
  gradNorm: np.Array;
  /** Updated trainable parameters. */
  params: Params;
  /** Updated first moments. */
  m: Params;
  /** Updated second moments. */
  v: Params;
};

/** A compiled step: `(trainable, frozen, m, v, batch, lr, t)`; consumes every argument. */
export type TrainStep<B> = (
  trainable: Params,
  frozen: Params,
  m: Params,
  v: Params,
  batch: B,
  lr: np.Array,
  t: np.Array,
) => StepResult;

/** Zero Adam moments shaped like `params` (borrowed). */
export function zerosLike(params: Params): Params {
  const out: Params = {};
  for (const [name, p] of Object.entries(params)) out[name] = np.zeros(p.shape);
  return out;
}

/**
 * Builds the jitted training step of `loss`. `lr` is a scalar array, `t` the 1-based step
 * number as a scalar float array (for Adam's bias correction).
 */
export function makeTrainStep<B>(loss: LossFn<B>, options: AdamOptions = {}): TrainStep<B> {
  const b1 = options.beta1 ?? 0.9, b2 = options.beta2 ?? 0.999, eps = options.eps ?? 1e-8;
  const clip = options.clip ?? 1, decay = options.weightDecay ?? 0;
  const objective = (trainable: Params, frozen: Params, batch: B) => {
    const all: Params = { ...trainable, ...frozen };
    const value = loss(all, batch);
    tree.dispose(trainable);
    tree.dispose(frozen);
    return value;
  };
  const step = (
    trainable: Params,
    frozen: Params,
    m: Params,
    v: Params,
    batch: B,
    lr: np.Array,
    t: np.Array,
  ): StepResult => {
    const [value, grads] = valueAndGrad(objective, { argnums: 0 })(
      tree.ref(trainable),
      frozen,
      batch as never,
    ) as [np.Array, Params];
    const names = Object.keys(trainable);
    let sq: np.Array = np.zeros([]);
    for (const name of names) sq = sq.add(np.square(grads[name].ref).sum());
    const gradNorm = np.sqrt(sq);
    const scale = clip > 0 ? np.minimum(np.divide(clip, gradNorm.ref.add(1e-6)), 1) : np.ones([]);
    const c1 = np.power(b1, t.ref).neg().add(1), c2 = np.power(b2, t).neg().add(1);
    // A step whose gradient is not finite (an overflow, 0/0 in a backward pass) changes nothing.
    const finite = np.isfinite(gradNorm.ref);
    const out: StepResult = { loss: value, gradNorm, params: {}, m: {}, v: {} };
    for (const name of names) {
      const g = grads[name].mul(scale.ref);
      const m1 = m[name].ref.mul(b1).add(g.ref.mul(1 - b1));
      const v1 = v[name].ref.mul(b2).add(np.square(g).mul(1 - b2));
      const update = m1.ref.div(c1.ref).div(np.sqrt(v1.ref.div(c2.ref)).add(eps));
      const p = trainable[name];
      const decayed = decay > 0 && p.ndim >= 2 ? p.ref.sub(p.ref.mul(lr.ref).mul(decay)) : p.ref;
      out.params[name] = np.where(finite.ref, decayed.sub(update.mul(lr.ref)), p);
      out.m[name] = np.where(finite.ref, m1, m[name]);
      out.v[name] = np.where(finite.ref, v1, v[name]);
    }
    finite.dispose();
    scale.dispose();
    c1.dispose();
    c2.dispose();
    lr.dispose();
    return out;
  };
  return jit(step) as unknown as TrainStep<B>;
}
