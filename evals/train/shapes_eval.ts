/**
 * Held-out evaluation of the ShapesBench model during training, with the jax-js forward pass:
 * per-cell accuracy for stage 1, per-question-type answer accuracy (greedy first answer token)
 * and caption checks (greedy decoding; exact match and "every object's colour and shape named")
 * for stage 2. The held-out stream uses a seed the training never uses.
 *
 * @module
 */
import { jit, numpy as np, tree } from "@jax-js/jax";
import type { NanoTokenizer, NanoVLMConfig } from "../../src/mod.ts";
import { type Params, vlmLogits } from "../../src/train/mod.ts";
import { cellLabels, ShapesStream, TASK_TYPES, type TaskType } from "./shapes_data.ts";
import {
  CELL_CLASSES,
  cellLogits,
  encodeItem,
  imageTokensOf,
  patchesOf,
  ropeArrays,
} from "./shapes_model.ts";
import { COLOR_NAMES, SHAPES } from "../datasets/mod.ts";
import type { Scene } from "../datasets/mod.ts";

function argmaxRows(
  data: Float32Array,
  rows: number,
  width: number,
  offset: number,
  classes: number,
): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++) {
      if (data[r * width + offset + k] > data[r * width + offset + best]) best = k;
    }
    out.push(best);
  }
  return out;
}

/** Stage-1 accuracy on `images` held-out scenes: per-cell colour, shape, occupancy; object-level shape. */
export async function evaluateCells(
  params: Params,
  config: NanoVLMConfig,
  options: { seed: number; images: number },
): Promise<Record<string, number>> {
  const stream = new ShapesStream({ seed: options.seed, size: config.vit_img_size });
  const forward = jit((p: Params, patches: np.Array) => {
    const out = cellLogits(p, patches, config);
    tree.dispose(p);
    return out;
  });
  let cells = 0,
    colorOk = 0,
    shapeOk = 0,
    occOk = 0,
    objects = 0,
    objColor = 0,
    objShape = 0,
    objBoth = 0;
  const batch = 32;
  for (let first = 0; first < options.images; first += batch) {
    const n = Math.min(batch, options.images - first);
    const images = Array.from({ length: n }, (_, j) => stream.image(first + j));
    const logits = await forward(tree.ref(params), patchesOf(images.map((i) => i.pixels), config))
      .data() as Float32Array;
    const width = CELL_CLASSES.color + CELL_CLASSES.shape + CELL_CLASSES.size;
    const color = argmaxRows(logits, n * 9, width, 0, CELL_CLASSES.color);
    const shape = argmaxRows(logits, n * 9, width, CELL_CLASSES.color, CELL_CLASSES.shape);
    images.forEach((img, j) => {
      const labels = cellLabels(img.scene);
      for (let c = 0; c < 9; c++) {
        const k = j * 9 + c;
        cells++;
        if (color[k] === labels.color[c]) colorOk++;
        if (shape[k] === labels.shape[c]) shapeOk++;
        if ((color[k] > 0) === (labels.color[c] > 0)) occOk++;
        if (labels.color[c] > 0) {
          objects++;
          if (color[k] === labels.color[c]) objColor++;
          if (shape[k] === labels.shape[c]) objShape++;
          if (color[k] === labels.color[c] && shape[k] === labels.shape[c]) objBoth++;
        }
      }
    });
  }
  forward.dispose();
  return {
    cellColor: colorOk / cells,
    cellShape: shapeOk / cells,
    occupancy: occOk / cells,
    objectColor: objColor / objects,
    objectShape: objShape / objects,
    objectBoth: objBoth / objects,
  };
}

/** Whether a caption names every object's colour and shape (ShapesBench's caption target). */
export function namesEveryObject(caption: string, scene: Scene): boolean {
  const words = caption.toLowerCase().split(/[^a-z]+/).filter((w) => w !== "");
  const mentioned = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    if (!(COLOR_NAMES as readonly string[]).includes(words[i])) continue;
    const next = words[i + 1]?.replace(/s$/, "");
    if (next && (SHAPES as readonly string[]).includes(next)) mentioned.add(`${words[i]} ${next}`);
  }
  return scene.objects.every((o) => mentioned.has(`${o.color} ${o.shape}`)) &&
    [...mentioned].every((m) => scene.objects.some((o) => `${o.color} ${o.shape}` === m));
}

/**
 * Stage-2 accuracy per task type on `perType` held-out items each: the greedy first answer token
 * for VQA, greedy decoding for captions.
 */
export async function evaluateQa(
  params: Params,
  config: NanoVLMConfig,
  tokenizer: NanoTokenizer,
  options: { seed: number; perType: number; rope: { cos: Float32Array; sin: Float32Array } },
): Promise<Record<string, number>> {
  const stream = new ShapesStream({ seed: options.seed, size: config.vit_img_size, reuse: 1 });
  const imageTokens = imageTokensOf(config);
  const headDim = config.lm_hidden_dim / config.lm_n_heads;
  const forward = jit(
    (p: Params, patches: np.Array, ids: np.Array, cos: np.Array, sin: np.Array) => {
      const out = vlmLogits({ patches, ids, cos, sin }, p, config);
      tree.dispose(p);
      return out;
    },
  );
  const result: Record<string, number> = {};
  const vocab = config.lm_vocab_size;
  for (const type of TASK_TYPES) {
    const textLength = type === "caption" ? 40 : 20;
    const total = imageTokens + textLength;
    const samples: ReturnType<ShapesStream["sample"]>[] = [];
    for (let s = 0; samples.length < options.perType && s < options.perType * 40; s++) {
      const sample = stream.sample(s * 7 + TASK_TYPES.indexOf(type), [type as TaskType]);
      if (sample.item.type === type) samples.push(sample);
    }
    const n = samples.length;
    const patches = () => patchesOf(samples.map((x) => x.image.pixels), config);
    const { cos, sin } = ropeArrays(options.rope, total, headDim);
    if (type !== "caption") {
      const ids = new Int32Array(n * textLength).fill(tokenizer.eosTokenId);
      const positions: number[] = [], gold: number[] = [];
      samples.forEach((x, j) => {
        const enc = encodeItem(tokenizer, x.item.question, x.item.answer);
        ids.set(enc.ids.slice(0, enc.answerStart), j * textLength);
        positions.push(imageTokens + enc.answerStart - 1);
        gold.push(enc.ids[enc.answerStart]);
      });
      const logits = await forward(
        tree.ref(params),
        patches(),
        np.array(ids).reshape([n, textLength]),
        cos,
        sin,
      )
        .data() as Float32Array;
      let ok = 0;
      samples.forEach((_, j) => {
        const base = (j * total + positions[j]) * vocab;
        let best = 0;
        for (let k = 1; k < vocab; k++) if (logits[base + k] > logits[base + best]) best = k;
        if (best === gold[j]) ok++;
      });
      result[type] = ok / n;
    } else {
      cos.dispose();
      sin.dispose();
      const prompts = samples.map((x) => encodeItem(tokenizer, x.item.question, x.item.answer));
      const seqs = prompts.map((p) => p.ids.slice(0, p.answerStart));
      const done = new Array(n).fill(false);
      for (let t = 0; t < textLength - seqs[0].length; t++) {
        const ids = new Int32Array(n * textLength).fill(tokenizer.eosTokenId);
        seqs.forEach((s, j) => ids.set(s.slice(0, textLength), j * textLength));
        const rope = ropeArrays(options.rope, total, headDim);
        const logits = await forward(
          tree.ref(params),
          patches(),
          np.array(ids).reshape([n, textLength]),
          rope.cos,
          rope.sin,
        )
          .data() as Float32Array;
        seqs.forEach((s, j) => {
          if (done[j] || s.length >= textLength) return;
          const base = (j * total + imageTokens + s.length - 1) * vocab;
          let best = 0;
          for (let k = 1; k < vocab; k++) if (logits[base + k] > logits[base + best]) best = k;
          if (best === tokenizer.eosTokenId) done[j] = true;
          else s.push(best);
        });
        if (done.every((d) => d)) break;
      }
      let exact = 0, named = 0;
      samples.forEach((x, j) => {
        const text = tokenizer.decode(seqs[j].slice(prompts[j].answerStart)).trim();
        if (text === x.item.answer) exact++;
        if (namesEveryObject(text, x.image.scene)) named++;
      });
      result.caption_exact = exact / n;
      result.caption_named = named / n;
    }
  }
  forward.dispose();
  return result;
}
