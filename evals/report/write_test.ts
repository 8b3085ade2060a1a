import sharp from "sharp";
import { InputError } from "../../src/mod.ts";
import { assert, assertEquals, assertRejects, withTempDir } from "../../src/testing/mod.ts";
import { EMPTY_GALLERY } from "./html.ts";
import { writeReport } from "./write.ts";
import { writeFixtureOutput } from "./testing.ts";

Deno.test("report: figures as PNGs, an HTML page that loads nothing, and the Markdown", async () => {
  await withTempDir(async (dir) => {
    const facts = await writeFixtureOutput(dir);
    const files = await writeReport(dir, { changed: 20 });
    // 3 tasks → 3 quality figures; VQA and MCQ have categories; latency; 2 drift statistics
    // (same output: generated tokens and MCQ picks; mean |Δ score|: MCQ option log-likelihoods).
    assertEquals(files.figures.map((f) => f.split("/").pop()), [
      "quality-latency-caption.png",
      "quality-latency-vqa.png",
      "quality-latency-mcq.png",
      "categories-vqa.png",
      "categories-mcq.png",
      "token-latency.png",
      "drift-same-output.png",
      "drift-mean-score.png",
    ]);
    for (const png of files.figures) {
      const image = sharp(await Deno.readFile(png));
      const { width, format } = await image.metadata();
      // Twice the plot's width: 360 px small multiples, 640 px figures.
      assertEquals([format, width], ["png", png.includes("quality-latency") ? 720 : 1280], png);
      const stats = await image.stats();
      // Not blank: some channel varies (text, marks on white).
      assert(stats.channels.some((c) => c.stdev > 5), `${png} looks blank`);
    }
    const html = await Deno.readTextFile(files.html);
    assertEquals(html.match(/<svg[\s>]/g)?.length, files.figures.length);
    // Self-contained: the only URLs are data: pictures, relative PNG links and SVG namespaces.
    const urls = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    assert(
      urls.every((u) => u.startsWith("data:image/png;base64,") || /^figures\/[\w-]+\.png$/.test(u)),
    );
    assert(!/<script|<link|@import|url\(/i.test(html), "no script, stylesheet or CSS url()");
    // Every changed item is in the gallery, with its picture.
    for (const key of facts.changed) {
      const id = key.split("/")[1];
      assert(html.includes(`· ${id}</span>`), `changed item ${id} missing`);
    }
    const cards = html.match(/<div class="card">/g)?.length ?? 0;
    assert(cards >= facts.changed.length && cards <= 6 + facts.changed.length, `${cards} cards`);
    assertEquals(html.match(/<img src="data:image\/png/g)?.length, cards, "a picture per card");
    const md = await Deno.readTextFile(files.markdown);
    for (const png of files.figures) assert(md.includes(`](figures/${png.split("/").pop()})`));
    const fp16 = facts.summary.cells[1].tasks.vqa;
    assert(md.includes(`| vqa | vqa | accuracy | fp16@cpu | ${fp16.n} |`), md);
  });
});

Deno.test("report: a broken eval folder is a named error and leaves no file behind", async () => {
  await withTempDir(async (dir) => {
    await writeFixtureOutput(dir, { images: 1 });
    await Deno.writeTextFile(`${dir}/records/fp16@cpu.jsonl`, "not json\n");
    await assertRejects(() => writeReport(dir), InputError, /fp16@cpu\.jsonl:1/);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["records", "results", "run.json", "suite.json", "summary.json"]);
  });
});

/**
 * Writes an output with only the contract's keys: one fp32@cpu cell with a VQA task of the given
 * accuracy, and its records (JSON objects, one a line).
 */
async function writeBareOutput(
  dir: string,
  suite: string,
  accuracy: number,
  records: Record<string, unknown>[],
): Promise<void> {
  const summary = {
    suite,
    model: { path: "m", sha256: "f".repeat(64) },
    cells: [{
      name: "fp32@cpu",
      precision: "fp32",
      device: "cpu",
      tasks: { vqa: { kind: "vqa", n: records.length, metrics: { accuracy } } },
    }],
  };
  await Deno.mkdir(`${dir}/records`);
  await Deno.writeTextFile(`${dir}/summary.json`, JSON.stringify(summary));
  await Deno.writeTextFile(
    `${dir}/records/fp32@cpu.jsonl`,
    records.map((r) => JSON.stringify(r) + "\n").join(""),
  );
}

Deno.test("report: an output with only the contract's keys still renders its tables", async () => {
  await withTempDir(async (dir) => {
    await writeBareOutput(dir, "bare", 0.5, [
      { id: "a", task: "vqa", prediction: "yes" },
      { id: "b", task: "vqa", prediction: "no" },
    ]);
    const files = await writeReport(dir);
    assertEquals(files.figures, []);
    const html = await Deno.readTextFile(files.html);
    assert(
      html.includes(
        "<td>vqa</td><td>vqa</td><td>accuracy</td><td>fp32@cpu</td><td>2</td><td>0.5</td>",
      ),
    );
    assert(!html.includes("<figure>") && !html.includes("Gallery"));
  });
});

Deno.test("report: when every scored item is right and none changed, the gallery says so instead of showing right answers as the worst", async () => {
  await withTempDir(async (dir) => {
    await writeBareOutput(dir, "all-right", 1, [
      { id: "a", task: "vqa", prediction: "yes", scores: { accuracy: 1 } },
      { id: "b", task: "vqa", prediction: "no", scores: { accuracy: 1 } },
    ]);
    const files = await writeReport(dir);
    const html = await Deno.readTextFile(files.html);
    const markdown = await Deno.readTextFile(files.markdown);
    assert(html.includes("Gallery") && html.includes("nothing to show"));
    assert(!html.includes('class="tag worst"') && !html.includes('class="card'));
    assert(markdown.includes(EMPTY_GALLERY));
  });
});

Deno.test("report: a gate.json beside the summary lists the regressed metrics and the changed items", async () => {
  await withTempDir(async (dir) => {
    await writeFixtureOutput(dir, { images: 1 });
    await Deno.writeTextFile(
      `${dir}/gate.json`,
      JSON.stringify({
        baseline: "evals/baselines/x.json",
        status: "regressed",
        regressions: [{
          cell: "fp16@cpu",
          task: "vqa",
          metric: "accuracy",
          baseline: 0.75,
          current: 0.5,
          reason: "dropped by 0.25 > 0.02",
        }],
        itemDiffs: [{
          cell: "fp16@cpu",
          task: "vqa",
          id: "q<1>",
          baseline: "red",
          current: "blue",
        }],
        notes: [],
      }),
    );
    const files = await writeReport(dir);
    const html = await Deno.readTextFile(files.html);
    assert(html.includes('<span class="gate regressed">regressed</span>'), "gate status");
    assert(
      html.includes(
        "<td>fp16@cpu</td><td>vqa</td><td>accuracy</td><td>0.75</td><td>0.5</td><td>dropped by 0.25 &gt; 0.02</td>",
      ),
      "the regressed metric",
    );
    assert(html.includes("<td>q&lt;1&gt;</td><td>red</td><td>blue</td>"), "old vs new prediction");
    const md = await Deno.readTextFile(files.markdown);
    assert(md.includes("## Regression gate: regressed"), md);
    assert(md.includes("| fp16@cpu | vqa | q<1> | red | blue |"), md);
  });
});
