/**
 * A long run for the no-network test (`src/runtime/offline_test.ts`): synthesizes a tiny
 * checkpoint into `<out>/checkpoint`, loads it through the public API and captions a bundled
 * photograph over and over for `<seconds>` seconds (onnxruntime's telemetry, when on, wakes
 * about 10 s after the first session), then writes `<out>/result.json`.
 *
 * `deno run --allow-read --allow-write --allow-env --allow-ffi --allow-sys offline_run.ts <out> <seconds>`
 *
 * @module
 */
import { presetConfig, synthesizeCheckpoint } from "../checkpoint/mod.ts";
import { byteLevelTokenizerFiles, NanoVLM } from "../pipeline/mod.ts";

const [out, seconds] = Deno.args;
const image = decodeURIComponent(
  new URL("../../data/photos/images/chelsea.jpg", import.meta.url).pathname,
);
await Deno.mkdir(out, { recursive: true });
await synthesizeCheckpoint(presetConfig("tiny-current"), `${out}/checkpoint`, { seed: 0 });
const started = performance.now();
const model = await NanoVLM.load(`${out}/checkpoint`, { tokenizer: byteLevelTokenizerFiles() });
let runs = 0;
let text = "";
try {
  while (performance.now() - started < Number(seconds) * 1000) {
    const [result] = await model.generate([{ images: [image], text: "What is this?" }], {
      maxNewTokens: 8,
    });
    text = result.text;
    runs++;
  }
} finally {
  await model.release();
}
const elapsed = (performance.now() - started) / 1000;
await Deno.writeTextFile(`${out}/result.json`, JSON.stringify({ runs, elapsed, text }));
