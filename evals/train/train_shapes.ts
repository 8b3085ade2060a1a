/**
 * Trains the ShapesBench default model (see shapes_model.ts for the recipe) as a resumable
 * background job: a JSON line per step in `<run>/log.jsonl` (loss, gradient norm, lr,
 * samples/s), the full state (parameters, Adam moments, step, data position) in
 * `<run>/state.bin` every `--checkpoint-minutes` and on SIGTERM, written atomically; `--resume`
 * continues from it exactly.
 *
 * ```sh
 * nice -n 10 deno run -A evals/train/train_shapes.ts --run runs/shapes --stage vit --steps 3000
 * nice -n 10 deno run -A evals/train/train_shapes.ts --run runs/shapes --resume
 * # the joint stage after stage 2 (everything trains, image tokens keep cell + position targets):
 * nice -n 10 deno run -A evals/train/train_shapes.ts --run runs/shapes --resume --stage joint --stage-steps 6000 --lr 0.0006 --warmup 200
 * # on a fresh machine, from the committed compact state:
 * nice -n 10 deno run -A evals/train/train_shapes.ts --run runs/shapes --resume --from data/models/shapes-nano/resume/state-f16.bin
 * # deepen the decoder on resume (inserted blocks start as the identity; see grow_decoder.ts):
 * nice -n 10 deno run -A evals/train/train_shapes.ts --run runs/shapes --resume --decoder-blocks 6
 * # widen it on resume (residual/MLP sizes; new heads and units start silent; see grow_width.ts):
 * nice -n 10 deno run -A evals/train/train_shapes.ts --run runs/shapes --resume --decoder-width 192/512
 * # ask the decoder for the comparison a relative question needs (shapes_reference.ts):
 * nice -n 10 deno run -A evals/train/train_shapes.ts --run runs/shapes --resume --relation-weight 0.5
 * # ask the decoder, at a count question's noun, which cells hold what it counts (shapes_count.ts):
 * nice -n 10 deno run -A evals/train/train_shapes.ts --run runs/shapes --resume --count-weight 0.3
 * ```
 *
 * @module
 */
import { init, numpy as np, tree } from "@jax-js/jax";
import { createTokenizer, ropeInvFreq } from "../../src/mod.ts";
import {
  type HostParams,
  initParams,
  InitRandom,
  makeTrainStep,
  type Params,
  ropeTables,
  saveState,
  toDevice,
  toHost,
  zerosLike,
} from "../../src/train/mod.ts";
import {
  parseTypeWeights,
  ShapesStream,
  TASK_TYPES,
  type TaskType,
  TRAINING_ONLY_TYPES,
} from "./shapes_data.ts";
import {
  cellBatch,
  cellLoss,
  linearHead,
  POSITION_CLASSES,
  positionHead,
  qaBatch,
  qaLoss,
  shapesConfig,
  stage1Head,
} from "./shapes_model.ts";
import { jointBatch, jointLoss } from "./shapes_joint.ts";
import { COUNT_CELLS } from "./shapes_count.ts";
import { evaluateCells, evaluateQa } from "./shapes_eval.ts";
import { loadAnyState } from "./compact_state.ts";
import type { DecoderWidth } from "./grow_width.ts";
import { growOnResume } from "./grow_on_resume.ts";
import { learningRate } from "./shapes_schedule.ts";
import { shapesTokenizerConfig, shapesTokenizerJson } from "./shapes_tokenizer.ts";

const DEFAULTS: Record<string, string> = {
  stage: "vit",
  steps: "3000",
  batch: "32",
  seed: "1",
  "checkpoint-minutes": "4",
  "eval-every": "500",
  warmup: "100",
};
const given: Record<string, string> = {};
let resumeFlag = false;
for (let i = 0; i < Deno.args.length; i++) {
  const flag = Deno.args[i];
  if (flag === "--resume") resumeFlag = true;
  else if (flag.startsWith("--") && i + 1 < Deno.args.length) given[flag.slice(2)] = Deno.args[++i];
  else throw new Error(`unexpected argument ${flag}`);
}
const args: Record<string, string | undefined> = { ...DEFAULTS, ...given };

const run = args.run ?? "runs/shapes";
await Deno.mkdir(run, { recursive: true });
await init("wasm");

const tokenizerJson = shapesTokenizerJson();
const probeConfig = shapesConfig(4096);
const tokenizer = createTokenizer(
  { tokenizerJson, tokenizerConfig: shapesTokenizerConfig() },
  probeConfig,
);
const statePath = `${run}/state.bin`;
const logPath = `${run}/log.jsonl`;

type Meta = {
  stage: "vit" | "vlm" | "joint";
  step: number;
  steps: number;
  lr: number;
  batch: number;
  seed: number;
  warmup: number;
  maxObjects: number;
  patch: number;
  stageStartStep: number;
  elapsedSeconds: number;
  /** Relative weights of the VQA types in stage 2 (`--type-weights count_color=3,...`; default 1 each). */
  typeWeights?: Record<string, number>;
  /** Joint stage: weight of the image tokens' auxiliary cell and position losses (`--aux-weight`, default 0.5). */
  auxWeight?: number;
  /** Joint stage: weight of the decoder-side reference loss (`--reference-weight`, default 0: off). */
  referenceWeight?: number;
  /** Joint stage: weight of the decoder-side relation loss (`--relation-weight`, default 0: off). */
  relationWeight?: number;
  /** Joint stage: weight of the decoder-side count loss (`--count-weight`, default 0: off). */
  countWeight?: number;
  /**
   * Step where the learning-rate schedule (warm-up, cosine to `steps`) starts: the stage's start,
   * or where `--stage-steps` restarted it within the stage (Adam's step count goes on).
   */
  scheduleStartStep?: number;
  /** Decoder blocks (`--decoder-blocks` grows them on resume; default 4). */
  decoderBlocks?: number;
  /** Decoder width (`--decoder-width hidden/inter` widens it on resume; default 128/384). */
  decoderWidth?: DecoderWidth;
};

let meta: Meta;
let params: HostParams;
let moments: { m: HostParams; v: HostParams } | undefined;
if (resumeFlag) {
  const from = given.from ?? statePath;
  const state = await loadAnyState(from);
  meta = state.meta as unknown as Meta;
  params = state.groups.params;
  if (args.stage !== meta.stage && args.stage !== "vit") {
    // Switching stage on resume: keep parameters, fresh optimizer and schedule.
    meta = {
      ...meta,
      stage: args.stage as Meta["stage"],
      stageStartStep: meta.step,
      scheduleStartStep: meta.step,
    };
    meta.steps = meta.step + Number(given["stage-steps"] ?? 3000);
    if (given.warmup) meta.warmup = Number(given.warmup);
  } else {
    moments = { m: state.groups.m, v: state.groups.v };
    if (given.steps) meta.steps = Number(args.steps);
    if (given["stage-steps"]) {
      // A new schedule within the stage: warm-up and cosine over the next stage-steps.
      meta.scheduleStartStep = meta.step;
      meta.steps = meta.step + Number(given["stage-steps"]);
      if (given.warmup) meta.warmup = Number(given.warmup);
    }
  }
  if (given.lr) meta.lr = Number(args.lr);
  if (args["max-objects"]) meta.maxObjects = Number(args["max-objects"]);
  if (given["type-weights"]) meta.typeWeights = parseTypeWeights(given["type-weights"]);
  if (given["aux-weight"]) meta.auxWeight = Number(given["aux-weight"]);
  if (given["reference-weight"]) meta.referenceWeight = Number(given["reference-weight"]);
  if (given["relation-weight"]) meta.relationWeight = Number(given["relation-weight"]);
  if (given["count-weight"]) meta.countWeight = Number(given["count-weight"]);
  ({ params, moments, decoderBlocks: meta.decoderBlocks, decoderWidth: meta.decoderWidth } =
    growOnResume(
      { params, moments, decoderBlocks: meta.decoderBlocks, decoderWidth: meta.decoderWidth },
      { blocks: given["decoder-blocks"], width: given["decoder-width"] },
      meta.seed,
      meta.step,
    ));
} else {
  const seed = Number(args.seed);
  meta = {
    stage: args.stage as Meta["stage"],
    step: 0,
    steps: Number(args.steps),
    lr: Number(args.lr ?? (args.stage === "vit" ? 1e-3 : 1e-3)),
    batch: Number(args.batch),
    seed,
    warmup: Number(args.warmup),
    maxObjects: Number(args["max-objects"] ?? 6),
    patch: Number(args.patch ?? 32),
    stageStartStep: 0,
    elapsedSeconds: 0,
    typeWeights: given["type-weights"] ? parseTypeWeights(given["type-weights"]) : undefined,
  };
  params = initParams(shapesConfig(tokenizer.size, meta.patch), seed);
  const random = new InitRandom(seed, "stage1");
  for (
    const [k, v] of stage1Head(shapesConfig(tokenizer.size, meta.patch), () => random.normal())
  ) params.set(k, v);
}
const config = shapesConfig(tokenizer.size, meta.patch, meta.decoderBlocks ?? 4, meta.decoderWidth);
if (!["vit", "vlm", "joint"].includes(meta.stage)) {
  throw new Error(`--stage must be vit, vlm or joint, got "${meta.stage}"`);
}
if (meta.stage === "joint" && !params.has("stage1.position.weight")) {
  const random = new InitRandom(meta.seed, "position");
  for (const [k, v] of positionHead(config, () => random.normal())) params.set(k, v);
}
const headWeights = {
  reference: meta.referenceWeight ?? 0,
  relation: meta.relationWeight ?? 0,
  count: meta.countWeight ?? 0,
};
const headClasses = {
  reference: POSITION_CLASSES,
  relation: POSITION_CLASSES,
  count: 2 * COUNT_CELLS,
};
for (
  const [prefix, weight] of Object.entries(headWeights) as [keyof typeof headWeights, number][]
) {
  if (meta.stage !== "joint" || weight <= 0 || params.has(`stage1.${prefix}.weight`)) continue;
  const random = new InitRandom(meta.seed, prefix);
  const classes = headClasses[prefix];
  for (const [k, v] of linearHead(config, () => random.normal(), `stage1.${prefix}`, classes)) {
    params.set(k, v);
    // A head added to a running stage starts with zero Adam moments.
    moments?.m.set(k, { shape: v.shape, data: new Float32Array(v.data.length) });
    moments?.v.set(k, { shape: v.shape, data: new Float32Array(v.data.length) });
  }
}
await Deno.writeTextFile(`${run}/config.json`, JSON.stringify(config, null, 2));

const isVision = (name: string) => name.startsWith("vision_encoder.");
const trainableNames = [...params.keys()].filter((name) =>
  meta.stage === "joint"
    ? true
    : meta.stage === "vit"
    ? (isVision(name) || name.startsWith("MP.") || name.startsWith("stage1.")) &&
      !name.startsWith("stage1.position")
    : !isVision(name) && !name.startsWith("stage1.")
);
const frozenNames = [...params.keys()].filter((name) =>
  !trainableNames.includes(name) && (meta.stage === "vlm" ? isVision(name) : false)
);
const otherNames = [...params.keys()].filter((n) =>
  !trainableNames.includes(n) && !frozenNames.includes(n)
);

let trainable: Params = toDevice(params, trainableNames);
const frozen: Params = toDevice(params, frozenNames);
let m: Params = moments ? toDevice(moments.m, trainableNames) : zerosLike(trainable);
let v: Params = moments ? toDevice(moments.v, trainableNames) : zerosLike(trainable);

const headDim = config.lm_hidden_dim / config.lm_n_heads;
const rope = ropeTables(ropeInvFreq(headDim, config.lm_re_base), 64);
const stream = new ShapesStream({
  seed: meta.seed,
  size: config.vit_img_size,
  maxObjects: meta.maxObjects,
});
// A type of weight w appears w times, so the stream's uniform pick draws it w times as often;
// a training-only type is drawn only when given a weight.
const vqaTypes = (TASK_TYPES.filter((t) => t !== "caption") as TaskType[]).flatMap((t) =>
  new Array<TaskType>(meta.typeWeights?.[t] ?? (TRAINING_ONLY_TYPES.includes(t) ? 0 : 1)).fill(t)
);

const b = meta.batch;
const stepVit = makeTrainStep(cellLoss(config), { clip: 1 });
const stepVlm = makeTrainStep(qaLoss(config), { clip: 1 });
const stepJoint = makeTrainStep(
  jointLoss(config, meta.auxWeight ?? 0.5, headWeights),
  {
    clip: 1,
  },
);

const decoderTargets = Object.values(headWeights).some((weight) => weight > 0);
/** The joint stage's batch of step `step`. */
const jointBatchAt = (step: number, types: readonly TaskType[], length: number) =>
  jointBatch(stream, step * b, b, types, length, tokenizer, config, rope, decoderTargets);
/** Stage 2's batch of step `step`. */
const qaBatchAt = (step: number, types: readonly TaskType[], length: number) =>
  qaBatch(stream, step * b, b, types, length, tokenizer, config, rope);

function lrAt(step: number): number {
  const start = meta.scheduleStartStep ?? meta.stageStartStep;
  return learningRate({ lr: meta.lr, warmup: meta.warmup, start, end: meta.steps }, step);
}

async function checkpoint(): Promise<void> {
  const host = await toHost(trainable);
  for (const [k, val] of await toHost(frozen)) host.set(k, val);
  for (const name of otherNames) host.set(name, params.get(name)!);
  params = host;
  await saveState(statePath, {
    meta: meta as unknown as Record<string, unknown>,
    groups: { params: host, m: await toHost(m), v: await toHost(v) },
  });
}

const log = await Deno.open(logPath, { append: true, create: true, write: true });
const encoder = new TextEncoder();
let lastCheckpoint = performance.now();
// SIGTERM (e.g. `kill <pid>` at the end of a working period): checkpoint after this step, exit.
let stopRequested = false;
Deno.addSignalListener("SIGTERM", () => stopRequested = true);
const started = performance.now();
const startElapsed = meta.elapsedSeconds;
let windowStart = performance.now(), windowSamples = 0, skippedInARow = 0;
console.log(
  `stage ${meta.stage}: step ${meta.step} -> ${meta.steps}, batch ${b}, trainable ${trainableNames.length} tensors`,
);
while (meta.step < meta.steps) {
  const step = meta.step;
  const lr = lrAt(step);
  const caption = meta.stage !== "vit" && step % 3 === 2;
  const kind = meta.stage === "vit" ? "cells" : caption ? "caption" : "vqa";
  // Adam's learning rate and its step count within the stage.
  const adam = [np.array(lr), np.array(step + 1 - meta.stageStartStep)] as const;
  const types = caption ? ["caption" as const] : vqaTypes, length = caption ? 40 : 20;
  const out = meta.stage === "vit"
    ? stepVit(trainable, tree.ref(frozen), m, v, cellBatch(stream, step * b, b, config), ...adam)
    : meta.stage === "joint"
    ? stepJoint(trainable, tree.ref(frozen), m, v, jointBatchAt(step, types, length), ...adam)
    : stepVlm(trainable, tree.ref(frozen), m, v, qaBatchAt(step, types, length), ...adam);
  const { loss, gradNorm } = out;
  ({ params: trainable, m, v } = out);
  const samples = b;
  const lossValue = (await loss.data())[0], normValue = (await gradNorm.data())[0];
  meta.step = step + 1;
  windowSamples += samples;
  const now = performance.now();
  meta.elapsedSeconds = startElapsed + (now - started) / 1000;
  const rate = windowSamples / ((now - windowStart) / 1000);
  if (now - windowStart > 30_000) {
    windowStart = now;
    windowSamples = 0;
  }
  const line = {
    step: meta.step,
    stage: meta.stage,
    kind,
    loss: lossValue,
    gradNorm: normValue,
    lr,
    samplesPerSecond: Number(rate.toFixed(2)),
    elapsed: Number(meta.elapsedSeconds.toFixed(1)),
  };
  await log.write(encoder.encode(JSON.stringify(line) + "\n"));
  // The step leaves the state unchanged when its gradient is not finite (see makeTrainStep).
  if (!Number.isFinite(lossValue) || !Number.isFinite(normValue)) {
    skippedInARow++;
    console.error(`step ${meta.step}: loss ${lossValue}, gradient norm ${normValue}: skipped`);
    if (skippedInARow >= 20) {
      await checkpoint();
      console.error(`20 steps in a row skipped: stopped; the parameters are saved in ${statePath}`);
      Deno.exit(3);
    }
  } else skippedInARow = 0;
  if (meta.step % 20 === 0) console.log(JSON.stringify(line));
  const evalEvery = Number(args["eval-every"]);
  if (meta.step % evalEvery === 0 || meta.step === meta.steps) {
    const all: Params = { ...tree.ref(trainable), ...tree.ref(frozen) };
    for (const name of otherNames) {
      all[name] = np.array(params.get(name)!.data.slice()).reshape(params.get(name)!.shape);
    }
    const result = meta.stage === "vit"
      ? await evaluateCells(all, config, { seed: 999_001, images: 128 })
      : await evaluateQa(all, config, tokenizer, { seed: 999_001, perType: 48, rope });
    tree.dispose(all);
    const record = { step: meta.step, stage: meta.stage, eval: result };
    await Deno.writeTextFile(`${run}/eval.jsonl`, JSON.stringify(record) + "\n", { append: true });
    console.log("eval", JSON.stringify(record));
  }
  if (
    now - lastCheckpoint > Number(args["checkpoint-minutes"]) * 60_000 ||
    meta.step === meta.steps ||
    stopRequested
  ) {
    await checkpoint();
    lastCheckpoint = performance.now();
  }
  if (stopRequested) {
    console.log(`stopped by SIGTERM at step ${meta.step}; state saved to ${statePath}`);
    break;
  }
}
log.close();
Deno.exit(0);
