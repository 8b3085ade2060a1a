/**
 * Tables that display as HTML in a notebook and as aligned text elsewhere.
 *
 * @module
 */
import { type Displayable, type DisplayBundle, escapeHtml, JUPYTER_DISPLAY } from "./display.ts";

/** A cell value: text, a number (formatted with the column's format), or empty. */
export type Cell = string | number | null | undefined;

/** One column of a {@link Table}. */
export interface Column<Row> {
  /** Header text. */
  label: string;
  /** The cell of a row. */
  value: (row: Row) => Cell;
  /** Formats numbers (default: 4 significant digits, exponent for tiny or huge values). */
  format?: (value: number) => string;
  /** Alignment (default: right for numbers, left otherwise). */
  align?: "left" | "right";
}

/** Options for {@link Table}. */
export interface TableOptions {
  /** A caption above the table. */
  title?: string;
  /** At most this many rows are shown (default 200); the rest are counted in a last line. */
  maxRows?: number;
}

/** Formats a number for a table: 4 significant digits, exponent notation outside 1e-3…1e6. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e6) return value.toExponential(2);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/**
 * Rows shown as a table: `text/html` in a notebook, aligned columns as `text/plain` and `toString()`.
 *
 * @example
 * ```ts
 * const table = new Table([{ stage: "vision", rel: 1.2e-7 }], [
 *   { label: "stage", value: (r) => r.stage },
 *   { label: "relative error", value: (r) => r.rel },
 * ]);
 * console.log(table.toString());
 * ```
 */
export class Table<Row> implements Displayable {
  /** The rows. */
  readonly rows: readonly Row[];
  /** The columns. */
  readonly columns: readonly Column<Row>[];
  /** Title and row limit. */
  readonly options: TableOptions;

  /** A table of `rows` with `columns`. */
  constructor(rows: readonly Row[], columns: readonly Column<Row>[], options: TableOptions = {}) {
    this.rows = rows;
    this.columns = columns;
    this.options = options;
  }

  #cells(): { head: string[]; body: string[][]; right: boolean[]; hidden: number } {
    const limit = this.options.maxRows ?? 200;
    const shown = this.rows.slice(0, limit);
    const right = this.columns.map((c) =>
      c.align ? c.align === "right" : shown.some((r) => typeof c.value(r) === "number")
    );
    const body = shown.map((row) =>
      this.columns.map((c) => {
        const v = c.value(row);
        if (v === null || v === undefined) return "";
        return typeof v === "number" ? (c.format ?? formatNumber)(v) : v;
      })
    );
    return {
      head: this.columns.map((c) => c.label),
      body,
      right,
      hidden: this.rows.length - shown.length,
    };
  }

  /** The table as HTML (a `<table>` with inline styles, so it reads well without a stylesheet). */
  toHtml(): string {
    const { head, body, right, hidden } = this.#cells();
    const align = (i: number) => `text-align:${right[i] ? "right" : "left"};padding:2px 8px`;
    const th = head.map((h, i) => `<th style="${align(i)}">${escapeHtml(h)}</th>`).join("");
    const trs = body.map((cells) =>
      `<tr>${
        cells.map((c, i) =>
          `<td style="${align(i)};font-variant-numeric:tabular-nums">${escapeHtml(c)}</td>`
        ).join("")
      }</tr>`
    ).join("");
    const caption = this.options.title
      ? `<caption style="text-align:left;font-weight:bold">${
        escapeHtml(this.options.title)
      }</caption>`
      : "";
    const more = hidden > 0
      ? `<tr><td colspan="${head.length}" style="padding:2px 8px">… ${hidden} more rows</td></tr>`
      : "";
    return `<table style="border-collapse:collapse;font-size:12px">${caption}<thead><tr>${th}</tr></thead><tbody>${trs}${more}</tbody></table>`;
  }

  /** The table as aligned plain text. */
  toString(): string {
    const { head, body, right, hidden } = this.#cells();
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])).join("  ")
        .trimEnd();
    const lines = [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
    if (this.options.title) lines.unshift(this.options.title);
    if (hidden > 0) lines.push(`… ${hidden} more rows`);
    return lines.join("\n");
  }

  /** `text/html` and `text/plain`. */
  [JUPYTER_DISPLAY](): DisplayBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}
