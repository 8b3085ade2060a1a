/**
 * The import-boundary check: the layout's rules, checked over the source tree by
 * `src/import_boundary_test.ts`. Paths are relative to the repository root, with `/`.
 *
 * The rules, for an import of file `T` by file `F` (relative specifiers only; `npm:`, `node:` and
 * bare specifiers are not paths of the tree):
 *
 * 1. **Faces.** `F` may import a file of its own folder, a file directly inside a folder that
 *    encloses `F` (such as `src/errors.ts`, or `pipeline/nanovlm.ts` from `pipeline/tasks/`), and the
 *    `mod.ts` face of any folder that does not enclose `F`. Anything else is a deep import: reach
 *    it through its folder's face. A file never imports the face of a folder it is in (that face
 *    re-exports the file, so the import would be a cycle).
 * 2. **Layers.** `src/` never imports `evals/`, except `src/cli/`, the top floor, which uses both.
 * 3. **Tests.** Production code never imports `src/testing/`. Test code is `src/testing/` itself,
 *    `*_test.ts`, and test helpers named `testing.ts`, `*_testing.ts` or `test_*.ts`.
 *
 * @module
 */

/** One import that breaks a rule. */
export interface ImportViolation {
  /** The importing file. */
  file: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported file, resolved. */
  target: string;
  /** Which rule: `deep-import`, `enclosing-face`, `src-imports-evals` or `production-imports-testing`. */
  rule: "deep-import" | "enclosing-face" | "src-imports-evals" | "production-imports-testing";
  /** What to do instead. */
  fix: string;
}

/**
 * Masks `source` for matching: comments are blanked, template literals emptied, and each quoted
 * string replaced by `"#k"`, where `k` indexes the returned string values. So an import written
 * inside a comment or a string is not taken for one.
 */
function mask(source: string): { code: string; strings: string[] } {
  let code = "";
  const strings: string[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
      code += " ";
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && (c === "`" || source[j] !== "\n")) {
        j += source[j] === "\\" ? 2 : 1;
      }
      if (c === "`") code += "``";
      else {
        code += `"#${strings.length}"`;
        strings.push(source.slice(i + 1, j));
      }
      i = j + 1;
    } else {
      code += c;
      i++;
    }
  }
  return { code, strings };
}

/** `import … from "#k"`, `export … from "#k"`, `import("#k")` and `import "#k"` on masked code. */
const SPECIFIER =
  /\b(?:import|export)\s[^;"`]*?\bfrom\s*"#(\d+)"|\bimport\s*\(\s*"#(\d+)"\s*\)|\bimport\s*"#(\d+)"/g;

/** The module specifiers of a TypeScript source: static imports and re-exports, dynamic imports. */
export function importSpecifiers(source: string): string[] {
  const { code, strings } = mask(source);
  const specifiers: string[] = [];
  for (const match of code.matchAll(SPECIFIER)) {
    specifiers.push(strings[Number(match[1] ?? match[2] ?? match[3])]);
  }
  return specifiers;
}

/** Whether a file is test code (see the module doc). */
export function isTestCode(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return path.startsWith("src/testing/") || name.endsWith("_test.ts") || name === "testing.ts" ||
    name.endsWith("_testing.ts") || name.startsWith("test_");
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Resolves a relative specifier against the importing file; `undefined` for other specifiers. */
function resolve(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined;
  const parts = dirname(file).split("/").filter((p) => p !== "");
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/** Whether folder `outer` is `inner` or encloses it. */
function encloses(outer: string, inner: string): boolean {
  return outer === "" || inner === outer || inner.startsWith(`${outer}/`);
}

/** The face to import `target` through from `file`: the outermost folder of it not enclosing `file`. */
function faceFor(file: string, target: string): string {
  const from = dirname(file).split("/");
  const to = dirname(target).split("/");
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) common++;
  return `${to.slice(0, common + 1).join("/")}/mod.ts`;
}

/** Checks one import of `file`; `undefined` when it keeps the rules. */
function checkImport(file: string, specifier: string): ImportViolation | undefined {
  const target = resolve(file, specifier);
  if (target === undefined) return undefined;
  const violation = (rule: ImportViolation["rule"], fix: string) => ({
    file,
    specifier,
    target,
    rule,
    fix,
  });
  if (
    file.startsWith("src/") && !file.startsWith("src/cli/") && target.startsWith("evals/")
  ) {
    return violation(
      "src-imports-evals",
      "the library in src/ never imports evals/ (only src/cli/ may); move the code down into src/",
    );
  }
  if (!isTestCode(file) && target.startsWith("src/testing/")) {
    return violation(
      "production-imports-testing",
      "production code never imports src/testing/; give what it needs a home in the library",
    );
  }
  const folder = dirname(file);
  const targetFolder = dirname(target);
  const isFace = target.endsWith("/mod.ts") || target === "mod.ts";
  if (encloses(targetFolder, folder)) {
    if (!isFace) return undefined;
    return violation(
      "enclosing-face",
      `${target} is the face of a folder holding ${file}: import the file it re-exports directly`,
    );
  }
  if (isFace) return undefined;
  return violation("deep-import", `import ${faceFor(file, target)} instead (its folder's face)`);
}

/** Every import of the given files that breaks a rule, in file order. */
export function checkImports(files: ReadonlyMap<string, string>): ImportViolation[] {
  const violations: ImportViolation[] = [];
  for (const [file, source] of files) {
    for (const specifier of importSpecifiers(source)) {
      const violation = checkImport(file, specifier);
      if (violation) violations.push(violation);
    }
  }
  return violations;
}

/** Reads every `.ts` file under the given folders of `root`, keyed by its path from `root`. */
export async function readSourceTree(
  root: string,
  folders: readonly string[],
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(folder: string): Promise<void> {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(`${root}/${folder}`)) entries.push(entry);
    entries.sort((a, b) => a.name < b.name ? -1 : 1);
    for (const entry of entries) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && entry.name.endsWith(".ts")) {
        files.set(path, await Deno.readTextFile(`${root}/${path}`));
      }
    }
  }
  for (const folder of folders) await walk(folder);
  return files;
}

/** Formats violations one per line, for a failing test's message. */
export function formatViolations(violations: readonly ImportViolation[]): string {
  return violations.map((v) => `${v.file}: "${v.specifier}" (${v.rule}): ${v.fix}`).join("\n");
}
