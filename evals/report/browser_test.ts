/**
 * The report in a real browser: headless Chromium loads report.html, and the test fails on any
 * console error, exception, failed load or request leaving the page; it keeps a screenshot in
 * reports/test/report.png. Skips loudly without Chromium (`apt-get install -y chromium`); in CI
 * (CI=true) a missing Chromium fails, since `.ci/run` installs it.
 */
import sharp from "sharp";
import { assert, assertEquals, withTempDir } from "../../src/testing/mod.ts";
import { findChromium, HeadlessChromium } from "./chromium_testing.ts";
import { writeFixtureOutput } from "./testing.ts";
import { writeReport } from "./write.ts";

const chromium = await findChromium();
const SCREENSHOT = decodeURIComponent(
  new URL("../../reports/test/report.png", import.meta.url).pathname,
);

if (!chromium) {
  const message = "browser_test: SKIPPED, no chromium; install it: apt-get install -y chromium";
  if (Deno.env.get("CI") === "true") throw new Error(`${message} (.ci/run installs it in CI)`);
  console.warn(`\n*** ${message} ***\n`);
}

Deno.test({
  name: "report in headless Chromium: no console error, no request, every figure and picture drawn",
  ignore: !chromium,
  async fn(t) {
    const browser = await HeadlessChromium.launch(chromium!);
    try {
      await t.step("the check fails on a console error and on a request", async () => {
        await withTempDir(async (dir) => {
          const path = `${dir}/bad.html`;
          await Deno.writeTextFile(
            path,
            `<!DOCTYPE html><title>bad</title><img src="missing.png">` +
              `<script>console.error("boom")</script>`,
          );
          const page = await browser.check(path);
          assert(page.errors.some((e) => e.includes("boom")), page.errors.join("\n"));
          assert(page.errors.some((e) => e.includes("ERR_FILE_NOT_FOUND")), page.errors.join("\n"));
          assertEquals(page.requests, [
            new URL(`file://${await Deno.realPath(dir)}/missing.png`).href,
          ]);
        });
      });
      await t.step("the fixture's report loads cleanly", async () => {
        await withTempDir(async (dir) => {
          await writeFixtureOutput(dir);
          const files = await writeReport(dir);
          const page = await browser.check(files.html, {
            probe: `JSON.stringify({
              svgs: document.querySelectorAll("figure svg").length,
              images: [...document.images].map((i) => i.complete && i.naturalWidth > 0),
              width: document.documentElement.scrollWidth,
            })`,
          });
          assertEquals(page.errors, []);
          assertEquals(page.requests, []);
          assertEquals(page.title, "nanovlm eval: shapes-fixture");
          const probe = JSON.parse(page.probe as string);
          assertEquals(probe.svgs, files.figures.length);
          assert(probe.images.length > 0 && probe.images.every(Boolean), "every picture decoded");
          assert(probe.width <= 1200, `no horizontal overflow (${probe.width}px)`);
          await Deno.mkdir(SCREENSHOT.replace(/\/[^/]+$/, ""), { recursive: true });
          await Deno.writeFile(SCREENSHOT, page.screenshot);
          const meta = await sharp(page.screenshot).metadata();
          assertEquals(meta.width, 1200);
          assert(meta.height! > 2000, `the whole page is captured (${meta.height}px)`);
        });
      });
    } finally {
      await browser.close();
    }
  },
});
