import { assertEquals } from "../src/testing/mod.ts";
import { jupyterPython } from "./jupyter_python.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");

/** Whether Jupyter's nbclient is here (CI installs it from Debian). */
async function haveNbclient(python: string): Promise<boolean> {
  try {
    const probe = await new Deno.Command(python, { args: ["-c", "import nbclient"] }).output();
    return probe.success;
  } catch {
    return false;
  }
}

const python = jupyterPython();
const ready = await haveNbclient(python);
if (!ready) console.warn("SKIPPED execute_notebook: no Jupyter nbclient (apt: python3-nbclient)");

Deno.test({
  name:
    "execute_notebook.py: every displaying cell keeps its output (the Deno kernel may send a result after idle)",
  ignore: !ready,
  async fn() {
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["jupyter", "--install", "--force"],
      stdout: "null",
      stderr: "null",
    }).output();
    assertEquals(install.success, true);
    const dir = await Deno.makeTempDir({ prefix: "nanovlm-nb-" });
    try {
      // 12 cells that each end in a value with a rich display, some after an await.
      const cells = Array.from({ length: 12 }, (_, i) => ({
        cell_type: "code",
        metadata: {},
        outputs: [],
        execution_count: null,
        source: `${i % 2 ? "await new Promise((r) => setTimeout(r, 5));\n" : ""}` +
          `({ [Symbol.for("Jupyter.display")]() { return { "text/plain": "cell ${i}" }; } });`,
      }));
      const notebook = {
        cells,
        metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
        nbformat: 4,
        nbformat_minor: 5,
      };
      await Deno.writeTextFile(`${dir}/in.ipynb`, JSON.stringify(notebook));
      const run = await new Deno.Command(python, {
        args: [`${ROOT}/scripts/execute_notebook.py`, `${dir}/in.ipynb`, `${dir}/out.ipynb`, "120"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(run.success, true, new TextDecoder().decode(run.stderr));
      const executed = JSON.parse(await Deno.readTextFile(`${dir}/out.ipynb`));
      const shown = executed.cells.map((c: { outputs: { data?: Record<string, unknown> }[] }) =>
        c.outputs.map((o) => String(o.data?.["text/plain"] ?? "")).join("")
      );
      assertEquals(shown, cells.map((_, i) => `cell ${i}`));
      // No partial file is left beside the result.
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["in.ipynb", "out.ipynb"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
