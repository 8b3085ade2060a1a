/**
 * `deno task bench:figures`: how long attention figures take once a trace exists (issue 9's
 * budget: under 1 s for one request's figure). Inputs have the shapes real checkpoints give —
 * the 222M's single 224 px tile of 7x7 image tokens, the 460M's global tile plus a 3x4 grid of
 * 8x8 tokens, and a 30-layer x 10-head grid of small maps — on a bundled photograph. Prints the
 * median of `--runs` renders (SVG string, then PNG at scale 2) per figure. A figure printer, not a
 * timed test.
 *
 * usage: deno task bench:figures [--runs 5]
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  attentionGrid,
  attentionHeatmap,
  type Figure,
  loadImage,
  type TileWeights,
} from "../../src/mod.ts";

const { values } = parseArgs({ args: Deno.args, options: { runs: { type: "string" } } });
const runs = Number(values.runs ?? 5);
const photo = decodeURIComponent(
  new URL("../../data/photos/images/chelsea.jpg", import.meta.url).pathname,
);
const image = await loadImage(photo);
const { width: W, height: H } = image;

const wave = (n: number, k: number) =>
  Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + k) ** 2);
const grid = (rows: number, cols: number, k = 0) =>
  Array.from({ length: rows }, (_, r) => wave(cols, r + k));

const single: TileWeights[] = [{ name: "image", box: [0, 0, W, H], values: grid(7, 7) }];
const tiled: TileWeights[] = [{ name: "global", box: [0, 0, W, H], values: grid(8, 8) }];
for (let r = 0; r < 3; r++) {
  for (let c = 0; c < 4; c++) {
    tiled.push({
      name: `r${r + 1}c${c + 1}`,
      box: [(c * W) / 4, (r * H) / 3, ((c + 1) * W) / 4, ((r + 1) * H) / 3],
      values: grid(8, 8, r * 4 + c),
    });
  }
}
const many = Array.from({ length: 30 }, (_, layer) =>
  [...Array(9).keys(), "mean"].map((head) => ({
    layer,
    head,
    tiles: [{
      name: "image",
      box: [0, 0, W, H] as [number, number, number, number],
      values: grid(7, 7, layer),
    }],
  }))).flat();

const cases: [string, () => Figure][] = [
  ["222M heat map (1 tile, 7x7)", () => attentionHeatmap({ image, tiles: single })],
  [
    "460M heat map (global + 3x4 tiles, 8x8, patch grid)",
    () => attentionHeatmap({ image, tiles: tiled }, { patchGrid: 4 }),
  ],
  ["222M layer x head grid (30 x 10 maps)", () => attentionGrid(image, many)],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `figure render times, median of ${runs} (picture ${W}x${H}; load ${
    Deno.loadavg()[0].toFixed(1)
  })`,
);
console.log("| figure | build + SVG ms | PNG (scale 2) ms | SVG KiB | PNG KiB |");
console.log("|---|---:|---:|---:|---:|");
for (const [name, make] of cases) {
  const svgTimes: number[] = [], pngTimes: number[] = [];
  let svgBytes = 0, pngBytes = 0;
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const fig = make();
    const svg = fig.svg();
    const t1 = performance.now();
    const png = await fig.png();
    const t2 = performance.now();
    if (i === 0) continue; // warm-up
    svgTimes.push(t1 - t0);
    pngTimes.push(t2 - t1);
    svgBytes = svg.length;
    pngBytes = png.bytes.length;
  }
  console.log(
    `| ${name} | ${median(svgTimes).toFixed(0)} | ${median(pngTimes).toFixed(0)} | ${
      (svgBytes / 1024).toFixed(0)
    } | ${(pngBytes / 1024).toFixed(0)} |`,
  );
}
