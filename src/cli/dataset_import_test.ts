import { loadDataset } from "../../evals/datasets/mod.ts";
import { InputError } from "../errors.ts";
import { assert, assertEquals, assertRejects, withTempDir } from "../testing/mod.ts";
import {
  datasetImportCocoCommand,
  datasetImportKarpathyCommand,
  datasetImportVqaCommand,
} from "./dataset_import.ts";
import { runCaptured } from "./score_testing.ts";

const testdata = (name: string) =>
  new URL(`../../evals/datasets/testdata/${name}`, import.meta.url).pathname;

/** A picture folder with one-byte stand-ins for the named files. */
async function pictures(dir: string, names: string[]): Promise<string> {
  for (const name of names) {
    await Deno.mkdir(`${dir}/${name}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.writeFile(`${dir}/${name}`, new Uint8Array([name.length % 256]));
  }
  return dir;
}

Deno.test("dataset import coco: a dataset folder that loads, with the pictures copied", async () => {
  await withTempDir(async (dir) => {
    const images = await pictures(`${dir}/val2014`, [
      "COCO_val2014_000000397133.jpg",
      "COCO_val2014_000000037777.jpg",
    ]);
    const args = ["--annotations", testdata("coco_captions_small.json"), "--images", images];
    const { stdout } = await runCaptured(datasetImportCocoCommand, [...args, "--out", `${dir}/ds`]);
    assertEquals(stdout, `wrote ${dir}/ds: 2 pictures, 2 caption items`);
    const dataset = await loadDataset(`${dir}/ds`, { verifyHashes: true });
    assertEquals(dataset.items.map((i) => i.id), ["coco-397133", "coco-37777"]);
    assertEquals(dataset.info.tasks, ["caption"]);
    assertEquals(
      await Deno.readFile(`${dir}/ds/images/COCO_val2014_000000037777.jpg`),
      await Deno.readFile(`${images}/COCO_val2014_000000037777.jpg`),
    );
    // Existing folder: refused without --force.
    await assertRejects(
      () => runCaptured(datasetImportCocoCommand, [...args, "--out", `${dir}/ds`]),
      InputError,
      /already exists/,
    );
  });
});

Deno.test("dataset import vqav2 and karpathy; missing pictures are all named, nothing written", async () => {
  await withTempDir(async (dir) => {
    const coco = await pictures(`${dir}/coco`, [
      "COCO_val2014_000000262148.jpg",
      "COCO_val2014_000000393225.jpg",
      "val2014/COCO_val2014_000000391895.jpg",
      "val2014/COCO_val2014_000000184613.jpg",
    ]);
    await runCaptured(datasetImportVqaCommand, [
      "--questions",
      testdata("vqa_questions_small.json"),
      "--annotations",
      testdata("vqa_annotations_small.json"),
      "--images",
      coco,
      "--out",
      `${dir}/vqa`,
    ]);
    const vqa = await loadDataset(`${dir}/vqa`);
    assertEquals(vqa.items.length, 3);
    assert(vqa.items.every((item) => item.task === "vqa"));

    await runCaptured(datasetImportKarpathyCommand, [
      "--split-file",
      testdata("karpathy_small.json"),
      "--images",
      coco,
      "--captions",
      "--out",
      `${dir}/karpathy`,
    ]);
    const karpathy = await loadDataset(`${dir}/karpathy`);
    assertEquals(karpathy.info.tasks, ["caption", "retrieval"]);
    assertEquals(karpathy.items.length, 4);

    // The restval image is not in the folder: the error names it and leaves no folder behind.
    await assertRejects(
      () =>
        runCaptured(datasetImportKarpathyCommand, [
          "--split-file",
          testdata("karpathy_small.json"),
          "--split",
          "restval",
          "--images",
          coco,
          "--out",
          `${dir}/restval`,
        ]),
      InputError,
      /1 of 1 pictures are not in .*COCO_val2014_000000522418\.jpg/,
    );
    assertEquals(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["coco", "karpathy", "vqa"],
    );
    await assertRejects(
      () =>
        runCaptured(datasetImportKarpathyCommand, [
          "--split-file",
          testdata("karpathy_small.json"),
          "--split",
          "nosuch",
          "--images",
          coco,
          "--out",
          `${dir}/none`,
        ]),
      InputError,
      /the source has no items/,
    );
  });
});
