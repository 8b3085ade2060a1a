import { type DriftReport, type LogitLens, Trace, type TraceLayout } from "../inspect/mod.ts";
import { assert, assertEquals } from "../testing/mod.ts";
import { type Displayable, JUPYTER_DISPLAY } from "./display.ts";
import {
  driftRuns,
  lensInput,
  logitsDriftTable,
  traceEmbeddings,
  traceTokensTable,
} from "./trace_views.ts";

// A hand-made trace: "a", one 2x2-patch tile (pixel shuffle 2 → one image token), "b".
const layout: TraceLayout = {
  tokens: [
    { position: 0, id: 97, text: "a", role: "text" },
    { position: 1, id: 5, text: "<|image|>", role: "image", tile: 0, row: 0, col: 0 },
    { position: 2, id: 98, text: " b", role: "text" },
  ],
  tiles: [{ index: 0, image: 0, name: "image", box: [0, 0, 8, 8], grid: [1, 1], positions: [1] }],
  images: [{ width: 8, height: 8, resized: [8, 8], grid: [1, 1] }],
  geometry: { tileSize: 8, patchSize: 4, patchesPerSide: 2, shuffleFactor: 2, tokensPerSide: 1 },
  inputIds: [97, 5, 98],
  promptLength: 3,
};
const vocab = 4;
const trace = new Trace({
  layout,
  dims: { vitLayers: 0, vitHeads: 1, layers: 0, heads: 1, kvHeads: 1, vocab },
  stages: ["patches", "projector", "logits"],
  vitLayers: [],
  vitHeads: [],
  layers: [],
  heads: [],
  tensors: new Map([
    ["vit.patch_embeds", {
      data: Float32Array.from({ length: 4 * 3 }, (_, i) => i),
      dims: [1, 4, 3],
    }],
    ["mp.output", { data: Float32Array.from([1, 2]), dims: [1, 1, 2] }],
    // Position 2's logits: token 3 wins with e^2 / (1 + 1 + 1 + e^2).
    ["lm.logits", { data: Float32Array.from([0, 0, 0, 2]), dims: [1, 1, vocab] }],
  ]),
  logitsPositions: [2],
  topK: 2,
  piece: (id) => ["w", "x", "y", " z"][id],
});

Deno.test("traceEmbeddings gives a tile's patches on the patch grid and the projector on the token grid", () => {
  const patches = traceEmbeddings(trace, "patches");
  assertEquals([patches.rows, patches.cols, patches.grid], [4, 3, [2, 2]]);
  assertEquals(Array.from(patches.data), Array.from({ length: 12 }, (_, i) => i));
  const tokens = traceEmbeddings(trace, "projector");
  assertEquals([tokens.rows, tokens.cols, tokens.grid], [1, 2, [1, 1]]);
});

Deno.test("traceTokensTable lists positions with roles, tiles and the next-token guess", () => {
  const text = traceTokensTable(trace, { hideImageTokens: false }).toString().split("\n");
  assertEquals(text[0].split(/\s+/), ["pos", "role", "tile", "id", "piece", "next", "guess", "p"]);
  assert(text[3].includes("image (0, 0)"), text[3]);
  const p = Math.exp(2) / (3 + Math.exp(2));
  assert(text[4].includes("␣z") && text[4].endsWith(p.toFixed(3)), text[4]);
  assertEquals(traceTokensTable(trace).rows.length, 2, "image positions hidden by default");
});

Deno.test("importing viz installs the trace display: summary plus the tokens table", async () => {
  const bundle = await (trace as unknown as Displayable)[JUPYTER_DISPLAY]();
  assert(
    bundle["text/html"].startsWith("<pre>Trace trace: 3 positions"),
    bundle["text/html"].slice(0, 80),
  );
  assert(bundle["text/html"].includes("<table"));
  assertEquals(bundle["text/plain"], trace.summary());
});

Deno.test("lensInput labels columns with the trace's tokens and keeps each cell's top guess", () => {
  const lens: LogitLens = {
    layers: [0, 1],
    positions: [0, 2],
    cells: [0, 1].map((layer) =>
      [0, 2].map((position) => ({
        layer,
        position,
        top: [{
          id: layer,
          text: `t${layer}${position}`,
          probability: 0.1 * (layer + position),
          logit: 0,
        }],
      }))
    ),
  };
  assertEquals(lensInput(lens, trace), {
    positions: [{ position: 0, token: "a" }, { position: 2, token: " b" }],
    layers: [
      { layer: 0, top: [{ token: "t00", prob: 0 }, { token: "t02", prob: 0.2 }] },
      { layer: 1, top: [{ token: "t10", prob: 0.1 }, { token: "t12", prob: 0.30000000000000004 }] },
    ],
  });
});

Deno.test("drift reports become labelled runs and a logits table", () => {
  const report: DriftReport = {
    a: "fp32",
    b: "fp16",
    stages: [{ name: "lm.logits", cosine: 0.99, maxAbs: 1e-3, rel: 2e-4 }],
    logits: {
      kl: { mean: 1e-5, p99: 2e-5, max: 3e-5 },
      deltaP: { mean: 1e-4, maxAbs: 2e-4 },
      top1Agreement: 1,
      positions: 4,
    },
    firstDivergence: 3,
    greedySteps: 8,
  };
  assertEquals(driftRuns([report]), [{ label: "fp16 vs fp32", stages: report.stages }]);
  const lines = logitsDriftTable([report]).toString().split("\n");
  assertEquals(lines[2].split(/\s{2,}/), [
    "fp16 vs fp32",
    "1.00e-5",
    "2.00e-5",
    "3.00e-5",
    "1.00e-4",
    "1.000",
    "step 3",
  ]);
});
