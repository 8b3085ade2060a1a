/**
 * The benchmark scripts run on any checkpoint, a tiny one too, as a user runs them: no stack
 * trace, no negative time, the model named as it is, and no file written unless `--out` asks.
 */
import { presetConfig, synthesizeCheckpoint } from "../../src/mod.ts";
import { assert, assertEquals, withTempDir } from "../../src/testing/mod.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

async function runScript(script: string, args: string[], cwd: string, extra: string[] = []) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      CONFIG,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-ffi",
      "--allow-sys",
      ...extra,
      new URL(script, import.meta.url).pathname,
      ...args,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("bench:drift on a tiny checkpoint prints its table", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(presetConfig("tiny-v0.1"), `${dir}/tiny`, { seed: 1 });
    const run = await runScript("./drift.ts", ["--checkpoint", `${dir}/tiny`], dir);
    assertEquals(run.code, 0, run.stderr);
    assert(run.stdout.includes(`drift vs fp32 inspect on ${dir}/tiny`), run.stdout);
    assertEquals(run.stdout.match(/^\| fast \| fp32 \|/m)?.length, 1, run.stdout);
  });
});

Deno.test("bench:pipeline on a tiny checkpoint: named as it is, no negative ms, no file", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(presetConfig("tiny-v0.2"), `${dir}/tiny`, { seed: 1 });
    const run = await runScript(
      "./pipeline.ts",
      ["--checkpoint", `${dir}/tiny`, "--tokens", "4"],
      dir,
    );
    assertEquals(run.code, 0, run.stderr);
    assert(!run.stdout.includes("222M"), run.stdout);
    assert(run.stdout.includes(`${dir}/tiny (`), run.stdout);
    const rows = run.stdout.split("\n").filter((line) => /^\| [148] \|/.test(line));
    assertEquals(rows.length, 3, run.stdout);
    for (const row of rows) assert(!/\| -\d/.test(row), `negative figure in ${row}`);
    // Both throughput columns carry their ratio to batch 1, which is their quotient.
    for (const column of [4, 5]) {
      const cells = rows.map((row) => row.split("|")[column].trim());
      const [base] = cells.map((cell) => Number(cell.split(" ")[0]));
      assertEquals(cells[0].split(" ")[1], "(1.00×)");
      for (const cell of cells) {
        const [value, ratio] = [Number(cell.split(" ")[0]), Number(/\(([\d.]+)×\)/.exec(cell)![1])];
        assert(Math.abs(ratio - value / base) <= 0.01 + 0.001 * ratio, `${cell} vs ${base}`);
      }
    }
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(left, ["tiny"], "the benchmark wrote no file without --out");
    const withOut = await runScript(
      "./pipeline.ts",
      ["--checkpoint", `${dir}/tiny`, "--tokens", "2", "--out", `${dir}/figures.json`],
      dir,
    );
    assertEquals(withOut.code, 0, withOut.stderr);
    assertEquals(JSON.parse(Deno.readTextFileSync(`${dir}/figures.json`)).rows.length, 3);
  });
});

Deno.test("bench:steps on a tiny int4 checkpoint times three paths and profiles one", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(presetConfig("tiny-v0.2"), `${dir}/tiny`, { seed: 1 });
    const run = await runScript(
      "./decode_steps.ts",
      [`${dir}/tiny`, "1", "6", "fresh,arena,append,profile", "int4"],
      dir,
    );
    assertEquals(run.code, 0, run.stderr);
    for (const variant of ["fresh", "arena", "append"]) {
      assertEquals(run.stdout.match(new RegExp(`^\\| ${variant} \\|`, "m"))?.length, 1, run.stdout);
    }
    assert(run.stdout.includes("profiled generation (int4, 6 steps"), run.stdout);
    // The quantised decoder's kernels are in the breakdown, with the rest of the step beside them.
    assert(/^\| MatMulNBits \| \d+ \| \d+\.\d{3} \| \d+% \|$/m.test(run.stdout), run.stdout);
    assert(run.stdout.includes("| onnxruntime outside its kernels |"), run.stdout);
    const shares = [
      ...run.stdout.matchAll(
        /^\| (\*\*all kernels\*\*|onnxruntime outside its kernels|outside onnxruntime[^|]*) \| {2}\| [\d.-]+ \| (-?\d+)% \|$/gm,
      ),
    ]
      .map((m) => Number(m[2]));
    assertEquals(shares.length, 3, run.stdout);
    assert(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) <= 2, `shares ${shares}`);
  });
});

Deno.test("bench:quant --profile on a tiny checkpoint: a row per precision and where its step goes", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(presetConfig("tiny-v0.2"), `${dir}/tiny`, { seed: 1 });
    const args = ["--checkpoint", `${dir}/tiny`, "--precisions", "fp32,int4", "--profile"];
    const run = await runScript("./quantized.ts", args, dir, ["--allow-run"]);
    assertEquals(run.code, 0, run.stderr);
    // The machine line names the runtime it measured, not a version written into the script.
    assert(/^machine: .*onnxruntime-node \d+\.\d+\.\d+/m.test(run.stdout), run.stdout);
    for (const precision of ["fp32", "int4"]) {
      assertEquals(
        run.stdout.match(new RegExp(`^\\| ${precision} \\|`, "m"))?.length,
        1,
        run.stdout,
      );
      assert(run.stdout.includes(`#### ${precision}: profiled generation (${precision}, 32 steps`));
    }
    assert(/^\| MatMulNBits \| \d+ \|/m.test(run.stdout), "int4's kernels are in its breakdown");
  });
});

Deno.test("bench:floors on a tiny checkpoint: a row per probe, no figure negative", async () => {
  await withTempDir(async (dir) => {
    await synthesizeCheckpoint(presetConfig("tiny-v0.2"), `${dir}/tiny`, { seed: 1 });
    const run = await runScript(
      "./kernel_floors.ts",
      ["--checkpoint", `${dir}/tiny`, "--past", "8,40"],
      dir,
      ["--allow-run=lscpu"],
    );
    assertEquals(run.code, 0, run.stderr);
    assert(run.stdout.includes(`# The floor under a decode step: ${dir}/tiny`), run.stdout);
    const rows = run.stdout.split("\n").filter((line) => /^\| [a-zA-Z]/.test(line)).slice(1);
    // Small kernels, fp32 and int4 products, two attentions at each past, inputs and outputs,
    // the arena at each past.
    assertEquals(rows.length, 1 + 2 + 2 * 2 + 1 + 2, run.stdout);
    for (const row of rows) {
      const ms = Number(row.split("|")[4]);
      assert(Number.isFinite(ms) && ms >= 0, `not a time: ${row}`);
    }
    const blocks = presetConfig("tiny-v0.2").lm_n_blocks;
    assert(rows.some((r) => r.includes("40 cached positions") && r.includes(`| ${blocks} |`)));
    // A bad --past is a named error, not a stack trace.
    const bad = await runScript("./kernel_floors.ts", ["--past", "ten"], dir);
    assertEquals(bad.code, 2);
    assert(bad.stderr.includes("--past takes whole numbers"), bad.stderr);
  });
});
