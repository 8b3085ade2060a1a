/**
 * One copy of each picture in an SVG: small multiples draw the same picture in every panel, and
 * Plot writes its data URL into every `<image>`. Pictures used more than once move into a
 * `<symbol>` (a unit box, stretched like the image was) that each panel `<use>`s, so a 30 x 10
 * grid embeds its picture once instead of 300 times.
 *
 * @module
 */

let counter = 0;

const IMAGE = /<image\b([^>]*?)\s(?:xlink:)?href="(data:[^"]+)"([^>]*?)\s*\/?>(?:<\/image>)?/g;

/** `svg` with every data URL used by two or more `<image>`s defined once and referenced. */
export function dedupeImages(svg: string): string {
  const counts = new Map<string, number>();
  for (const match of svg.matchAll(IMAGE)) counts.set(match[2], (counts.get(match[2]) ?? 0) + 1);
  const shared = [...counts].filter(([, n]) => n > 1).map(([href]) => href);
  if (shared.length === 0) return svg;
  const ids = new Map(shared.map((href) => [href, `viz-picture-${++counter}`]));
  const body = svg.replace(IMAGE, (whole, before: string, href: string, after: string) => {
    const id = ids.get(href);
    if (!id) return whole;
    const attributes = `${before}${after}`.replace(/\s*preserveAspectRatio="[^"]*"/, "");
    return `<use href="#${id}"${attributes} />`;
  });
  const defs = `<defs>${
    shared.map((href) =>
      `<symbol id="${
        ids.get(href)
      }" viewBox="0 0 1 1" preserveAspectRatio="none"><image href="${href}" width="1" height="1" preserveAspectRatio="none" /></symbol>`
    ).join("")
  }</defs>`;
  const open = body.indexOf(">", body.indexOf("<svg")) + 1;
  return body.slice(0, open) + defs + body.slice(open);
}
