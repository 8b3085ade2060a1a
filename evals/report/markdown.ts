/**
 * `report.md`: the same tables, the PNG figures by relative path, and the gallery as a table.
 *
 * @module
 */
import { EMPTY_GALLERY, type HtmlReport } from "./html.ts";
import type { TextTable } from "./tables.ts";
import { formatMetric } from "./tables.ts";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A table in GitHub Markdown; numeric-looking columns are right-aligned. */
export function markdownTable(table: TextTable): string {
  const numeric = table.header.map((_, c) =>
    c > 0 && table.rows.every((row) => /^[-+–\d.,\s/\[\]]*$/.test(row[c]))
  );
  return [
    `| ${table.header.map(cell).join(" | ")} |`,
    `|${numeric.map((n) => (n ? " ---: " : " --- ")).join("|")}|`,
    ...table.rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** The whole Markdown report (figures by their `png` paths). */
export function reportMarkdown(report: HtmlReport): string {
  const lines = [
    `# ${report.title}`,
    "",
    ...report.facts.map(([k, v]) => `- **${k}**: ${v}`),
    "",
    ...report.notes.map((n) => `> ${n}`),
    ...(report.notes.length ? [""] : []),
    ...(report.gate
      ? [
        `## Regression gate: ${report.gate.status}`,
        "",
        ...(report.gate.baseline ? [`Baseline: \`${report.gate.baseline}\``, ""] : []),
        ...report.gate.notes.flatMap((n) => [n, ""]),
        ...(report.gate.regressions.rows.length
          ? ["### Regressed metrics", "", markdownTable(report.gate.regressions), ""]
          : ["No metric regressed.", ""]),
        ...(report.gate.diffs.rows.length
          ? ["### Changed items", "", markdownTable(report.gate.diffs), ""]
          : ["No item changed.", ""]),
      ]
      : []),
    "## Quality",
    "",
    markdownTable(report.quality),
    "",
    ...(report.comparisons.rows.length
      ? ["### Paired with the reference", "", markdownTable(report.comparisons), ""]
      : []),
    "## Performance",
    "",
    markdownTable(report.perf),
    "",
  ];
  for (const section of report.sections.filter((s) => s.figures.length > 0)) {
    lines.push(`## ${section.heading}`, "");
    for (const figure of section.figures) {
      lines.push(
        `### ${figure.title}`,
        "",
        `![${figure.title}](${figure.png})`,
        "",
        figure.caption,
        "",
      );
    }
  }
  if (report.gallery.length === 0 && report.itemsScored) {
    lines.push("## Gallery: worst and changed items", "", EMPTY_GALLERY, "");
  } else if (report.gallery.length > 0) {
    lines.push("## Gallery: worst and changed items", "");
    lines.push(markdownTable({
      header: ["why", "task", "id", "question", "predictions", "references"],
      rows: report.gallery.map((g) => [
        g.reason,
        g.task,
        g.id,
        g.question ?? "",
        g.predictions.map((p) =>
          `${p.cell}: ${p.text}${p.score === undefined ? "" : ` (${formatMetric(p.score)})`}`
        ).join("; "),
        g.references.slice(0, 3).join(" / "),
      ]),
    }));
    lines.push("");
  }
  return lines.join("\n");
}
