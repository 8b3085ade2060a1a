import { openCheckpoint } from "../checkpoint/mod.ts";
import { buildOptions } from "../model/mod.ts";
import { prepareGraph } from "../runtime/mod.ts";
import { assert, assertEquals, fixturePath, fixtureTest, withTempDir } from "../testing/mod.ts";
import { cacheCleanCommand, cacheListCommand } from "./cache.ts";
import { runCaptured } from "./score_testing.ts";

/** Sums the sizes of the files under a folder, independently of the inventory code. */
function duBytes(path: string): number {
  let bytes = 0;
  for (const entry of Deno.readDirSync(path)) {
    const inner = `${path}/${entry.name}`;
    bytes += entry.isDirectory ? duBytes(inner) : Deno.statSync(inner).size;
  }
  return bytes;
}

fixtureTest(
  "cache list/clean: entries with kind, size and checkpoint; clean leaves foreign files",
  async () => {
    await withTempDir(async (cache) => {
      const source = fixturePath("reference", "v0.2-tiny", "checkpoint");
      const checkpoint = await openCheckpoint(source);
      await prepareGraph("decoder", checkpoint, buildOptions(), cache);
      await prepareGraph("decoder", checkpoint, buildOptions({ precision: "fp16" }), cache);
      await Deno.writeTextFile(`${cache}/notes.txt`, "mine");

      const listed = JSON.parse(
        (await runCaptured(cacheListCommand, ["--cache-dir", cache, "--json"])).stdout,
      );
      const byKind = (kind: string) =>
        listed.entries.filter((e: { kind: string }) => e.kind === kind);
      assertEquals(byKind("graphs").length, 1);
      assertEquals(byKind("weights").length, 1);
      assertEquals(byKind("hash-memo").length, 1, "fp16 conversion hashed the checkpoint");
      assertEquals(byKind("unknown").map((e: { name: string }) => e.name), ["notes.txt"]);
      for (const entry of [...byKind("graphs"), ...byKind("weights")]) {
        assertEquals(entry.checkpoint, source);
        assertEquals(entry.bytes, duBytes(`${cache}/${entry.name}`));
      }
      assertEquals(listed.bytes, duBytes(cache));

      const dry = await runCaptured(cacheCleanCommand, ["--cache-dir", cache, "--dry-run"]);
      assert(dry.stdout.includes("would remove 3 entries"), dry.stdout);
      assertEquals([...Deno.readDirSync(cache)].length, 4, "a dry run removes nothing");

      const young = await runCaptured(cacheCleanCommand, [
        "--cache-dir",
        cache,
        "--older-than",
        "1",
      ]);
      assert(young.stdout.includes("nothing to remove"), young.stdout);

      await runCaptured(cacheCleanCommand, ["--cache-dir", cache]);
      assertEquals([...Deno.readDirSync(cache)].map((e) => e.name), ["notes.txt"]);
      const empty = await runCaptured(cacheListCommand, ["--cache-dir", `${cache}/none`]);
      assert(empty.stdout.endsWith("none: empty"), empty.stdout);
    });
  },
);
