import { InputError } from "../../src/mod.ts";
import { assertEquals, assertRejects, withTempDir } from "../../src/testing/mod.ts";
import { checkImageFormats, imageFormatOf } from "./image_files.ts";
import type { ManifestItem } from "./manifest_types.ts";

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(
    parts.flatMap((p) => typeof p === "string" ? [...new TextEncoder().encode(p)] : p),
  );

Deno.test("imageFormatOf: the signatures of the formats the loader decodes", async () => {
  // Real files of the repository: a JPEG photo and a ShapesBench PNG.
  const photo = await Deno.readFile(
    new URL("../../data/photos/images/chelsea.jpg", import.meta.url),
  );
  assertEquals(imageFormatOf(photo.subarray(0, 32)), "JPEG");
  const [png] = [...Deno.readDirSync(new URL("../../data/shapesbench/images", import.meta.url))];
  const shape = await Deno.readFile(
    new URL(`../../data/shapesbench/images/${png.name}`, import.meta.url),
  );
  assertEquals(imageFormatOf(shape.subarray(0, 32)), "PNG");
  // Signatures from the format specifications.
  assertEquals(imageFormatOf(bytes("GIF89a", [1, 0])), "GIF");
  assertEquals(imageFormatOf(bytes("RIFF", [0, 0, 0, 0], "WEBPVP8 ")), "WebP");
  assertEquals(imageFormatOf(bytes([0x49, 0x49, 0x2a, 0x00, 8])), "TIFF");
  assertEquals(imageFormatOf(bytes([0x4d, 0x4d, 0x00, 0x2a, 0])), "TIFF");
  assertEquals(imageFormatOf(bytes([0, 0, 0, 0x1c], "ftypavif")), "AVIF");
  for (
    const other of [
      bytes("hello\n"),
      bytes(),
      bytes("<svg xmlns="),
      bytes("BM6"),
      bytes([0xff, 0xd8]),
    ]
  ) {
    assertEquals(imageFormatOf(other), undefined);
  }
});

const item = (id: string, image: string) =>
  ({ id, task: "caption", image, image_id: id, references: ["x"] }) as unknown as ManifestItem;

Deno.test("checkImageFormats: every non-image is listed with its items, valid images pass", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/images`);
    await Deno.copyFile(
      decodeURIComponent(new URL("../../data/photos/images/chelsea.jpg", import.meta.url).pathname),
      `${dir}/images/ok.jpg`,
    );
    await Deno.writeTextFile(`${dir}/images/a.png`, "hello world, not a picture");
    await Deno.writeFile(`${dir}/images/b.jpg`, new Uint8Array());
    await Deno.writeFile(`${dir}/images/c.png`, bytes([0, 1, 2, 0xfe, 0xff, 3, 4, 5, 6]));
    await checkImageFormats(dir, [item("fine", "images/ok.jpg")]);
    await assertRejects(
      () =>
        checkImageFormats(dir, [
          item("fine", "images/ok.jpg"),
          item("t1", "images/a.png"),
          item("t2", "images/a.png"),
          item("e1", "images/b.jpg"),
          item("u1", "images/c.png"),
        ]),
      InputError,
      new RegExp(
        `^3 image\\(s\\) in ${dir} are not image files:\n` +
          '  images/a\\.png is text \\(starts "hello world, not a pictu"\\), not an image ' +
          "\\(item t1, t2\\)\n" +
          "  images/b\\.jpg is an empty file, not an image \\(item e1\\)\n" +
          "  images/c\\.png is an unknown format \\(first bytes 00 01 02 fe ff 03 04 05\\), not an " +
          "image \\(item u1\\)$",
      ),
    );
  });
});
