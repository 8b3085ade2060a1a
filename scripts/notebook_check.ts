/**
 * Checks on notebooks: the errors an executed notebook holds, and the rules a committed one
 * keeps (outputs stripped, a first sentence saying what it shows, the library imported through
 * `../src/mod.ts` only).
 *
 * @module
 */

/** A notebook cell, as much of nbformat 4 as these checks read. */
export interface NotebookCell {
  /** `"code"`, `"markdown"` or `"raw"`. */
  cell_type: string;
  /** The source, as one string or a list of lines. */
  source: string | string[];
  /** Code cells' outputs. */
  outputs?: {
    output_type: string;
    ename?: string;
    evalue?: string;
    name?: string;
    text?: string | string[];
  }[];
  /** Code cells' execution count. */
  execution_count?: number | null;
}

/** A notebook, as much of nbformat 4 as these checks read. */
export interface Notebook {
  /** The cells in order. */
  cells: NotebookCell[];
  /** Kernel and language metadata. */
  metadata: { kernelspec?: { name?: string } };
}

/** The source of a cell as one string. */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** Every error an executed notebook shows: error outputs, and stderr that reports an uncaught error. */
export function notebookErrors(notebook: Notebook): string[] {
  const errors: string[] = [];
  notebook.cells.forEach((cell, i) => {
    for (const output of cell.outputs ?? []) {
      if (output.output_type === "error") {
        errors.push(`cell ${i + 1}: ${output.ename}: ${output.evalue}`);
      }
      const text = Array.isArray(output.text) ? output.text.join("") : output.text ?? "";
      if (
        output.output_type === "stream" && output.name === "stderr" && /Uncaught|error:/i.test(text)
      ) {
        errors.push(`cell ${i + 1}: stderr: ${text.trim().split("\n")[0]}`);
      }
    }
  });
  return errors;
}

/** The rules a committed notebook breaks (empty when it keeps them all). */
export function notebookRuleBreaks(notebook: Notebook): string[] {
  const breaks: string[] = [];
  if (notebook.metadata.kernelspec?.name !== "deno") breaks.push('kernelspec is not "deno"');
  const first = notebook.cells[0];
  if (
    !first || first.cell_type !== "markdown" || !/^#[^\n]*\n+[^\n#].*\./s.test(cellSource(first))
  ) {
    breaks.push(
      "the first cell is not a markdown title followed by a sentence saying what it shows",
    );
  }
  notebook.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    if ((cell.outputs ?? []).length > 0 || (cell.execution_count ?? null) !== null) {
      breaks.push(`cell ${i + 1} has outputs: strip them before committing`);
    }
    for (
      const match of cellSource(cell).matchAll(
        /\bfrom\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']/g,
      )
    ) {
      const specifier = match[1] ?? match[2];
      if (specifier.startsWith(".") && specifier !== "../src/mod.ts") {
        breaks.push(
          `cell ${
            i + 1
          } imports ${specifier}: notebooks import the library through ../src/mod.ts only`,
        );
      }
    }
  });
  return breaks;
}
