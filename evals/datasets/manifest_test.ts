import { join } from "node:path";
import { InputError } from "../../src/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
  withTempDir,
} from "../../src/testing/mod.ts";
import { loadDataset } from "./load.ts";
import type { DatasetInfo, ManifestItem } from "./manifest_types.ts";
import { parseManifest, validateDatasetInfo } from "./manifest_validate.ts";
import { writeDataset } from "./write.ts";

const INFO: DatasetInfo = {
  name: "tiny",
  version: "1",
  tasks: ["caption", "vqa", "mcq", "retrieval"],
  license: "CC0-1.0",
  source: "hand-written test data",
};

const ITEMS: ManifestItem[] = [
  { id: "c1", task: "caption", image: "images/a.png", image_id: 1, references: ["a cat"] },
  {
    id: "v1",
    task: "vqa",
    image: "images/a.png",
    image_id: 1,
    question_id: 10,
    question: "Is it a cat?",
    answers: ["yes", "yes"],
  },
  {
    id: "m1",
    task: "mcq",
    image: "images/b.png",
    image_id: "b",
    question: "Which animal?",
    options: { A: "cat", B: "dog" },
    answer: "A",
  },
  { id: "r1", task: "retrieval", image: "images/b.png", image_id: "b", captions: ["x", "y"] },
];

const line = (item: unknown) => JSON.stringify(item);

Deno.test("manifest: a line with a bad field names the line and the field", () => {
  const bad = { ...ITEMS[1], answers: [] };
  assertThrows(
    () => parseManifest(`${line(ITEMS[0])}\n\n${line(bad)}\n`),
    InputError,
    /manifest\.jsonl line 3: field "answers" must be a non-empty array/,
  );
  assertThrows(
    () => parseManifest(`${line({ ...ITEMS[2], answer: "C" })}`),
    InputError,
    /line 1: field "answer" "C" is not one of the options A, B/,
  );
  assertThrows(
    () => parseManifest(`${line({ ...ITEMS[2], options: { A: "x", C: "y" } })}`),
    InputError,
    /line 1: field "options" must have keys A, B/,
  );
  assertThrows(() => parseManifest(`{"id": 1`), InputError, /line 1: not valid JSON/);
  assertThrows(
    () => parseManifest(`${line(ITEMS[0])}\n${line(ITEMS[0])}`),
    InputError,
    /line 2: field "id" "c1" repeats the id of line 1/,
  );
  assertThrows(
    () => parseManifest(line(ITEMS[0]), "m.jsonl", ["vqa"]),
    InputError,
    /m\.jsonl line 1: field "task" "caption" is not listed/,
  );
});

Deno.test("manifest: image paths may not escape the dataset folder", () => {
  for (const image of ["../x.png", "images/../../x.png", "/etc/passwd", "C:/x.png", "a\\b.png"]) {
    assertThrows(
      () => parseManifest(line({ ...ITEMS[0], image })),
      InputError,
      /line 1: field "image"/,
    );
  }
});

Deno.test("manifest: VQA answer dicts are reduced to their text", () => {
  const dicts = { ...ITEMS[1], answers: [{ answer: "yes", answer_id: 1 }, { answer: "no" }] };
  const [item] = parseManifest(line(dicts));
  assertEquals((item as { answers: string[] }).answers, ["yes", "no"]);
});

Deno.test("dataset.json: missing and malformed fields are named", () => {
  assertThrows(
    () => validateDatasetInfo({ ...INFO, tasks: ["caption", "ocr"] }),
    InputError,
    /field "tasks\[1\]" unknown task ocr/,
  );
  const { license: _, ...noLicense } = INFO;
  assertThrows(() => validateDatasetInfo(noLicense), InputError, /field "license"/);
});

Deno.test("write + load: round trip, hashes, all missing images at once", async () => {
  await withTempDir(async (tmp) => {
    const dir = join(tmp, "ds");
    const images = new Map([
      ["images/a.png", new Uint8Array([1, 2, 3])],
      ["images/b.png", new Uint8Array([4, 5])],
    ]);
    await writeDataset(dir, INFO, ITEMS, images);
    const loaded = await loadDataset(dir, { verifyHashes: true });
    assertEquals(loaded.info, INFO);
    assertEquals(loaded.items, ITEMS);
    // sha256("\x01\x02\x03"), computed independently with `printf '\1\2\3' | sha256sum`.
    const sums = await Deno.readTextFile(join(dir, "images.sha256"));
    assert(
      sums.startsWith(
        "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81  images/a.png",
      ),
    );
    await assertRejects(() => writeDataset(dir, INFO, ITEMS, images), InputError, /already exists/);

    await Deno.writeFile(join(dir, "images/b.png"), new Uint8Array([9]));
    await assertRejects(
      () => loadDataset(dir, { verifyHashes: true }),
      InputError,
      /do not match .*\n {2}images\/b\.png: expected/,
    );
    await Deno.remove(join(dir, "images"), { recursive: true });
    const error = await assertRejects(() => loadDataset(dir), InputError, /missing images/);
    assert(/\(2\):\n {2}images\/a\.png\n {2}images\/b\.png/.test(error.message), error.message);
  });
});

Deno.test("load: a symbolic link may not lead out of the dataset folder", async () => {
  await withTempDir(async (tmp) => {
    const dir = join(tmp, "ds");
    await writeDataset(
      dir,
      { ...INFO, tasks: ["caption"] },
      [ITEMS[0]],
      new Map([["images/a.png", new Uint8Array([1])]]),
    );
    await Deno.writeFile(join(tmp, "outside.png"), new Uint8Array([1]));
    await Deno.remove(join(dir, "images/a.png"));
    await Deno.symlink(join(tmp, "outside.png"), join(dir, "images/a.png"));
    await assertRejects(() => loadDataset(dir), InputError, /images outside the dataset folder/);
  });
});

Deno.test("write: bad items or unmatched images leave nothing behind", async () => {
  await withTempDir(async (tmp) => {
    const dir = join(tmp, "ds");
    await assertRejects(
      () => writeDataset(dir, INFO, ITEMS, new Map([["images/a.png", new Uint8Array([1])]])),
      InputError,
      /1 named by items but not given \(images\/b\.png\)/,
    );
    const badItem = { ...ITEMS[0], references: [] } as ManifestItem;
    await assertRejects(
      () => writeDataset(dir, INFO, [badItem], new Map()),
      InputError,
      /references/,
    );
    assertEquals([...Deno.readDirSync(tmp)].length, 0);
  });
});

Deno.test("write: extra files land beside dataset.json and may not escape it", async () => {
  await withTempDir(async (tmp) => {
    const info = { ...INFO, tasks: ["caption" as const] };
    const images = new Map([["images/a.png", new Uint8Array([1])]]);
    const readme = new Map([["README.md", "# tiny\n"]]);
    await writeDataset(join(tmp, "ds"), info, [ITEMS[0]], images, { extraFiles: readme });
    assertEquals(await Deno.readTextFile(join(tmp, "ds/README.md")), "# tiny\n");
    await assertRejects(
      () =>
        writeDataset(join(tmp, "ds2"), info, [ITEMS[0]], images, {
          extraFiles: new Map([["../evil.md", "x"]]),
        }),
      InputError,
      /escapes the dataset folder/,
    );
    assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), ["ds"]);
  });
});
