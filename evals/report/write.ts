/**
 * `writeReport`: reads an eval output folder and writes `report.html`, `report.md` and
 * `figures/*.png` beside it, each atomically (no partial file on an error or Ctrl-C).
 *
 * @module
 */
import { writeAtomically } from "../../src/mod.ts";
import { renderPlot, svgToPng, toSvg } from "../../src/viz/mod.ts";
import {
  categoryRows,
  changedItems,
  type DriftRow,
  pairItems,
  qualityRows,
  recordDrift,
  tokenLatencyRows,
  worstItems,
} from "./analysis.ts";
import {
  categoryFigures,
  driftFigures,
  latencyFigure,
  qualityLatencyFigures,
  type ReportFigure,
} from "./figures.ts";
import { galleryEntries, type OverlayProvider } from "./gallery.ts";
import { type HtmlFigure, type HtmlReport, reportHtml } from "./html.ts";
import { readEvalOutput } from "./load.ts";
import { reportMarkdown } from "./markdown.ts";
import { comparisonTable, gateTables, perfTable, qualityTable } from "./tables.ts";

/** Options of {@link writeReport}. */
export interface ReportOptions {
  /** Page title (default `nanovlm eval: <suite>`). */
  title?: string;
  /** Notes shown at the top (e.g. that the model is a synthetic checkpoint). */
  notes?: string[];
  /** Drift per stage (e.g. from the inspect room), shown beside the drift measured on the records. */
  drift?: DriftRow[];
  /** More figures, each section after the built-in ones (e.g. an attention heat map from viz). */
  sections?: { heading: string; figures: ReportFigure[] }[];
  /** Attention overlay of an item's answer, for the gallery. */
  overlay?: OverlayProvider;
  /** Worst items to show (default 6). */
  worst?: number;
  /** Changed items to show at most (default 6). */
  changed?: number;
}

/** The files a report wrote. */
export interface ReportFiles {
  /** `DIR/report.html`. */
  html: string;
  /** `DIR/report.md`. */
  markdown: string;
  /** `DIR/figures/<name>.png`, one per figure. */
  figures: string[];
}

async function renderAll(
  sections: { heading: string; figures: ReportFigure[] }[],
  figuresTemp: string,
): Promise<{ heading: string; figures: HtmlFigure[] }[]> {
  await Deno.mkdir(figuresTemp);
  const out = [];
  for (const section of sections) {
    const figures: HtmlFigure[] = [];
    for (const figure of section.figures) {
      const svg = toSvg(renderPlot(figure.plot));
      await Deno.writeFile(`${figuresTemp}/${figure.name}.png`, await svgToPng(svg));
      figures.push({
        small: figure.small,
        title: figure.title,
        caption: figure.caption,
        svg,
        png: `figures/${figure.name}.png`,
      });
    }
    out.push({ heading: section.heading, figures });
  }
  return out;
}

/**
 * Writes the report of the eval output in `dir` (`summary.json`, `records/`) into `dir`.
 *
 * @example
 * ```ts
 * const files = await writeReport("reports/demo", { notes: ["synthetic checkpoint"] });
 * console.log(files.html);
 * ```
 */
export async function writeReport(dir: string, options: ReportOptions = {}): Promise<ReportFiles> {
  const output = await readEvalOutput(dir);
  const { summary } = output;
  const cells = summary.cells.map((c) => c.name);
  const reference = cells[0];
  const items = pairItems(output);
  const quality = qualityRows(output);
  const drift = [...(options.drift ?? []), ...recordDrift(items, cells)];
  const sections = [
    { heading: "Quality vs latency", figures: qualityLatencyFigures(quality, cells) },
    { heading: "Per category", figures: categoryFigures(categoryRows(output), cells) },
    { heading: "Latency", figures: latencyFigure(tokenLatencyRows(output), cells) },
    { heading: `Drift against ${reference}`, figures: driftFigures(drift, cells) },
    ...(options.sections ?? []),
  ];
  const worst = worstItems(items, reference, options.worst ?? 6);
  const shown = new Set(worst);
  const changed = changedItems(items).filter((item) => !shown.has(item)).slice(
    0,
    options.changed ?? 6,
  );
  const gallery = await galleryEntries(
    [
      ...worst.map((item) => ({ item, reason: "worst" as const })),
      ...changed.map((item) => ({ item, reason: "changed" as const })),
    ],
    cells,
    output.details,
    { overlay: options.overlay },
  );

  const files: ReportFiles = {
    html: `${dir}/report.html`,
    markdown: `${dir}/report.md`,
    figures: sections.flatMap((s) => s.figures.map((f) => `${dir}/figures/${f.name}.png`)),
  };
  let rendered: { heading: string; figures: HtmlFigure[] }[] = [];
  await writeAtomically(`${dir}/figures`, async (temp) => {
    rendered = await renderAll(sections, temp);
  });
  const report: HtmlReport = {
    title: options.title ?? `nanovlm eval: ${summary.suite}`,
    facts: [
      ["suite", summary.suite],
      ["model", `${summary.model.path} (sha256 ${summary.model.sha256.slice(0, 12)}…)`],
      ["cells", cells.join(", ")],
      ["reference cell", reference],
      ["items", String(items.length)],
    ],
    notes: options.notes ?? [],
    quality: qualityTable(quality, reference),
    comparisons: comparisonTable(summary),
    perf: perfTable(summary),
    sections: rendered,
    gallery,
    itemsScored: items.some((item) => item.scores.has(reference)),
    ...(output.gate
      ? {
        gate: {
          status: output.gate.status,
          baseline: output.gate.baseline,
          notes: output.gate.notes ?? [],
          ...gateTables(output.gate),
        },
      }
      : {}),
  };
  await writeAtomically(files.markdown, (temp) => Deno.writeTextFile(temp, reportMarkdown(report)));
  await writeAtomically(files.html, (temp) => Deno.writeTextFile(temp, reportHtml(report)));
  return files;
}
