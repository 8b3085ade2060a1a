/**
 * `deno task notebooks`: executes every notebook in `notebooks/` with the real Deno Jupyter
 * kernel, fails on any error output, and exports the executed copies as HTML to
 * `reports/notebooks/` (`jupyter nbconvert --to html`). Execution is Debian's nbclient through
 * `scripts/execute_notebook.py`, which keeps the outputs the kernel publishes after a cell's idle
 * status (plain `nbconvert --execute` dropped one or two figures of a notebook, at random). Some
 * Deno versions reported a failing cell as a success, so the executed notebook is also scanned for
 * `output_type: "error"`.
 *
 * usage: deno task notebooks [--no-install] [name-or-path ...]
 *
 * Needs `jupyter nbconvert` (Debian: jupyter-nbconvert python3-nbclient python3-jupyter-client).
 * Ends with one line `notebooks: N passed, N failed`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { notebookErrors } from "./notebook_check.ts";
import { jupyterPython } from "./jupyter_python.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const OUT = `${ROOT}/reports/notebooks`;

async function run(
  cmd: string,
  args: string[],
  cwd = ROOT,
): Promise<{ ok: boolean; output: string }> {
  try {
    const result = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
      .output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { ok: result.success, output: decode(result.stdout) + decode(result.stderr) };
  } catch (error) {
    return { ok: false, output: `cannot run ${cmd}: ${(error as Error).message}` };
  }
}

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { "no-install": { type: "boolean" }, timeout: { type: "string" } },
  allowPositionals: true,
});

const version = await run("jupyter", ["nbconvert", "--version"]);
if (!version.ok) {
  console.error(
    "jupyter nbconvert is not installed: on Debian, apt-get install -y jupyter-nbconvert " +
      "python3-nbclient python3-jupyter-client",
  );
  console.log("notebooks: 0 passed, 1 failed");
  Deno.exit(1);
}
if (!values["no-install"]) {
  const install = await run(Deno.execPath(), ["jupyter", "--install", "--force"]);
  if (!install.ok) {
    console.error(`deno jupyter --install failed:\n${install.output}`);
    console.log("notebooks: 0 passed, 1 failed");
    Deno.exit(1);
  }
}

const python = jupyterPython();

const all = [...Deno.readDirSync(`${ROOT}/notebooks`)]
  .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
  .map((e) => e.name)
  .sort();
const wanted = positionals.length === 0
  ? all
  : all.filter((n) =>
    positionals.some((p) => n === p || n.startsWith(p) || `notebooks/${n}` === p)
  );
if (wanted.length === 0) {
  console.error(`no notebooks match ${positionals.join(", ")}; have ${all.join(", ")}`);
  Deno.exit(2);
}

await Deno.mkdir(OUT, { recursive: true });
const timeout = values.timeout ?? "600";
let passed = 0, failed = 0;
for (const name of wanted) {
  const base = name.replace(/\.ipynb$/, "");
  const start = performance.now();
  const executed = `${OUT}/${name}`;
  // A stale copy must not be mistaken for this run's output.
  await Deno.remove(executed).catch(() => {});
  // nbclient, keeping the outputs the kernel publishes after a cell's idle status (see the script).
  const exec = await run(python, [
    "scripts/execute_notebook.py",
    `notebooks/${name}`,
    executed,
    timeout,
  ]);
  const late = exec.output.match(/late outputs kept: (\d+)/)?.[1];
  let problems: string[] = [];
  if (!exec.ok) {
    problems.push(
      `execution failed:\n${exec.output.trim().split("\n").slice(-25).join("\n")}`,
    );
  } else {
    problems = notebookErrors(JSON.parse(await Deno.readTextFile(executed)));
    const html = await run("jupyter", ["nbconvert", "--to", "html", "--output-dir", OUT, executed]);
    if (!html.ok) problems.push(`HTML export failed:\n${html.output}`);
  }
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  if (problems.length === 0) {
    passed++;
    const kept = late && late !== "0" ? `; ${late} late outputs kept` : "";
    console.log(`ok ${name} (${seconds} s${kept}) → reports/notebooks/${base}.html`);
  } else {
    failed++;
    console.log(`FAILED ${name} (${seconds} s)\n  ${problems.join("\n  ")}`);
  }
}
console.log(`notebooks: ${passed} passed, ${failed} failed`);
Deno.exit(failed > 0 ? 1 : 0);
