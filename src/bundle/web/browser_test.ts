/**
 * The exported bundle's page in headless Chromium: serves an int4 bundle of the v0.2-tiny fixture
 * on 127.0.0.1, lets the page caption the bundled picture (`?auto=`) with onnxruntime-web, and
 * checks its greedy tokens equal `caption --precision int4 --json` on the CLI. Skips loudly when
 * chromium is not installed (`.ci/run` installs it). A screenshot of the page is kept at
 * `$NANOVLM_SCREENSHOT` when that is set.
 */
import { byteLevelTokenizerFiles } from "../../pipeline/mod.ts";
import { assertEquals, fixturePath, fixtureTest, withTempDir } from "../../testing/mod.ts";
import { exportBundle } from "../export.ts";
import { buildWebPage } from "./build.ts";

const TOKENS = 12;

function chromiumPath(): string | undefined {
  for (const path of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    try {
      Deno.statSync(path);
      return path;
    } catch { /* next */ }
  }
}

const TYPES: Record<string, string> = {
  html: "text/html",
  js: "text/javascript",
  mjs: "text/javascript",
  wasm: "application/wasm",
  json: "application/json",
  png: "image/png",
};

fixtureTest("browser: the bundle's page captions its picture as the CLI does (int4)", async () => {
  const chromium = chromiumPath();
  if (!chromium) {
    // CI installs it (.ci/run): there a missing browser is a failure, not a skip.
    if (Deno.env.get("CI")) throw new Error("chromium is not installed; .ci/run installs it");
    console.warn("SKIPPED: chromium is not installed (apt-get install -y chromium)");
    return;
  }
  await withTempDir(async (tmp) => {
    const checkpoint = fixturePath("reference", "v0.2-tiny", "checkpoint");
    const picture = fixturePath("reference", "v0.2-tiny", "image_a.png");
    const tokenizerPath = `${tmp}/tokenizer.json`;
    await Deno.writeTextFile(
      tokenizerPath,
      JSON.stringify(byteLevelTokenizerFiles().tokenizerJson),
    );
    const bundle = `${tmp}/bundle`;
    await exportBundle(checkpoint, bundle, {
      tokenizer: tokenizerPath,
      precision: "int4",
      cacheDir: `${tmp}/cache`,
      extraFiles: { ...(await buildWebPage()), "picture.png": { copyFrom: picture } },
    });
    // The CLI's greedy tokens.
    const cli = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../cli/main.ts", import.meta.url).pathname,
        "caption",
        "--model",
        checkpoint,
        "--tokenizer",
        tokenizerPath,
        "--image",
        picture,
        "--precision",
        "int4",
        "--max-new-tokens",
        String(TOKENS),
        "--cache-dir",
        `${tmp}/cache`,
        "--json",
      ],
      stderr: "inherit",
    }).output();
    const want = JSON.parse(new TextDecoder().decode(cli.stdout));
    // Serve the bundle (and receive the page's result) on 127.0.0.1 only.
    let resolveResult!: (value: Record<string, unknown>) => void;
    const result = new Promise<Record<string, unknown>>((r) => resolveResult = r);
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      const path = new URL(req.url).pathname;
      if (req.method === "POST" && path === "/result") {
        resolveResult(await req.json());
        return new Response("ok");
      }
      try {
        const body = await Deno.readFile(`${bundle}${path === "/" ? "/index.html" : path}`);
        const type = TYPES[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";
        return new Response(body, { headers: { "content-type": type } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    });
    const url = `http://127.0.0.1:${server.addr.port}/index.html?auto=picture.png&tokens=${TOKENS}`;
    const browser = new Deno.Command(chromium, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        `--user-data-dir=${tmp}/chromium`,
        "--remote-debugging-port=0",
        url,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("the page sent no result within 120 s")), 120_000)
      );
      const got = await Promise.race([result, timeout]);
      assertEquals(got.error, undefined, `the page failed: ${got.error}`);
      console.log(`browser tokens ${JSON.stringify(got.tokens)} text ${JSON.stringify(got.text)}`);
      assertEquals(got.tokens, want.tokens);
      assertEquals(got.text, want.text);
      const screenshot = Deno.env.get("NANOVLM_SCREENSHOT");
      if (screenshot) {
        await new Deno.Command(chromium, {
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            `--user-data-dir=${tmp}/chromium-shot`,
            `--screenshot=${screenshot}`,
            "--window-size=900,420",
            "--virtual-time-budget=60000",
            url,
          ],
          stdout: "null",
          stderr: "null",
        }).output();
      }
    } finally {
      browser.kill();
      await browser.status;
      await server.shutdown();
    }
  });
});
