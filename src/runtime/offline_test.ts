/**
 * Nothing leaves the machine (issue 13 §1): a run longer than 15 s, traced with `strace -f`, makes
 * no inet socket, connection or DNS lookup (onnxruntime's telemetry wakes ~10 s in; Deno's update
 * check in the first second), and writes nothing outside its output folder, its cache folder and
 * Deno's own caches. Skipped loudly where strace cannot trace; required in CI.
 */
import {
  assert,
  assertEquals,
  importSpecifiers,
  readSourceTree,
  straceAvailable,
  traceRun,
  withTempDir,
} from "../testing/mod.ts";

const REPO = decodeURIComponent(new URL("../..", import.meta.url).pathname).replace(/\/$/, "");
const traceable = await straceAvailable();
if (!traceable) {
  if (Deno.env.get("CI") === "true") {
    throw new Error("CI must run the no-network test: install strace (.ci/run does, with apt-get)");
  }
  console.warn(
    "\n!!! SKIPPING the no-network tests: strace is missing or cannot trace here.\n" +
      "!!! Install it (apt-get install strace) to check that nothing leaves the machine.\n",
  );
}

async function denoDir(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  return JSON.parse(new TextDecoder().decode(stdout)).denoDir;
}

/** A clean environment: home, temp and cache folders of the test's own. */
async function cleanEnv(root: string, extra: Record<string, string> = {}) {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: `${root}/home`,
    TMPDIR: `${root}/tmp`,
    DENO_DIR: await denoDir(),
    NO_COLOR: "1",
    ...extra,
  };
  for (const dir of [env.HOME, env.TMPDIR]) await Deno.mkdir(dir, { recursive: true });
  return env;
}

function outside(written: string[], allowed: string[]): string[] {
  const roots = [...allowed, "/dev/", "/proc/", `${REPO}/node_modules/`];
  return [...new Set(written)].filter((path) => !roots.some((root) => path.startsWith(root)));
}

async function entries(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
}

Deno.test({
  name: "offline: a 16 s library run makes no connection or DNS lookup, writes only its folders",
  ignore: !traceable,
  async fn() {
    await withTempDir(async (root) => {
      const env = await cleanEnv(root, {
        NANOVLM_CACHE: `${root}/cache`,
        DENO_NO_UPDATE_CHECK: "1", // Deno's own switch (set by every task; the next test checks)
      });
      const out = `${root}/out`;
      const report = await traceRun(Deno.execPath(), [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-ffi",
        "--allow-sys",
        `${REPO}/src/testing/offline_run.ts`,
        out,
        "16",
      ], { env, cwd: REPO, logFile: `${root}/trace.log` });
      assertEquals(report.code, 0, report.stderr);
      const result = JSON.parse(await Deno.readTextFile(`${out}/result.json`));
      assert(
        result.elapsed >= 16 && result.runs > 0,
        `ran ${result.elapsed} s, ${result.runs} runs`,
      );
      assertEquals(report.network, [], "no inet socket, connection or DNS lookup");
      assertEquals(outside(report.written, [out, `${root}/cache`, env.DENO_DIR]), []);
      assertEquals(await entries(env.HOME), [], "nothing in the home folder (telemetry queue)");
      assertEquals(await entries(env.TMPDIR), [], "nothing in the temp folder (mat-debug logs)");
    });
  },
});

Deno.test({
  name: "offline: `deno task demo` (no CI, no switches in the environment) makes no connection",
  ignore: !traceable,
  async fn() {
    await withTempDir(async (root) => {
      const env = await cleanEnv(root, { NANOVLM_CACHE: `${root}/cache` });
      const report = await traceRun(Deno.execPath(), ["task", "demo"], {
        env,
        cwd: REPO,
        logFile: `${root}/trace.log`,
      });
      assertEquals(report.code, 0, report.stderr);
      assertEquals(report.network, [], "no update check, no telemetry");
      // The demo's outputs: its temporary folder and the report it writes into reports/.
      const outputs = [env.TMPDIR, `${root}/cache`, env.DENO_DIR, `${REPO}/reports/`];
      assertEquals(outside(report.written, outputs), []);
      assertEquals(await entries(env.HOME), [], "nothing in the home folder");
      assertEquals(await entries(env.TMPDIR), [], "the demo's temporary folder is removed");
    });
  },
});

Deno.test("offline: only src/runtime/ort.ts loads onnxruntime-node (after switching telemetry off)", async () => {
  const files = await readSourceTree(REPO, ["src", "evals"]);
  const loaders = [...files].filter(([_path, source]) =>
    importSpecifiers(source).includes("onnxruntime-node") &&
    !/^\s*import\s+type\b[^;]*["']onnxruntime-node["']/m.test(source)
  ).map(([path]) => path);
  assertEquals(loaders, ["src/runtime/ort.ts"]);
  const ort = files.get("src/runtime/ort.ts")!;
  assert(
    ort.indexOf('import "./telemetry_off.ts"') < ort.indexOf('from "onnxruntime-node"'),
    "the telemetry switch is imported first",
  );
});
