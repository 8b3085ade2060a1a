import { openCheckpoint } from "../checkpoint/mod.ts";
import { assertEquals, fixturePath, fixtureTest, withTempDir } from "../testing/mod.ts";
import { NanoVLMRuntime } from "./model.ts";
import { availableCores, countCpuList, cpusOfQuota, intraOpThreads } from "./threads.ts";

Deno.test("threads: CPU lists and cgroup quotas count as the kernel writes them", () => {
  assertEquals(countCpuList("0-1"), 2);
  assertEquals(countCpuList("0-3,6,8-9\n"), 7);
  assertEquals(countCpuList("5"), 1);
  assertEquals(countCpuList("3-1"), undefined);
  assertEquals(countCpuList("x"), undefined);
  assertEquals(cpusOfQuota("max 100000"), undefined);
  assertEquals(cpusOfQuota("200000 100000"), 2);
  assertEquals(cpusOfQuota("150000 100000\n"), 2); // 1.5 CPUs: two threads share the quota
  assertEquals(cpusOfQuota("50000 100000"), 1);
});

/** The cores `nproc` (coreutils: the affinity mask) reports, capped by a cgroup v2 quota. */
async function coresBySystemTools(): Promise<number> {
  const out = await new Deno.Command("nproc", { stdout: "piped" }).output();
  const nproc = Number(new TextDecoder().decode(out.stdout).trim());
  let quota = Infinity;
  try {
    const [q, period] = Deno.readTextFileSync("/sys/fs/cgroup/cpu.max").trim().split(/\s+/);
    if (q !== "max") quota = Math.ceil(Number(q) / Number(period));
  } catch { /* no cgroup v2 quota */ }
  return Math.min(nproc, quota);
}

Deno.test("threads: the default is the cores this process may use", async () => {
  if (Deno.build.os !== "linux") return;
  assertEquals(availableCores().count, await coresBySystemTools());
  assertEquals(intraOpThreads(), availableCores().count);
  assertEquals(intraOpThreads(3), 3);
});

fixtureTest(
  "threads: every session (vision, decoder; in this thread or a Worker) is created with the default or --threads; token rows come from the file, with no embed session",
  async () => {
    await withTempDir(async (cacheDir) => {
      const checkpoint = await openCheckpoint(fixturePath("reference", "v0.1-tiny", "checkpoint"));
      const cores = Deno.build.os === "linux" ? await coresBySystemTools() : availableCores().count;
      for (
        const [options, expected] of [
          [{}, cores],
          [{ worker: true }, cores],
          [{ threads: 1 }, 1],
        ] as const
      ) {
        const runtime = await NanoVLMRuntime.load(checkpoint, { cacheDir, ...options });
        try {
          for (const graph of ["vision", "decoder"] as const) {
            const created = runtime.sessionOptions(graph);
            assertEquals(created?.intraOpNumThreads, expected, graph);
            // Threads spin between a run's kernels and stop when the run returns.
            const config = (created?.extra as { session: Record<string, string> }).session;
            assertEquals(
              [config["intra_op.allow_spinning"], config.force_spinning_stop],
              [undefined, "1"],
              graph,
            );
          }
          assertEquals(runtime.sessionOptions("embed"), undefined);
          assertEquals(runtime.threads, expected);
        } finally {
          await runtime.release();
        }
      }
    });
  },
);
