/**
 * Which Python runs Jupyter here, for the scripts that drive nbclient themselves.
 *
 * @module
 */

/**
 * The Python that runs Jupyter (the `#!` line of the first `jupyter` on PATH; Debian:
 * /usr/bin/python3), so that nbclient is imported from Jupyter's own Python rather than from
 * whichever `python3` comes first on PATH (pyenv, a venv). `python3` when there is no `jupyter`.
 */
export function jupyterPython(): string {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    let firstLine: string;
    try {
      firstLine = Deno.readTextFileSync(`${dir}/jupyter`).split("\n", 1)[0];
    } catch {
      continue;
    }
    const shebang = firstLine.match(/^#!\s*(\S+)(?:\s+(\S+))?/);
    if (!shebang) break;
    return shebang[1].endsWith("/env") && shebang[2] ? shebang[2] : shebang[1];
  }
  return "python3";
}
