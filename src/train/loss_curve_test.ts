import { assertEquals } from "../testing/mod.ts";
import { lossCurvesSvg, lossCurveSvg } from "./loss_curve.ts";

Deno.test("loss curves: one polyline and one legend entry per series with finite points", () => {
  const points = (scale: number) => [1, 2, 3].map((step) => ({ step, loss: scale / step }));
  const svg = lossCurvesSvg([
    { label: "stage 1", points: points(1) },
    { label: "stage 2", points: points(0.5) },
    { label: "stage 3", points: [{ step: 4, loss: NaN }] },
  ]);
  const strokes = [...svg.matchAll(/<polyline[^>]*stroke="([^"]+)"/g)].map((m) => m[1]);
  assertEquals(strokes, ["#1f77b4", "#ff7f0e"]);
  const legend = [...svg.matchAll(/fill="(#[0-9a-f]+)">([^<]+)</g)].map((m) => [m[1], m[2]]);
  assertEquals(legend, [["#1f77b4", "stage 1"], ["#ff7f0e", "stage 2"], ["#2ca02c", "stage 3"]]);
  // The first point of "stage 1" (loss 1, the axis top) is drawn at the plot's top edge, y = 20.
  assertEquals(svg.match(/points="[\d.]+,([\d.]+)/)?.[1], "20.0");
  // The two-curve form names its curves train and validation.
  const pair = lossCurveSvg(points(1), points(2));
  assertEquals([...pair.matchAll(/">(train|validation)</g)].map((m) => m[1]), [
    "train",
    "validation",
  ]);
});
