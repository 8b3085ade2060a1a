/**
 * Snapshot tests: each figure, on a fixed small input, as normalised SVG against the committed
 * file in `snapshots/` (`UPDATE_SNAPSHOTS=1` rewrites them; review the diff before committing).
 */
import { InputError } from "../errors.ts";
import { assertThrows } from "../testing/mod.ts";
import { assertSvgSnapshot } from "../testing/mod.ts";
import { attentionHeatmap } from "./attention.ts";
import { attentionGrid, attentionStrip } from "./attention_multiples.ts";
import type { TileWeights } from "./attention_types.ts";
import { driftChart, type DriftRun } from "./drift_chart.ts";
import { embeddingPca } from "./embedding_pca.ts";
import { type LensTableInput, logitLensFigure } from "./lens_table.ts";

const snapshot = (name: string) =>
  decodeURIComponent(new URL(`./snapshots/${name}.svg`, import.meta.url).pathname);

const image = {
  width: 48,
  height: 32,
  data: Uint8Array.from({ length: 48 * 32 * 3 }, (_, i) => (i * 7) % 256),
};
const ramp = (n: number, k = 0) => Array.from({ length: n }, (_, i) => ((i + k) % n) / (n - 1));
const single: TileWeights[] = [{
  name: "image",
  box: [0, 0, 48, 32],
  grid: [2, 3],
  values: ramp(6),
  patches: [4, 6],
}];

Deno.test("snapshot: attention heat map with patch grid and legend", async () => {
  const fig = attentionHeatmap({ image, tiles: single }, {
    width: 240,
    patchGrid: true,
    title: "map",
  });
  await assertSvgSnapshot(fig.svg(), snapshot("attention_heatmap"));
});

Deno.test("snapshot: attention heat map over grid tiles with borders", async () => {
  const tiles: TileWeights[] = [
    { name: "global", box: [0, 0, 48, 32], grid: [2, 2], values: [1, 0, 0, 0] },
    { name: "r1c1", box: [0, 0, 24, 32], grid: [2, 1], values: [0.2, 0.8] },
    { name: "r1c2", box: [24, 0, 48, 32], grid: [2, 1], values: [0.5, 0.1] },
  ];
  await assertSvgSnapshot(
    attentionHeatmap({ image, tiles }, { width: 240 }).svg(),
    snapshot("attention_tiles"),
  );
});

Deno.test("snapshot: layer x head grid", async () => {
  const maps = [0, 1].flatMap((layer) =>
    [0, 1, "mean"].map((head, h) => ({
      layer,
      head,
      tiles: [{ ...single[0], values: ramp(6, layer + h) }],
    }))
  );
  await assertSvgSnapshot(attentionGrid(image, maps).svg(), snapshot("attention_grid"));
});

Deno.test("snapshot: word strip", async () => {
  const words = ["a", "red", "ball"].map((label, i) => ({
    label,
    attention: { image, tiles: [{ ...single[0], values: ramp(6, i) }] },
  }));
  await assertSvgSnapshot(attentionStrip(words).svg(), snapshot("attention_strip"));
});

const lens: LensTableInput = {
  positions: [{ position: 5, token: " what" }, { position: 6, token: "\n" }],
  layers: [
    { layer: 0, top: [{ token: " the", prob: 0.12 }, { token: "<|im_end|>", prob: 0.05 }] },
    { layer: 1, top: [{ token: " colour", prob: 0.61 }, { token: " red", prob: 0.93 }] },
  ],
};

Deno.test("snapshot: logit lens", async () => {
  await assertSvgSnapshot(logitLensFigure(lens).svg(), snapshot("logit_lens"));
});

const runs: DriftRun[] = [
  {
    label: "fp16",
    stages: [
      { name: "vision", maxAbs: 1e-3, rel: 2e-4, cosine: 0.9999998 },
      { name: "lm.logits", maxAbs: 4e-3, rel: 1e-3, cosine: 0.999999 },
    ],
  },
  {
    label: "fp32 fast",
    stages: [
      { name: "vision", maxAbs: 0, rel: 0, cosine: 1 },
      { name: "lm.logits", maxAbs: 2e-6, rel: 3e-7, cosine: 1 },
    ],
  },
];

Deno.test("snapshot: drift per stage", async () => {
  await assertSvgSnapshot(driftChart(runs).svg(), snapshot("drift"));
});

Deno.test("snapshot: patch-embedding PCA scatter and RGB image", async () => {
  const data = Float64Array.from(
    { length: 16 * 4 },
    (_, i) => Math.sin(i * 1.3) + (i % 4) * 0.1 * Math.floor(i / 4),
  );
  const emb = { data, rows: 16, cols: 4, grid: [4, 4] as const };
  await assertSvgSnapshot(embeddingPca(emb).figure.svg(), snapshot("pca_scatter"));
  await assertSvgSnapshot(embeddingPca(emb, { mode: "image" }).figure.svg(), snapshot("pca_image"));
});

Deno.test("lens, drift and PCA figures name the problem with their input", () => {
  assertThrows(() => logitLensFigure({ positions: [], layers: [] }), InputError, /empty table/);
  assertThrows(
    () => logitLensFigure({ ...lens, layers: [{ layer: 0, top: [{ token: "a", prob: 1 }] }] }),
    InputError,
    /layer 0 has 1 guesses for 2 positions/,
  );
  assertThrows(() => driftChart([]), InputError, /nothing to show/);
  const emb = { data: new Float64Array(12), rows: 6, cols: 2 };
  assertThrows(
    () => embeddingPca({ ...emb, grid: [2, 2] }),
    InputError,
    /grid 2x2 does not hold 6/,
  );
  assertThrows(() => embeddingPca(emb, { mode: "image" }), InputError, /needs a grid/);
});
