/**
 * Fine-tuning a nanoVLM checkpoint on (image, question, answer) examples: the head, the
 * projector, the last k decoder blocks or everything, with Adam, a seeded validation split and
 * early stopping on validation loss, a resumable state beside the output folder, and the result
 * written atomically as a checkpoint in the original layout (frozen tensors copied unchanged).
 *
 * v0.1 and v0.2 checkpoints (one image, one tile) are supported.
 *
 * @module
 */
import { jit, numpy as np, tree } from "@jax-js/jax";
import type { NanoVLMConfig } from "../checkpoint/mod.ts";
import { InputError, NanovlmError } from "../errors.ts";
import type { NanoTokenizer } from "../pipeline/mod.ts";
import { encodeExamples, ExampleBatcher, type FinetuneExample, shuffled } from "./finetune_data.ts";
import { lossCurveSvg } from "./loss_curve.ts";
import { maskedCrossEntropy, type Params, type VlmBatch, vlmLogits, vlmLoss } from "./model.ts";
import { type HostParams, loadParams, saveCheckpoint, toDevice, toHost } from "./params.ts";
import { loadState, saveState } from "./state.ts";
import { makeTrainStep, zerosLike } from "./step.ts";
import { pathExists } from "../files/mod.ts";

/** Which parameters a fine-tune changes. */
export type TrainPart = "head" | "projector" | "decoder-last-k" | "all";

/** The loss became NaN or infinite: the learning rate is too high for this model and data. */
export class TrainingDivergedError extends NanovlmError {}

/** Progress after each step. */
export interface FinetuneProgress {
  /** Steps done. */
  step: number;
  /** Steps planned (an upper bound when early stopping ends sooner). */
  steps: number;
  /** Epoch of the step (0-based). */
  epoch: number;
  /** Batch loss of the step. */
  loss: number;
  /** Training samples per second since the start of this run. */
  samplesPerSecond: number;
  /** Validation loss and accuracy, on the last step of an epoch. */
  validation?: { loss: number; accuracy: number };
}

/** Options of {@link finetune}. */
export interface FinetuneOptions {
  /** What to train (default `head`). */
  train?: TrainPart;
  /** Decoder blocks trained with `decoder-last-k` (default 1). */
  lastK?: number;
  /** Epochs (default 10; ends sooner when validation stops improving). */
  epochs?: number;
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Batch size (default 8). */
  batch?: number;
  /** Share of the examples held out for validation (default 0.2). */
  valSplit?: number;
  /** Epochs without validation improvement before stopping (default 3). */
  patience?: number;
  /** Seed of the split and the data order (default 0). */
  seed?: number;
  /** Continue from the state left by an interrupted run with the same output folder. */
  resume?: boolean;
  /** Called after every step. */
  onProgress?: (progress: FinetuneProgress) => void;
}

/** What {@link finetune} did. */
export interface FinetuneResult {
  /** The written checkpoint folder. */
  out: string;
  /** Steps run in total. */
  steps: number;
  /** Validation loss and accuracy (greedy exact answer, teacher-forced) per epoch. */
  history: { epoch: number; trainLoss: number; valLoss: number; valAccuracy: number }[];
  /** Validation accuracy of the initial model and of the saved (best) one. */
  accuracyBefore: number;
  /** See {@link accuracyBefore}. */
  accuracyAfter: number;
  /** Names of the tensors that were trained. */
  trained: string[];
}

/** The trainable tensor names of a part. */
export function trainableNames(
  config: NanoVLMConfig,
  names: string[],
  part: TrainPart,
  lastK = 1,
): string[] {
  switch (part) {
    case "head":
      return names.filter((n) => n === "decoder.head.weight");
    case "projector":
      return names.filter((n) => n.startsWith("MP."));
    case "decoder-last-k": {
      if (!Number.isInteger(lastK) || lastK < 1 || lastK > config.lm_n_blocks) {
        throw new InputError(
          `--last-k ${lastK} is not a block count of this decoder (1..${config.lm_n_blocks})`,
          "give how many of the last decoder blocks to train",
        );
      }
      const first = config.lm_n_blocks - lastK;
      return names.filter((n) => {
        const m = /^decoder\.blocks\.(\d+)\./.exec(n);
        return (m !== null && Number(m[1]) >= first) || n === "decoder.norm.weight";
      });
    }
    case "all":
      return [...names];
    default:
      throw new InputError(
        `unknown --train part "${part}"`,
        "use head, projector, decoder-last-k or all",
      );
  }
}

/**
 * Fine-tunes the checkpoint in `modelDir` on `examples` and writes the best (lowest validation
 * loss) parameters to the new folder `out`.
 *
 * @example
 * ```ts
 * const tokenizer = await loadTokenizer("tok/", (await openCheckpoint("ckpt")).config);
 * const result = await finetune("ckpt", tokenizer, examples, "ckpt-tuned", { train: "head" });
 * console.log(result.accuracyBefore, "->", result.accuracyAfter);
 * ```
 */
export async function finetune(
  modelDir: string,
  tokenizer: NanoTokenizer,
  examples: readonly FinetuneExample[],
  out: string,
  options: FinetuneOptions = {},
): Promise<FinetuneResult> {
  const part = options.train ?? "head", epochs = options.epochs ?? 10, lr = options.lr ?? 1e-3;
  const batchSize = options.batch ?? 8, valSplit = options.valSplit ?? 0.2;
  const patience = options.patience ?? 3, seed = options.seed ?? 0;
  const statePath = `${out}.resume/state.bin`;
  if (await pathExists(out)) {
    throw new InputError(
      `${out} already exists`,
      "choose a new --out folder (nothing was written)",
    );
  }
  if (examples.length < 2) {
    throw new InputError(
      `the dataset has ${examples.length} usable item(s) for this task; fine-tuning needs at least 2`,
      "choose a dataset (or --task) with question-answer items",
    );
  }
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new InputError(`--lr ${lr} is not a positive number`, "e.g. --lr 1e-3");
  }
  if (!(valSplit >= 0 && valSplit < 1)) {
    throw new InputError(`--val-split ${valSplit} is not in [0, 1)`, "e.g. --val-split 0.2");
  }
  const { config, params } = await loadParams(modelDir);
  if (config.generation === "current") {
    throw new InputError(
      "fine-tuning supports v0.1 and v0.2 checkpoints (one image, one tile)",
      "use a v0.1 or v0.2 checkpoint",
    );
  }
  const trained = trainableNames(config, [...params.keys()], part, options.lastK);
  const encoded = await encodeExamples(examples, config, tokenizer);
  const batcher = new ExampleBatcher(encoded, config, tokenizer);
  const { total, offset } = batcher;

  const order = shuffled(encoded.length, seed, "split");
  const valCount = valSplit > 0 ? Math.max(1, Math.round(encoded.length * valSplit)) : 0;
  const val = order.slice(0, valCount), trainSet = order.slice(valCount);
  const makeBatch = (indices: number[]) => batcher.batch(indices);
  const step = makeTrainStep(vlmLoss(config), { clip: 1 });
  const forward = jit((p: Params, b: VlmBatch) => {
    const logits = vlmLogits(b, p, config);
    const value = maskedCrossEntropy(logits.ref, b.targets, b.mask);
    tree.dispose(p);
    return [value, logits];
  });
  const frozenNames = [...params.keys()].filter((n) => !trained.includes(n));
  const frozen = toDevice(params, frozenNames);

  const evaluate = async (current: Params): Promise<{ loss: number; accuracy: number }> => {
    if (val.length === 0) return { loss: NaN, accuracy: NaN };
    let lossSum = 0, correct = 0;
    for (let start = 0; start < val.length; start += batchSize) {
      const indices = val.slice(start, start + batchSize);
      while (indices.length < Math.min(batchSize, val.length)) indices.push(indices[0]);
      const [value, logits] = forward(
        { ...tree.ref(current), ...tree.ref(frozen) },
        makeBatch(indices),
      ) as np.Array[];
      const real = Math.min(batchSize, val.length - start);
      lossSum += (await value.data())[0] * real;
      const data = await logits.data() as Float32Array;
      const vocab = config.lm_vocab_size;
      for (let j = 0; j < real; j++) {
        // Greedy exact match under teacher forcing: every answer token and the eos.
        const e = encoded[indices[j]];
        let ok = true;
        for (let t = e.answerStart; t < e.ids.length && ok; t++) {
          const base = (j * total + offset + t - 1) * vocab;
          let best = 0;
          for (let k = 1; k < vocab; k++) if (data[base + k] > data[base + best]) best = k;
          ok = best === e.ids[t];
        }
        if (ok) correct++;
      }
    }
    return { loss: lossSum / val.length, accuracy: correct / val.length };
  };

  const stepsPerEpoch = Math.ceil(trainSet.length / batchSize);
  type Meta = {
    step: number;
    bestLoss: number;
    badEpochs: number;
    history: FinetuneResult["history"];
    accuracyBefore: number;
  };
  let meta: Meta;
  let current: Params, m: Params, v: Params, best: HostParams;
  if (options.resume && await pathExists(statePath)) {
    const state = await loadState(statePath);
    meta = state.meta as unknown as Meta;
    current = toDevice(state.groups.params, trained);
    m = toDevice(state.groups.m, trained);
    v = toDevice(state.groups.v, trained);
    best = state.groups.best;
  } else {
    current = toDevice(params, trained);
    m = zerosLike(current);
    v = zerosLike(current);
    best = new Map(trained.map((n) => [n, params.get(n)!]));
    const before = await evaluate(current);
    meta = {
      step: 0,
      bestLoss: before.loss,
      badEpochs: 0,
      history: [],
      accuracyBefore: before.accuracy,
    };
  }
  const log: { step: number; loss: number }[] = [];
  const started = performance.now();
  let ran = 0, epochLoss = 0;
  const totalSteps = epochs * stepsPerEpoch;
  while (meta.step < totalSteps && meta.badEpochs < patience) {
    const epoch = Math.floor(meta.step / stepsPerEpoch), within = meta.step % stepsPerEpoch;
    const epochOrder = shuffled(trainSet.length, seed, `epoch ${epoch}`).map((i) => trainSet[i]);
    const indices: number[] = [];
    for (let k = 0; k < batchSize; k++) {
      indices.push(epochOrder[(within * batchSize + k) % epochOrder.length]);
    }
    const result = step(
      current,
      tree.ref(frozen),
      m,
      v,
      makeBatch(indices),
      np.array(lr),
      np.array(meta.step + 1),
    );
    const loss = (await result.loss.data())[0];
    result.gradNorm.dispose();
    if (!Number.isFinite(loss)) {
      tree.dispose([result.params, result.m, result.v]);
      throw new TrainingDivergedError(
        `the training loss became ${loss} at step ${meta.step + 1} (learning rate ${lr})`,
        `lower --lr (e.g. ${
          lr / 10
        }); the last good state is kept in ${statePath}, resume with --resume`,
      );
    }
    ({ params: current, m, v } = result);
    meta.step++;
    ran++;
    epochLoss += loss;
    log.push({ step: meta.step, loss });
    const progress: FinetuneProgress = {
      step: meta.step,
      steps: totalSteps,
      epoch,
      loss,
      samplesPerSecond: ran * batchSize / ((performance.now() - started) / 1000),
    };
    if (meta.step % stepsPerEpoch === 0) {
      const validation = await evaluate(current);
      progress.validation = validation;
      meta.history.push({
        epoch,
        trainLoss: epochLoss / stepsPerEpoch,
        valLoss: validation.loss,
        valAccuracy: validation.accuracy,
      });
      epochLoss = 0;
      if (val.length === 0 || validation.loss < meta.bestLoss) {
        meta.bestLoss = validation.loss;
        meta.badEpochs = 0;
        best = await toHost(current);
      } else meta.badEpochs++;
      await Deno.mkdir(`${out}.resume`, { recursive: true });
      await saveState(statePath, {
        meta: meta as unknown as Record<string, unknown>,
        groups: { params: await toHost(current), m: await toHost(m), v: await toHost(v), best },
      });
    }
    options.onProgress?.(progress);
  }
  const merged: HostParams = new Map(params);
  for (const [name, value] of best) merged.set(name, value);
  const accuracyAfter = meta.history.length > 0
    ? Math.max(...meta.history.map((h) => h.valAccuracy))
    : meta.accuracyBefore;
  const bestEpoch = meta.history.find((h) => h.valLoss === meta.bestLoss);
  await saveCheckpoint(config, merged, out, {
    extraFiles: {
      "finetune_log.json": JSON.stringify(
        { part, trained, lr, batchSize, seed, history: meta.history, steps: log },
        null,
        2,
      ),
      "loss.svg": lossCurveSvg(
        log,
        meta.history.map((h) => ({ step: (h.epoch + 1) * stepsPerEpoch, loss: h.valLoss })),
      ),
    },
  });
  tree.dispose([current, m, v, frozen]);
  await Deno.remove(`${out}.resume`, { recursive: true }).catch(() => {});
  return {
    out,
    steps: meta.step,
    history: meta.history,
    accuracyBefore: meta.accuracyBefore,
    accuracyAfter: bestEpoch?.valAccuracy ?? accuracyAfter,
    trained,
  };
}
