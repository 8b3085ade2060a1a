import * as Plot from "@observablehq/plot";
import { assert, assertEquals, assertThrows } from "../testing/mod.ts";
import { withTempDir } from "../testing/mod.ts";
import { Html, JUPYTER_DISPLAY, PngImage } from "./display.ts";
import { Figure } from "./figure.ts";
import { Table } from "./table.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

Deno.test("JUPYTER_DISPLAY is the symbol the Deno kernel looks for", () => {
  assertEquals(JUPYTER_DISPLAY, Symbol.for("Jupyter.display"));
});

Deno.test("a figure displays as text/html by default: Plot's <svg> or <figure> markup", async () => {
  const plain = await new Figure({ marks: [Plot.barY([1, 2])] }, { description: "[two bars]" })
    [JUPYTER_DISPLAY]();
  assertEquals(Object.keys(plain).sort(), ["text/html", "text/plain"]);
  assert(plain["text/html"].startsWith("<svg"));
  assert(plain["text/html"].includes('xmlns="http://www.w3.org/2000/svg"'));
  assertEquals(plain["text/plain"], "[two bars]");
  const titled = await new Figure({ title: "T", marks: [Plot.barY([1, 2])] })[JUPYTER_DISPLAY]();
  assert(titled["text/html"].startsWith("<figure"));
  assert(titled["text/html"].includes("<h2>T</h2>"));
});

Deno.test("format svg displays the flattened SVG as image/svg+xml", async () => {
  const fig = new Figure({ title: "T", marks: [Plot.barY([1, 2])] }, { format: "svg" });
  const bundle = await fig[JUPYTER_DISPLAY]();
  assertEquals(Object.keys(bundle).sort(), ["image/svg+xml", "text/plain"]);
  assert(bundle["image/svg+xml"].startsWith("<svg xmlns="));
  assert(bundle["image/svg+xml"].includes(">T</text>"));
});

Deno.test("format png displays base64 PNG without a data: prefix", async () => {
  const fig = new Figure({ width: 100, height: 50, marks: [Plot.barY([1])] }, { format: "png" });
  const bundle = await fig[JUPYTER_DISPLAY]();
  assert(!bundle["image/png"].startsWith("data:"));
  assertEquals(Array.from(fromBase64(bundle["image/png"]).subarray(0, 8)), PNG_SIGNATURE);
  assertEquals(bundle["text/plain"], "[figure]");
});

Deno.test("Figure.with restyles and add composes without touching the original", () => {
  const base = new Figure({ width: 200, marks: [Plot.barY([1])] });
  const wide = base.with({ width: 400 }).add(Plot.ruleY([0]));
  assertEquals(base.options.width, 200);
  assertEquals(base.options.marks?.length, 1);
  assertEquals(wide.options.width, 400);
  assertEquals(wide.options.marks?.length, 2);
  assert(wide.svg().includes('viewBox="0 0 400'));
});

Deno.test("Figure.save writes svg, png and html by extension and refuses others", async () => {
  await withTempDir(async (dir) => {
    const fig = new Figure({ width: 80, height: 40, marks: [Plot.barY([1])] });
    await fig.save(`${dir}/a.svg`);
    await fig.save(`${dir}/a.png`);
    await fig.save(`${dir}/a.html`);
    assert((await Deno.readTextFile(`${dir}/a.svg`)).startsWith("<svg"));
    assertEquals(Array.from((await Deno.readFile(`${dir}/a.png`)).subarray(0, 8)), PNG_SIGNATURE);
    let error: unknown;
    await fig.save(`${dir}/a.jpg`).catch((e) => (error = e));
    assert(error instanceof TypeError);
    assertEquals((await Array.fromAsync(Deno.readDir(dir))).length, 3);
  });
});

Deno.test("PngImage displays as image/png and refuses bytes that are not a PNG", async () => {
  const fig = new Figure({ width: 40, height: 20, marks: [Plot.barY([1])] });
  const png = await fig.png({ scale: 1 });
  const bundle = png[JUPYTER_DISPLAY]();
  assertEquals(fromBase64(bundle["image/png"]), png.bytes);
  assertThrows(() => new PngImage(new Uint8Array([1, 2, 3])), TypeError, /PNG signature/);
});

Deno.test("Table displays as escaped HTML and aligned text", () => {
  const table = new Table(
    [{ stage: "<vision>", rel: 1.5e-7 }, { stage: "lm & co", rel: 0.25 }],
    [{ label: "stage", value: (r) => r.stage }, { label: "rel", value: (r) => r.rel }],
    { title: "drift" },
  );
  const bundle = table[JUPYTER_DISPLAY]();
  assert(
    bundle["text/html"].includes(
      '<td style="text-align:left;padding:2px 8px;font-variant-numeric:tabular-nums">&lt;vision&gt;</td>',
    ),
  );
  assert(bundle["text/html"].includes("lm &amp; co"));
  assert(bundle["text/html"].includes("<caption"));
  assertEquals(
    bundle["text/plain"],
    [
      "drift",
      "stage         rel",
      "--------  -------",
      "<vision>  1.50e-7",
      "lm & co      0.25",
    ].join("\n"),
  );
});

Deno.test("Table shows at most maxRows rows and counts the rest", () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({ i }));
  const table = new Table(rows, [{ label: "i", value: (r) => r.i }], { maxRows: 2 });
  assertEquals(table.toString().split("\n"), ["i", "-", "0", "1", "… 3 more rows"]);
  assert(table.toHtml().includes("… 3 more rows"));
});

Deno.test("Html wraps markup as text/html", () => {
  assertEquals(new Html("<b>x</b>", "x")[JUPYTER_DISPLAY](), {
    "text/html": "<b>x</b>",
    "text/plain": "x",
  });
});
