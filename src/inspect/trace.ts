/**
 * `Trace`: everything one request did inside the model — its tokens and tiles, the pixel values,
 * the ViT's patch embeddings, residual streams and attention, the projector output, the decoder's
 * residual streams and attention, and the final logits with top-k tokens per position. Tensors are
 * wrapped as {@link LabelledTensor}s when first asked for; stages that were not traced are not
 * there, and asking for one is an error that says what the trace holds.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { AttentionSource } from "./attention_map.ts";
import { LabelledTensor } from "./tensor.ts";
import type { TraceLayout, TraceStage, TraceToken } from "./types.ts";

/** One of the top-k tokens at a position. */
export interface TopToken {
  /** Token id. */
  id: number;
  /** Its text piece. */
  text: string;
  /** Softmax probability. */
  probability: number;
  /** The raw logit. */
  logit: number;
}

/** The model dimensions a trace needs to label its tensors. */
export interface TraceDims {
  /** ViT blocks. */
  vitLayers: number;
  /** ViT heads. */
  vitHeads: number;
  /** Decoder blocks. */
  layers: number;
  /** Decoder query heads. */
  heads: number;
  /** Decoder key/value heads (query head h reads kv head ⌊h · kvHeads / heads⌋). */
  kvHeads: number;
  /** Vocabulary size. */
  vocab: number;
}

/** A raw tensor of a trace: its values and shape (as the graph returned them). */
export interface RawTensor {
  /** Row-major values. */
  data: Float32Array;
  /** Shape. */
  dims: readonly number[];
}

/** What a trace is made of (built by `traceModel`, or by hand in tests). */
export interface TraceParts {
  /** Tokens, tiles, images, geometry. */
  layout: TraceLayout;
  /** Model dimensions. */
  dims: TraceDims;
  /** Stages held. */
  stages: readonly TraceStage[];
  /** ViT layers held (residual and attention). */
  vitLayers: readonly number[];
  /** ViT heads held. */
  vitHeads: readonly number[];
  /** Decoder layers held (residual and attention). */
  layers: readonly number[];
  /** Decoder query heads held. */
  heads: readonly number[];
  /** Tensors by golden name (`vit.block0`, `lm.attn_probs.layer1`, `lm.logits`, ...). */
  tensors: ReadonlyMap<string, RawTensor>;
  /** Decoder positions of the rows of `lm.logits`. */
  logitsPositions: readonly number[];
  /** Top-k kept per position. */
  topK: number;
  /** The text piece of an id. */
  piece: (id: number) => string;
  /** A label for reports, e.g. `fp32`. */
  label?: string;
}

/** A MIME bundle for notebook display. */
export type MimeBundle = Record<string, unknown>;

/** Renders a trace for a notebook; the `viz/` room installs a richer one with {@link setTraceDisplay}. */
export type TraceDisplay = (trace: Trace) => MimeBundle | Promise<MimeBundle>;

let display: TraceDisplay | undefined;

/**
 * Installs the function that renders traces in a notebook (`[Symbol.for("Jupyter.display")]`).
 * The `viz/` room calls this when imported; without it a trace shows a text and HTML summary.
 */
export function setTraceDisplay(fn: TraceDisplay | undefined): void {
  display = fn;
}

const tensorAxes: Record<string, readonly string[]> = {
  pixel_values: ["tile", "channel", "y", "x"],
  "vit.patch_embeds": ["tile", "patch", "channel"],
  "vit.output": ["tile", "patch", "channel"],
  "mp.output": ["tile", "token", "channel"],
};

/** Axis names of a tensor by its name. */
function axesOf(name: string): readonly string[] {
  if (tensorAxes[name]) return tensorAxes[name];
  if (name.startsWith("vit.block")) return ["tile", "patch", "channel"];
  if (name.startsWith("vit.attn_probs.")) return ["tile", "head", "query", "key"];
  if (name.startsWith("lm.attn_probs.")) return ["head", "query", "key"];
  if (name === "lm.logits") return ["position", "vocab"];
  return ["position", "channel"]; // lm.inputs_embeds, lm.block{i}
}

/**
 * One traced request. It is an {@link AttentionSource}, so `attentionMaps(trace, ...)` and the
 * rollouts take it directly.
 *
 * @example
 * ```ts
 * const trace = await model.trace({ images: ["cat.jpg"], text: "What is this?" }, {
 *   answer: " A cat",
 *   layers: "all",
 * });
 * trace.tokens.filter((t) => t.role === "image").length; // image tokens
 * trace.attention(3).at(0).shape;                        // head 0: [query, key]
 * trace.topK(trace.layout.promptLength - 1)[0].text;     // the predicted first answer token
 * ```
 */
export class Trace implements AttentionSource {
  /** Tokens, tiles, images and geometry. */
  readonly layout: TraceLayout;
  /** Model dimensions. */
  readonly dims: TraceDims;
  /** Stages this trace holds. */
  readonly stages: readonly TraceStage[];
  /** ViT layers held. */
  readonly vitLayers: readonly number[];
  /** ViT heads held (the `head` axis of ViT attention, in this order). */
  readonly vitHeads: readonly number[];
  /** Decoder layers held. */
  readonly attentionLayers: readonly number[];
  /** Decoder query heads held (the `head` axis of decoder attention, in this order). */
  readonly attentionHeads: readonly number[];
  /** Decoder positions the logits rows stand for. */
  readonly logitsPositions: readonly number[];
  /** A label for reports (e.g. the precision). */
  readonly label: string;
  readonly #parts: TraceParts;
  readonly #wrapped = new Map<string, LabelledTensor>();
  readonly #top = new Map<number, TopToken[]>();

  /** Builds a trace from its parts (`model.trace` does this). */
  constructor(parts: TraceParts) {
    this.#parts = parts;
    this.layout = parts.layout;
    this.dims = parts.dims;
    this.stages = parts.stages;
    this.vitLayers = parts.vitLayers;
    this.vitHeads = parts.vitHeads;
    this.attentionLayers = parts.layers;
    this.attentionHeads = parts.heads;
    this.logitsPositions = parts.logitsPositions;
    this.label = parts.label ?? "trace";
  }

  /** Every decoder position's token. */
  get tokens(): readonly TraceToken[] {
    return this.layout.tokens;
  }

  /** Names of the tensors held, in data-flow order. */
  get tensorNames(): string[] {
    return [...this.#parts.tensors.keys()];
  }

  /** A tensor by its golden name (`vit.block0`, `lm.attn_probs.layer1`, ...). */
  tensor(name: string): LabelledTensor {
    const cached = this.#wrapped.get(name);
    if (cached) return cached;
    const raw = this.#parts.tensors.get(name);
    if (!raw) {
      throw new InputError(
        `the trace holds no ${name}`,
        `it holds ${
          this.tensorNames.join(", ") || "nothing"
        }; trace again with that stage, layer or head`,
      );
    }
    const axes = axesOf(name);
    // Decoder tensors come with a batch axis of 1: drop it.
    const shape = raw.dims.length === axes.length + 1 ? raw.dims.slice(1) : raw.dims;
    const tensor = new LabelledTensor(axes, shape, raw.data);
    this.#wrapped.set(name, tensor);
    return tensor;
  }

  #layer(kind: "ViT" | "decoder", layer: number, held: readonly number[], stage: TraceStage): void {
    if (!this.stages.includes(stage)) {
      throw new InputError(
        `the trace holds no ${stage} (stages: ${this.stages.join(", ")})`,
        `trace with stages including "${stage}"`,
      );
    }
    if (!held.includes(layer)) {
      throw new InputError(
        `${kind} layer ${layer} is not in the trace (it holds ${held.join(", ") || "none"})`,
        `pick one of ${held.join(", ")}, or trace with that layer`,
      );
    }
  }

  /** Pixel values per tile, `[tile, channel, y, x]`. */
  get pixelValues(): LabelledTensor {
    return this.tensor("pixel_values");
  }

  /** ViT patch embeddings (conv + position), `[tile, patch, channel]`. */
  get patchEmbeddings(): LabelledTensor {
    return this.tensor("vit.patch_embeds");
  }

  /** A ViT block's output (the residual stream after it), `[tile, patch, channel]`. */
  vitResidual(layer: number): LabelledTensor {
    this.#layer("ViT", layer, this.vitLayers, "vit.residual");
    return this.tensor(`vit.block${layer}`);
  }

  /** The ViT output after the final LayerNorm, `[tile, patch, channel]`. */
  get vitOutput(): LabelledTensor {
    return this.tensor("vit.output");
  }

  /** A ViT layer's attention probabilities, `[tile, head, query, key]` (heads: {@link vitHeads}). */
  vitAttention(layer: number): LabelledTensor {
    this.#layer("ViT", layer, this.vitLayers, "vit.attention");
    return this.tensor(`vit.attn_probs.layer${layer}`);
  }

  /** The projector output, one embedding per image token, `[tile, token, channel]`. */
  get projector(): LabelledTensor {
    return this.tensor("mp.output");
  }

  /** The merged decoder input (image embeddings in their slots), `[position, channel]`. */
  get decoderInput(): LabelledTensor {
    return this.tensor("lm.inputs_embeds");
  }

  /** A decoder block's output (the residual stream after it), `[position, channel]`. */
  residual(layer: number): LabelledTensor {
    this.#layer("decoder", layer, this.attentionLayers, "decoder.residual");
    return this.tensor(`lm.block${layer}`);
  }

  /** A decoder layer's attention probabilities, `[head, query, key]` (heads: {@link attentionHeads}). */
  attention(layer: number): LabelledTensor {
    this.#layer("decoder", layer, this.attentionLayers, "decoder.attention");
    return this.tensor(`lm.attn_probs.layer${layer}`);
  }

  /** The key/value head a query head reads (grouped-query attention). */
  kvHeadOf(head: number): number {
    return Math.floor(head * this.dims.kvHeads / this.dims.heads);
  }

  /** Final logits, `[position, vocab]`; row i is decoder position {@link logitsPositions}[i]. */
  get logits(): LabelledTensor {
    return this.tensor("lm.logits");
  }

  /** The logits row of a decoder position. */
  logitsAt(position: number): Float32Array {
    const row = this.logitsPositions.indexOf(position);
    if (row < 0) {
      throw new InputError(
        `the trace holds no logits for position ${position}`,
        `it holds positions ${this.logitsPositions[0]}..${this.logitsPositions.at(-1)}`,
      );
    }
    return this.logits.at(row).data;
  }

  /** The top-k next tokens predicted at a decoder position (k = the trace's `topK` at most). */
  topK(position: number, k: number = this.#parts.topK): TopToken[] {
    let top = this.#top.get(position);
    if (!top) {
      top = topTokens(this.logitsAt(position), this.#parts.topK, this.#parts.piece);
      this.#top.set(position, top);
    }
    return top.slice(0, k);
  }

  /** The text piece of a token id (specials kept). */
  pieceOf(id: number): string {
    return this.#parts.piece(id);
  }

  /** The ids of the appended (answer or generated) tokens. */
  get appendedIds(): number[] {
    return this.layout.tokens.slice(this.layout.promptLength).map((t) => t.id!);
  }

  /** A short text summary: tokens, tiles, stages, layers. */
  summary(): string {
    const roles = new Map<string, number>();
    for (const t of this.layout.tokens) roles.set(t.role, (roles.get(t.role) ?? 0) + 1);
    return [
      `Trace ${this.label}: ${this.layout.tokens.length} positions (${
        [...roles].map(([r, n]) => `${n} ${r}`).join(", ")
      })`,
      `tiles: ${this.layout.tiles.map((t) => t.name).join(", ")}`,
      `stages: ${this.stages.join(", ")}`,
      `decoder layers: ${this.attentionLayers.join(", ") || "none"}; heads: ${
        this.attentionHeads.join(", ") || "none"
      }`,
    ].join("\n");
  }

  /** Notebook display: the installed {@link TraceDisplay}, else a text and HTML summary. */
  [Symbol.for("Jupyter.display")](): MimeBundle | Promise<MimeBundle> {
    if (display) return display(this);
    const text = this.summary();
    const escape = (s: string) =>
      s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    return {
      "text/plain": text,
      "text/html": `<pre>${escape(text)}</pre>`,
    };
  }
}

/** The `k` most likely tokens of a logits row (softmax in float64, ties to the lower id). */
export function topTokens(
  logits: ArrayLike<number>,
  k: number,
  piece: (id: number) => string,
): TopToken[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const best: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    if (best.length === k && logits[i] <= logits[best[k - 1]]) continue;
    let at = best.length;
    while (at > 0 && logits[best[at - 1]] < logits[i]) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best.map((id) => ({
    id,
    text: piece(id),
    probability: Math.exp(logits[id] - max) / sum,
    logit: logits[id],
  }));
}
