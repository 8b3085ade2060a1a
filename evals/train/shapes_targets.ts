/**
 * The accuracy targets of the trained default model (issue 12 §3) and the check of a
 * {@link ShapesbenchReport} against them: counting, colour and shape questions ≥ 95% each, every
 * yes/no answer ≥ 95%, multiple choice ≥ 95%, captions naming every object ≥ 90%; and the guard
 * that keeps a committed model at its published figures.
 *
 * @module
 */
import type { ShapesbenchReport } from "./eval_shapesbench.ts";

/** One target: where its figure is in the report, and the least accepted share. */
export interface ShapesTarget {
  /** What the figure is, as printed. */
  name: string;
  /** The least accepted share (0-1). */
  least: number;
  /** The figure in a report. */
  figure: (report: ShapesbenchReport) => number;
}

const vqa = (type: string): ShapesTarget => ({
  name: `vqa ${type}`,
  least: 0.95,
  figure: (r) => r.vqa[type]?.accuracy ?? 0,
});

/** The targets, in the order they are printed. */
export const SHAPES_TARGETS: readonly ShapesTarget[] = [
  vqa("count_all"),
  vqa("count_color"),
  vqa("count_shape"),
  vqa("count_color_shape"),
  vqa("color"),
  vqa("shape"),
  vqa("yes/no"),
  { name: "multiple choice", least: 0.95, figure: (r) => r.mcq.all?.accuracy ?? 0 },
  { name: "captions naming every object", least: 0.9, figure: (r) => r.captionNamesEveryObject },
];

/** Each target with its figure and whether it is met. */
export function checkTargets(
  report: ShapesbenchReport,
): { name: string; least: number; figure: number; met: boolean }[] {
  return SHAPES_TARGETS.map((t) => {
    const figure = t.figure(report);
    return { name: t.name, least: t.least, figure, met: figure >= t.least };
  });
}

/** The check as an aligned table: `vqa color   0.972 ≥ 0.95  met`. */
export function formatTargets(rows: ReturnType<typeof checkTargets>): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  return rows.map((r) =>
    `${r.name.padEnd(width)}  ${(100 * r.figure).toFixed(1).padStart(5)}% ≥ ${
      (100 * r.least).toFixed(0)
    }%  ${r.met ? "met" : "NOT MET"}`
  ).join("\n");
}

/**
 * The regression guard of a committed model against its published evaluation: a target the
 * published figures meet must stay met (floor = the target); any other figure may fall at most
 * `slack` (default one point) below its published value.
 */
export function guardedFigures(
  report: ShapesbenchReport,
  published: ShapesbenchReport,
  slack = 0.01,
): { name: string; figure: number; floor: number; held: boolean }[] {
  return SHAPES_TARGETS.map((t) => {
    const was = t.figure(published), figure = t.figure(report);
    const floor = was >= t.least ? t.least : Math.round((was - slack) * 1e9) / 1e9;
    return { name: t.name, figure, floor, held: figure >= floor };
  });
}
