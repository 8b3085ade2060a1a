/**
 * Snapshot tests of figures as normalised SVG, after Observable Plot's own recipe: namespace
 * attributes set, Plot's generated class names and ids replaced by stable ones, numbers rounded
 * to 3 decimals, embedded images replaced by a placeholder (their pixels are tested separately),
 * one tag per line. Snapshots are committed; set `UPDATE_SNAPSHOTS=1` to rewrite them. A missing
 * snapshot fails the test (so CI never writes one that then passes by construction).
 *
 * @module
 */
import { assertEquals } from "./assert.ts";

/** `svg` normalised for comparison (see the module doc). */
export function normaliseSvg(svg: string): string {
  const ids = new Map<string, string>();
  let out = svg
    .replace(/\bplot-[0-9a-f]{6}\b/g, "plot")
    .replace(/(href=")data:([a-z/+]+);base64,[A-Za-z0-9+/=]+/g, "$1data:$2;base64,…")
    .replace(/\bid="([^"]+)"/g, (_, id: string) => {
      if (!ids.has(id)) ids.set(id, `id${ids.size}`);
      return `id="${ids.get(id)}"`;
    });
  for (const [id, stable] of ids) {
    out = out.replaceAll(`url(#${id})`, `url(#${stable})`).replaceAll(`"#${id}"`, `"#${stable}"`);
  }
  out = out.replace(/-?\d+\.\d{4,}(e[-+]?\d+)?/g, (n) => String(Number(Number(n).toFixed(3))));
  return out.replace(/>\s*</g, ">\n<").trim() + "\n";
}

/** Compares `svg` (normalised) with the committed snapshot at `path`. */
export async function assertSvgSnapshot(svg: string, path: string): Promise<void> {
  const actual = normaliseSvg(svg);
  if (Deno.env.get("UPDATE_SNAPSHOTS") === "1") {
    await Deno.writeTextFile(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(path);
  } catch {
    throw new Error(`no snapshot at ${path}: run the test with UPDATE_SNAPSHOTS=1 and review it`);
  }
  assertEquals(actual, expected, `SVG differs from ${path} (UPDATE_SNAPSHOTS=1 rewrites it)`);
}
