import { assert, assertEquals } from "../testing/mod.ts";
import { formatBytes, freeBytes } from "./disk_space.ts";

Deno.test("formatBytes: SI figures", () => {
  assertEquals(formatBytes(999), "999 B");
  assertEquals(formatBytes(1500), "1.5 kB");
  assertEquals(formatBytes(888_372_464), "888 MB");
  assertEquals(formatBytes(137_438_953_472), "137 GB");
});

/** `df`'s "Available" bytes for a path (the independent truth). */
async function dfAvailable(path: string): Promise<number> {
  const { stdout } = await new Deno.Command("df", {
    args: ["-B1", "--output=avail", path],
  }).output();
  return Number(new TextDecoder().decode(stdout).trim().split("\n").at(-1));
}

Deno.test("freeBytes: what df calls available, also for a path that does not exist yet", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const path of [dir, `${dir}/new/deeper/checkpoint`]) {
      const ours = freeBytes(path)!;
      const df = await dfAvailable(dir);
      // Other writers share the disk: the two readings may differ by what they wrote meanwhile.
      assert(ours > 0 && Math.abs(ours - df) < 64 << 20, `freeBytes ${ours} vs df ${df}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
