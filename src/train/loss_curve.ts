/**
 * A self-contained SVG loss curve (training loss per step, validation loss per epoch), with a
 * log-scaled loss axis; no plotting library needed.
 *
 * @module
 */

/** A point of a loss curve. */
export interface LossPoint {
  /** Step number. */
  step: number;
  /** Loss value (> 0). */
  loss: number;
}

/** One named curve of {@link lossCurvesSvg}. */
export interface LossSeries {
  /** Legend text. */
  label: string;
  /** The points, in step order. */
  points: readonly LossPoint[];
}

/** Curve colours, in series order. */
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];

/** An SVG document of the training (blue) and validation (orange) loss curves. */
export function lossCurveSvg(
  train: readonly LossPoint[],
  validation: readonly LossPoint[] = [],
): string {
  return lossCurvesSvg([
    { label: "train", points: train },
    ...(validation.length > 0 ? [{ label: "validation", points: validation }] : []),
  ]);
}

/** An SVG document of up to four named loss curves on one log-scaled axis, with a legend. */
export function lossCurvesSvg(series: readonly LossSeries[]): string {
  const width = 640, height = 360, left = 60, right = 20, top = 20, bottom = 40;
  const all = series.flatMap((s) => s.points).filter((p) => p.loss > 0 && Number.isFinite(p.loss));
  const maxStep = Math.max(1, ...all.map((p) => p.step));
  const lo = Math.log10(Math.min(...all.map((p) => p.loss), 1));
  const hi = Math.log10(Math.max(...all.map((p) => p.loss), 1e-3));
  const span = Math.max(hi - lo, 1e-6);
  const x = (s: number) => left + (width - left - right) * s / maxStep;
  const y = (l: number) => top + (height - top - bottom) * (hi - Math.log10(l)) / span;
  const line = (points: readonly LossPoint[], colour: string) => {
    const good = points.filter((p) => p.loss > 0 && Number.isFinite(p.loss));
    if (good.length === 0) return "";
    const d = good.map((p) => `${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(" ");
    return `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${d}"/>`;
  };
  const ticks: string[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    const v = 10 ** e;
    if (Math.log10(v) < lo - 1e-9 || Math.log10(v) > hi + 1e-9) continue;
    ticks.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${
        y(v).toFixed(1)
      }" stroke="#ddd"/>` +
        `<text x="${left - 6}" y="${
          (y(v) + 4).toFixed(1)
        }" text-anchor="end" font-size="11">${v}</text>`,
    );
  }
  // Step ticks at a round spacing (1, 2 or 5 × 10^k) giving at most 8 of them.
  const raw = maxStep / 8, unit = 10 ** Math.floor(Math.log10(raw));
  const every = [1, 2, 5, 10].map((m) => m * unit).find((d) => d >= raw)!;
  for (let s = 0; s <= maxStep; s += every) {
    ticks.push(
      `<line x1="${x(s).toFixed(1)}" x2="${x(s).toFixed(1)}" y1="${height - bottom}" y2="${
        height - bottom + 4
      }" stroke="black"/>` +
        `<text x="${x(s).toFixed(1)}" y="${
          height - bottom + 16
        }" text-anchor="middle" font-size="11">${s}</text>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...ticks,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}" stroke="black"/>`,
    `<line x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${
      height - bottom
    }" stroke="black"/>`,
    `<text x="${(width + left) / 2}" y="${
      height - 8
    }" text-anchor="middle" font-size="12">step</text>`,
    `<text x="14" y="${height / 2}" font-size="12" transform="rotate(-90 14 ${
      height / 2
    })" text-anchor="middle">loss (log)</text>`,
    ...series.map((s, i) => line(s.points, COLOURS[i % COLOURS.length])),
    ...series.map((s, i) =>
      `<text x="${width - right - 4}" y="${top + 12 + 14 * i}" text-anchor="end" font-size="11" ` +
      `fill="${COLOURS[i % COLOURS.length]}">${s.label}</text>`
    ),
    `</svg>`,
    "",
  ].join("\n");
}
