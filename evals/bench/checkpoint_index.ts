/**
 * Benchmark (not a test): time and extra memory to open the index of a full-size checkpoint.
 *
 * `deno task bench:checkpoint [<checkpoint-dir>]` synthesizes the 222m preset into a temporary
 * folder (printing the synth time) unless a folder is given, then opens it with `openCheckpoint`
 * several times and prints the time and the resident-memory increase. Targets: < 1 s, < 50 MB.
 *
 * @module
 */
import { openCheckpoint, presetConfig, synthesizeCheckpoint } from "../../src/mod.ts";

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const given = Deno.args[0];
  const temp = given ? undefined : await Deno.makeTempDir({ prefix: "nanovlm-bench-" });
  const dir = given ?? `${temp}/222m`;
  try {
    if (!given) {
      const started = performance.now();
      const result = await synthesizeCheckpoint(presetConfig("222m"), dir);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `synth 222m: ${seconds.toFixed(2)} s for ${
          result.weightsBytes.toLocaleString("en-US")
        } bytes (${(result.weightsBytes / MB / seconds).toFixed(0)} MB/s)`,
      );
    }
    const rssBefore = Deno.memoryUsage().rss;
    const times: number[] = [];
    let peak = rssBefore;
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      const ckpt = await openCheckpoint(dir);
      times.push(performance.now() - started);
      peak = Math.max(peak, Deno.memoryUsage().rss);
      if (run === 0) {
        console.log(
          `opened ${dir}: ${ckpt.index.tensors.size} tensors, ${
            ckpt.parameters.total.toLocaleString("en-US")
          } parameters, ${ckpt.index.fileSize.toLocaleString("en-US")} bytes`,
        );
      }
    }
    const first = times[0];
    times.sort((a, b) => a - b);
    console.log(
      `openCheckpoint: first ${first.toFixed(1)} ms, median ${times[2].toFixed(1)} ms, min ${
        times[0].toFixed(1)
      } ms (target < 1000 ms)`,
    );
    console.log(
      `extra RSS while opening: ${((peak - rssBefore) / MB).toFixed(1)} MB (target < 50 MB)`,
    );
  } finally {
    if (temp) await Deno.remove(temp, { recursive: true });
  }
}

if (import.meta.main) await main();
