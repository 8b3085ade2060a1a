/**
 * The public types of a trace: its tokens (with roles), its image tiles (with their boxes in the
 * original picture), the stages it can hold and the options that bound it. The `viz/` room and
 * notebooks build on these; they are kept stable.
 *
 * @module
 */

/**
 * What a decoder position holds:
 * - `text`: a prompt token (chat-template specials such as `<|im_start|>` included);
 * - `marker`: an image marker token (`<|global_image|>`, `<row_1_col_2>`), whose `tile` it opens;
 * - `image`: an image embedding (a `<|image|>` placeholder, or v0.1's prepended embeddings), with
 *   its `tile` and its (`row`, `col`) in that tile's token grid;
 * - `answer`: a token of a teacher-forced answer;
 * - `generated`: a token the model generated while tracing.
 */
export type TokenRole = "text" | "marker" | "image" | "answer" | "generated";

/** One decoder position of a trace. */
export interface TraceToken {
  /** Decoder position (0-based; v0.1's prepended image embeddings come first). */
  position: number;
  /** Token id; undefined for v0.1's prepended image embeddings, which have none. */
  id?: number;
  /** The token's text piece as the tokenizer decodes it alone (specials kept). */
  text: string;
  /** What the position holds. */
  role: TokenRole;
  /** Index into {@link TraceLayout.tiles}: the tile an image token belongs to, or a marker opens. */
  tile?: number;
  /** Image tokens: row in the tile's token grid. */
  row?: number;
  /** Image tokens: column in the tile's token grid. */
  col?: number;
}

/** A box `[x0, y0, x1, y1]` in pixels of the original picture (x1, y1 exclusive). */
export type Box = [x0: number, y0: number, x1: number, y1: number];

/** One image tile the vision encoder saw, and where it lies on the original picture. */
export interface TraceTile {
  /** Index of the tile in the trace (the vision encoder's batch order). */
  index: number;
  /** Index of the request image it comes from. */
  image: number;
  /**
   * `image` for the single tile of v0.1/v0.2 (or a 1x1 grid), `global` for the global thumbnail,
   * `r{row}c{col}` (1-based) for a grid tile.
   */
  name: string;
  /** The tile's box in the original picture (the global tile and single tiles: the whole picture). */
  box: Box;
  /** The tile's image-token grid `[rows, cols]` (patches per side / pixel-shuffle factor). */
  grid: [rows: number, cols: number];
  /** Decoder positions of the tile's image tokens, row-major over `grid`. */
  positions: number[];
}

/** One request image: its size and how preprocessing resized it. */
export interface TraceImage {
  /** Original width in pixels. */
  width: number;
  /** Original height in pixels. */
  height: number;
  /** The size the tiles were cut from, `[height, width]` (v0.1/v0.2: the square tile size). */
  resized: [height: number, width: number];
  /** Tile grid `[rows, cols]` (v0.1/v0.2: `[1, 1]`). */
  grid: [rows: number, cols: number];
}

/** The geometry that relates image tokens, ViT patches and pixels. */
export interface TraceGeometry {
  /** Tile side in pixels (`vit_img_size`). */
  tileSize: number;
  /** ViT patch side in pixels. */
  patchSize: number;
  /** ViT patches per tile side. */
  patchesPerSide: number;
  /** Pixel-shuffle factor f: image token (i, j) covers ViT patches f·i..f·i+f-1, f·j..f·j+f-1. */
  shuffleFactor: number;
  /** Image tokens per tile side. */
  tokensPerSide: number;
}

/** Where everything of a traced prompt is: tokens, tiles, images, geometry. */
export interface TraceLayout {
  /** Every decoder position, in order. */
  tokens: TraceToken[];
  /** Every tile, in the vision encoder's order (= the order of their tokens in the prompt). */
  tiles: TraceTile[];
  /** The request's images. */
  images: TraceImage[];
  /** Token/patch/pixel geometry. */
  geometry: TraceGeometry;
  /** The ids fed to the model: prompt ids, then answer or generated ids (no v0.1 image slots). */
  inputIds: number[];
  /** Decoder positions of the prompt (images included); answer/generated tokens follow. */
  promptLength: number;
}

/**
 * The stages a trace can hold:
 * - `pixels`: pixel values per tile `[tile, channel, y, x]`;
 * - `patches`: ViT patch embeddings (conv + position) `[tile, patch, channel]`;
 * - `vit.residual`: each ViT block's output `[tile, patch, channel]` (and the final LayerNorm's);
 * - `vit.attention`: ViT attention probabilities `[tile, head, query, key]`;
 * - `projector`: the projector output, one embedding per image token `[tile, token, channel]`;
 * - `decoder.input`: the merged decoder input `[position, channel]`;
 * - `decoder.residual`: each decoder block's output `[position, channel]`;
 * - `decoder.attention`: decoder attention probabilities `[head, query, key]`;
 * - `logits`: final logits `[position, vocab]` (with top-k per position).
 */
export type TraceStage =
  | "pixels"
  | "patches"
  | "vit.residual"
  | "vit.attention"
  | "projector"
  | "decoder.input"
  | "decoder.residual"
  | "decoder.attention"
  | "logits";

/** Every stage, in data-flow order. */
export const TRACE_STAGES: readonly TraceStage[] = [
  "pixels",
  "patches",
  "vit.residual",
  "vit.attention",
  "projector",
  "decoder.input",
  "decoder.residual",
  "decoder.attention",
  "logits",
];

/** A layer or head selection: `all`, or a list of 0-based indices. */
export type IndexSelection = "all" | readonly number[];

/** Options that choose what a trace computes and keeps (and so what it costs). */
export interface TraceOptions {
  /** A teacher-forced answer appended after the prompt (tokenized without special tokens). */
  answer?: string;
  /** Generate greedily this many tokens, then trace prompt + generated tokens. */
  generate?: { maxNewTokens: number };
  /** Stages to keep (default: all of {@link TRACE_STAGES}). */
  stages?: readonly TraceStage[];
  /** ViT layers whose residual/attention are kept (default `all`). */
  vitLayers?: IndexSelection;
  /** ViT heads whose attention is kept (default `all`). */
  vitHeads?: IndexSelection;
  /** Decoder layers whose residual/attention are kept (default `all`). */
  layers?: IndexSelection;
  /** Decoder query heads whose attention is kept (default `all`; GQA heads are named by query head). */
  heads?: IndexSelection;
  /** Top-k tokens kept per position (default 5). */
  topK?: number;
  /** Refuse traces whose kept tensors exceed this many bytes (default 2 GiB): {@link TraceBudgetError}. */
  maxBytes?: number;
}

/** The cost of one stage of a trace. */
export interface StageCost {
  /** The stage. */
  stage: TraceStage;
  /** Shape of one kept tensor (axis names and lengths). */
  dims: readonly string[];
  /** Lengths of {@link dims}. */
  shape: readonly number[];
  /** How many such tensors (layers). */
  count: number;
  /** Bytes kept for the stage (float32). */
  bytes: number;
}

/** What a trace will keep, stage by stage, before it is computed. */
export interface TraceEstimate {
  /** One entry per stage that is kept. */
  stages: StageCost[];
  /** Bytes of every kept tensor together. */
  bytes: number;
  /** Decoder positions the trace covers. */
  positions: number;
  /** Tiles the vision encoder runs on. */
  tiles: number;
}

/** The comparison of one stage between two runs. */
export interface StageDrift {
  /** Stage name, e.g. `vit.block3`, `decoder.block0`, `logits`. */
  name: string;
  /** Cosine similarity of the flattened tensors. */
  cosine: number;
  /** Largest absolute difference. */
  maxAbs: number;
  /** `maxAbs` relative to the reference's largest absolute value. */
  rel: number;
}

/** Drift of the next-token distributions between two runs. */
export interface LogitsDrift {
  /** KL(reference ‖ other) per position: mean, 99th percentile, max (nats). */
  kl: { mean: number; p99: number; max: number };
  /** Probability change of the reference's top token (other − reference): mean, max |Δp|. */
  deltaP: { mean: number; maxAbs: number };
  /** Fraction of positions whose argmax agrees. */
  top1Agreement: number;
  /** Positions compared. */
  positions: number;
}

/** A whole comparison of two runs. */
export interface DriftReport {
  /** Labels of the two runs (e.g. `fp32`, `fp16`). */
  a: string;
  /** Label of the compared run. */
  b: string;
  /** Per stage, in data-flow order. */
  stages: StageDrift[];
  /** The logits comparison. */
  logits: LogitsDrift;
  /** Greedy generation: first step (0-based) where the ids differ, or null when they agree. */
  firstDivergence: number | null;
  /** Greedy steps compared. */
  greedySteps: number;
}
