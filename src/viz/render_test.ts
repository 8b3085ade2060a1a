import * as Plot from "@observablehq/plot";
import sharp from "sharp";
import { assert, assertEquals, assertThrows } from "../testing/mod.ts";
import { renderPlot, svgToPng, toHtml, toPng, toSvg } from "./render.ts";

async function raw(png: Uint8Array) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

function darkPixels(image: { data: Uint8Array }, threshold = 128): number {
  let n = 0;
  for (let i = 0; i < image.data.length; i += 3) if (image.data[i] < threshold) n++;
  return n;
}

Deno.test("svgToPng draws text with the machine's fonts (DejaVu): a word leaves dark pixels", async () => {
  const blank = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"></svg>`;
  const word =
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><text x="4" y="22" font-size="20" font-family="system-ui, sans-serif">Attention</text></svg>`;
  const empty = await raw(await svgToPng(blank, { scale: 1 }));
  const text = await raw(await svgToPng(word, { scale: 1 }));
  assertEquals(darkPixels(empty), 0);
  // "Attention" at 20 px covers a few hundred pixels; no font at all would leave none.
  assert(darkPixels(text) > 150, `only ${darkPixels(text)} dark pixels: are fonts installed?`);
});

Deno.test("svgToPng scales by device pixels and flattens onto white", async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="50" height="20"></svg>`;
  const image = await raw(await svgToPng(svg, { scale: 3 }));
  assertEquals([image.width, image.height], [150, 60]);
  assertEquals(Array.from(image.data.subarray(0, 3)), [255, 255, 255]);
  await assertRejectsRange(() => svgToPng(svg, { scale: 0 }));
});

async function assertRejectsRange(fn: () => Promise<unknown>) {
  let threw = false;
  try {
    await fn();
  } catch (error) {
    threw = error instanceof RangeError;
  }
  assert(threw, "expected a RangeError");
}

Deno.test("toSvg of a plain plot sets the namespaces; toHtml keeps Plot's markup", () => {
  const chart = renderPlot({ marks: [Plot.barY([1, 2, 3])] });
  const svg = toSvg(chart);
  assert(svg.startsWith("<svg"), svg.slice(0, 40));
  assert(svg.includes('xmlns="http://www.w3.org/2000/svg"'));
  assert(svg.includes('xmlns:xlink="http://www.w3.org/1999/xlink"'));
  assertEquals(toHtml(chart), svg);
});

Deno.test("toSvg lays a figure (title, continuous legend, caption) out as one SVG", async () => {
  const chart = renderPlot({
    width: 300,
    height: 120,
    title: "The title & more",
    caption: "A caption",
    color: { type: "linear", legend: true, domain: [0, 1] },
    marks: [Plot.dot([0, 0.5, 1], { x: (d) => d, fill: (d) => d })],
  });
  assertEquals(chart.tagName.toLowerCase(), "figure");
  const svg = toSvg(chart);
  assert(svg.includes("The title &amp; more"));
  assert(svg.includes("A caption"));
  // The ramp legend's image came from the pixel canvas.
  assert(/href="data:image\/png;base64,[A-Za-z0-9+/]+=*"/.test(svg), "no ramp image");
  assertEquals((svg.match(/<svg/g) ?? []).length, 3); // outer + legend + plot
  const image = await raw(await toPng(chart, { scale: 1 }));
  assertEquals(image.width, 300);
  assert(
    image.height > 120 + 40,
    `height ${image.height}: legend and title stacked above the plot`,
  );
  assert(toHtml(chart).startsWith("<figure"));
});

Deno.test("toSvg refuses an element that is not a Plot output", () => {
  const chart = renderPlot({ marks: [Plot.barY([1])] });
  const div = { ...chart, tagName: "DIV" };
  assertThrows(() => toSvg(div as typeof chart), TypeError, /<svg> or <figure>/);
});
