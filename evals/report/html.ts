/**
 * `report.html`: one self-contained page (inline CSS, figures as inline SVG, pictures as data
 * URLs, no script, no network) with the tables, the figures and the gallery.
 *
 * @module
 */
import type { GalleryEntry } from "./gallery.ts";
import type { TextTable } from "./tables.ts";
import { formatMetric } from "./tables.ts";

/** What the gallery says when no item scored below its task's best and no cell changed one. */
export const EMPTY_GALLERY =
  "No item scored below the best item of its task in the reference cell, and no cell changed a prediction: nothing to show.";

/** A rendered figure for the page. */
export interface HtmlFigure {
  /** Heading. */
  title: string;
  /** How to read it. */
  caption: string;
  /** The SVG markup. */
  svg: string;
  /** Path of the PNG beside the report (linked under the figure). */
  png: string;
  /** A small multiple (several to a row). */
  small?: boolean;
}

/** Everything the page shows. */
export interface HtmlReport {
  /** Page title. */
  title: string;
  /** Lines under the title (suite, model, cells, notes). */
  facts: [string, string][];
  /** Notes shown as a highlighted list (e.g. what the model is and what it can do). */
  notes: string[];
  /** Quality table. */
  quality: TextTable;
  /** Paired comparisons with the reference cell (may have no rows). */
  comparisons: TextTable;
  /** Performance table. */
  perf: TextTable;
  /** Figures grouped by section heading. */
  sections: { heading: string; figures: HtmlFigure[] }[];
  /** Gallery entries. */
  gallery: GalleryEntry[];
  /** Whether any item has a score in the reference cell: an empty gallery then says that nothing
   * was wrong or changed; without scores it is left out. */
  itemsScored?: boolean;
  /** The regression gate, when the run was compared with a baseline. */
  gate?: {
    status: string;
    baseline?: string;
    notes: string[];
    regressions: TextTable;
    diffs: TextTable;
  };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1180px; color: #1d1d1f;
  padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px;
  border-bottom: 1px solid #ddd; } h3 { font-size: 15px; margin-bottom: 2px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; }
dl.facts dt { color: #666; } dl.facts dd { margin: 0; font-family: ui-monospace, monospace; }
.notes { background: #fff6dd; border: 1px solid #e8c55a; padding: 8px 14px; border-radius: 6px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { padding: 3px 9px; border-bottom: 1px solid #e5e5e5; text-align: right; white-space: nowrap; }
th { background: #f5f5f7; white-space: normal; } td:first-child, th:first-child { text-align: left; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(370px, 1fr)); gap: 0 16px; }
figure { margin: 12px 0 24px; grid-column: 1 / -1; } figure.small { grid-column: auto; }
figure svg { max-width: 100%; height: auto; background: #fff; }
.scroll { overflow-x: auto; }
figcaption { color: #555; font-size: 12px; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 10px; display: flex; gap: 10px; }
.card img { width: 112px; height: 112px; object-fit: contain; background: #f0f0f0; flex: none; }
.card .body { min-width: 0; font-size: 12px; } .card .id { font-family: ui-monospace, monospace;
  color: #444; } .tag { font-size: 10px; padding: 1px 6px; border-radius: 8px; background: #eee; }
.tag.worst { background: #fde2e1; } .tag.changed { background: #e1ecfd; }
.pred { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
.refs { color: #555; overflow-wrap: anywhere; }
.gate { padding: 1px 8px; border-radius: 8px; } .gate.pass { background: #dcf5dc; }
.gate.regressed { background: #fde2e1; }
`;

function tableHtml(table: TextTable): string {
  const head = table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = table.rows.map((row) =>
    `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`
  ).join("\n");
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function figureHtml(figure: HtmlFigure): string {
  return `<figure${figure.small ? ' class="small"' : ""}><h3>${
    escapeHtml(figure.title)
  }</h3>${figure.svg}<figcaption>${escapeHtml(figure.caption)} <a href="${
    escapeHtml(figure.png)
  }">PNG</a></figcaption></figure>`;
}

function cardHtml(entry: GalleryEntry): string {
  const images = [entry.thumbnail, entry.overlay].filter((src) => src !== undefined).map((src, i) =>
    `<img src="${src}" alt="${i === 0 ? "picture" : "attention overlay"} of ${
      escapeHtml(entry.id)
    }">`
  ).join("");
  const predictions = entry.predictions.map((p) =>
    `<div><b>${escapeHtml(p.cell)}</b>${
      p.score === undefined ? "" : ` (${formatMetric(p.score)})`
    }: <span class="pred">${escapeHtml(p.text)}</span></div>`
  ).join("");
  return `<div class="card">${images}<div class="body">
<div><span class="tag ${entry.reason}">${entry.reason}</span> <span class="id">${
    escapeHtml(entry.task)
  } · ${escapeHtml(entry.id)}</span></div>
${entry.question ? `<div><b>Q:</b> ${escapeHtml(entry.question)}</div>` : ""}
${predictions}
<div class="refs"><b>refs:</b> ${escapeHtml(entry.references.slice(0, 3).join(" | "))}</div>
</div></div>`;
}

function gateHtml(gate: NonNullable<HtmlReport["gate"]>): string {
  const parts = [
    `<h2>Regression gate: <span class="gate ${escapeHtml(gate.status)}">${
      escapeHtml(gate.status)
    }</span></h2>`,
    gate.baseline ? `<p>Baseline: <code>${escapeHtml(gate.baseline)}</code></p>` : "",
    ...gate.notes.map((n) => `<p>${escapeHtml(n)}</p>`),
    gate.regressions.rows.length
      ? `<h3>Regressed metrics</h3>\n${tableHtml(gate.regressions)}`
      : "<p>No metric regressed.</p>",
    gate.diffs.rows.length
      ? `<h3>Changed items</h3>\n${tableHtml(gate.diffs)}`
      : "<p>No item changed.</p>",
  ];
  return parts.filter((p) => p !== "").join("\n");
}

/** The whole page as one string. */
export function reportHtml(report: HtmlReport): string {
  const facts = report.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join("");
  const notes = report.notes.length === 0
    ? ""
    : `<div class="notes"><ul>${
      report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")
    }</ul></div>`;
  const sections = report.sections.filter((s) => s.figures.length > 0).map((s) =>
    `<h2>${escapeHtml(s.heading)}</h2>\n<div class="figures">\n${
      s.figures.map(figureHtml).join("\n")
    }\n</div>`
  ).join("\n");
  const gallery = report.gallery.length === 0 && !report.itemsScored
    ? ""
    : `<h2>Gallery: worst and changed items</h2>\n${
      report.gallery.length === 0
        ? `<p>${escapeHtml(EMPTY_GALLERY)}</p>`
        : `<div class="gallery">\n${report.gallery.map(cardHtml).join("\n")}\n</div>`
    }`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<dl class="facts">${facts}</dl>
${notes}
${report.gate ? gateHtml(report.gate) : ""}
<h2>Quality</h2>
${tableHtml(report.quality)}
${
    report.comparisons.rows.length
      ? `<h3>Paired with the reference (per-item differences)</h3>\n${
        tableHtml(report.comparisons)
      }`
      : ""
  }
<h2>Performance</h2>
${tableHtml(report.perf)}
${sections}
${gallery}
</body>
</html>
`;
}
