/**
 * Nothing half-written (issue 13 §5): an atomic write killed by SIGTERM or SIGHUP removes its
 * temporary and exits 143 / 129; one killed by SIGKILL leaves it, and the next write to the same
 * destination removes it and says so. `synth` (a real 222M write) is covered end to end.
 */
import { assert, assertEquals, withTempDir } from "../testing/mod.ts";
import { writeAtomically } from "./atomic.ts";

const REPO = decodeURIComponent(new URL("../..", import.meta.url).pathname);
const CHILD = `${REPO}src/testing/atomic_child.ts`;

async function hidden(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).filter((n) =>
    n.startsWith(".")
  );
}

/** Starts the child, waits for "ready", sends `signal`, returns the exit code. */
async function signalled(final: string, signal: Deno.Signal): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", CHILD, final],
    stdout: "piped",
    stderr: "inherit",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  child.kill(signal);
  await reader.cancel();
  return (await child.status).code;
}

for (const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129], ["SIGINT", 130]] as const) {
  Deno.test(`atomic: ${signal} removes the temporary and exits ${code}`, async () => {
    await withTempDir(async (dir) => {
      assertEquals(await signalled(`${dir}/out`, signal), code);
      assertEquals(await hidden(dir), [], "no .out.partial-* left");
    });
  });
}

Deno.test("atomic: a SIGKILLed write's temporary is swept by the next write, with a warning", async () => {
  await withTempDir(async (dir) => {
    await signalled(`${dir}/out`, "SIGKILL");
    const left = (await hidden(dir)).filter((n) => !n.endsWith(".lock"));
    assertEquals(left.length, 1, `one partial is left: ${left}`);
    assert(/^\.out\.partial-[0-9a-z]+$/.test(left[0]), left[0]);
    // Not ours to remove: a temporary whose writer holds its lock, a fresh one without a lock
    // (an older version's), and another destination's.
    await Deno.mkdir(`${dir}/.out.partial-live`);
    const lock = await Deno.open(`${dir}/.out.partial-live.lock`, { write: true, create: true });
    await lock.lock(true);
    await Deno.mkdir(`${dir}/.out.partial-fresh`);
    await Deno.mkdir(`${dir}/.other.partial-x`);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      await writeAtomically(`${dir}/out`, (temp) => Deno.writeTextFile(temp, "done"));
    } finally {
      console.warn = warn;
      lock.close();
    }
    assertEquals(await Deno.readTextFile(`${dir}/out`), "done");
    assertEquals(warnings, [
      `warning: removed ${dir}/${left[0]}, left by an interrupted earlier run`,
    ]);
    assertEquals((await hidden(dir)).sort(), [
      ".other.partial-x",
      ".out.partial-fresh",
      ".out.partial-live",
      ".out.partial-live.lock",
    ]);
  });
});

Deno.test("atomic: `synth --preset 222m` stopped by SIGTERM leaves nothing", async () => {
  await withTempDir(async (dir) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-ffi",
        "--allow-sys",
        `${REPO}src/cli/main.ts`,
        "synth",
        "--preset",
        "222m",
        "--out",
        `${dir}/ckpt`,
      ],
      stdout: "null",
      stderr: "null",
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    const started = Date.now();
    while ((await hidden(dir)).length === 0 && Date.now() - started < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert((await hidden(dir)).length > 0, "synth started writing its partial folder");
    child.kill("SIGTERM");
    assertEquals((await child.status).code, 143);
    assertEquals(await hidden(dir), []);
    assertEquals((await Array.fromAsync(Deno.readDir(dir))).length, 0, "no ckpt folder either");
  });
});
