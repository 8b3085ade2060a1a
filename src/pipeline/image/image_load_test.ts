import sharp from "sharp";
import { InputError } from "../../errors.ts";
import { assertEquals, assertRejects, withTempDir } from "../../testing/mod.ts";
import { loadImage } from "./image_load.ts";

/** Encodes raw interleaved pixels with sharp (lossless formats keep them exactly). */
function fromRaw(
  data: Uint8Array | Uint16Array,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
) {
  return sharp(data, { raw: { width, height, channels } });
}

const RGB = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 100, 50, 7, 8, 9]);

Deno.test("loadImage: alpha is dropped without compositing (hidden RGB under alpha 0 kept)", async () => {
  const rgba = new Uint8Array([5, 200, 0, 0, 15, 199, 33, 128, 25, 198, 66, 255, 35, 197, 99, 0]);
  const png = await fromRaw(rgba, 2, 2, 4).png().toBuffer();
  const image = await loadImage(png);
  assertEquals([image.width, image.height], [2, 2]);
  assertEquals(Array.from(image.data), [5, 200, 0, 15, 199, 33, 25, 198, 66, 35, 197, 99]);
});

Deno.test("loadImage: grayscale and grayscale+alpha are expanded to RGB", async () => {
  const gray = await fromRaw(new Uint8Array([0, 50, 100, 255]), 2, 2, 1).toColourspace("b-w").png()
    .toBuffer();
  assertEquals((await sharp(gray).metadata()).channels, 1);
  assertEquals(Array.from((await loadImage(gray)).data), [
    0,
    0,
    0,
    50,
    50,
    50,
    100,
    100,
    100,
    255,
    255,
    255,
  ]);
  const grayAlpha = await fromRaw(new Uint8Array([30, 0, 60, 255]), 2, 1, 2).toColourspace("b-w")
    .png()
    .toBuffer();
  assertEquals((await sharp(grayAlpha).metadata()).channels, 2);
  assertEquals(Array.from((await loadImage(grayAlpha)).data), [30, 30, 30, 60, 60, 60]);
});

Deno.test("loadImage: palette PNG is expanded to its palette colours", async () => {
  const png = await fromRaw(RGB, 3, 2, 3).png({ palette: true, colours: 8, dither: 0 }).toBuffer();
  assertEquals((await sharp(png).metadata()).isPalette, true);
  assertEquals(Array.from((await loadImage(png)).data), Array.from(RGB));
});

Deno.test("loadImage: 16-bit colour keeps the high byte; 16-bit gray clips as Pillow's mode I", async () => {
  const rgb16 = new Uint16Array([0, 100, 255, 256, 1000, 65535, 0x1234, 0xabff, 0xff00]);
  const png16 = await fromRaw(rgb16, 3, 1, 3).toColourspace("rgb16").png().toBuffer();
  assertEquals((await sharp(png16).metadata()).depth, "ushort");
  assertEquals(Array.from((await loadImage(png16)).data), [0, 0, 0, 1, 3, 255, 0x12, 0xab, 0xff]);
  const gray16 = new Uint16Array([0, 100, 255, 256, 1000, 65535]);
  const pngGray = await fromRaw(gray16, 6, 1, 1).toColourspace("grey16").png().toBuffer();
  assertEquals((await sharp(pngGray).metadata()).space, "grey16");
  const expected = [0, 100, 255, 255, 255, 255].flatMap((v) => [v, v, v]);
  assertEquals(Array.from((await loadImage(pngGray)).data), expected);
});

/** A minimal uncompressed little-endian CMYK TIFF holding `pixels` (4 bytes each) in one row. */
function cmykTiff(pixels: number[]): Uint8Array {
  const width = pixels.length / 4;
  const entries: [number, number, number, number][] = [
    [256, 3, 1, width], // ImageWidth
    [257, 3, 1, 1], // ImageLength
    [258, 3, 4, 0], // BitsPerSample -> offset patched below
    [259, 3, 1, 1], // Compression: none
    [262, 3, 1, 5], // PhotometricInterpretation: separated (CMYK)
    [273, 4, 1, 0], // StripOffsets -> patched
    [277, 3, 1, 4], // SamplesPerPixel
    [278, 3, 1, 1], // RowsPerStrip
    [279, 4, 1, pixels.length], // StripByteCounts
    [284, 3, 1, 1], // PlanarConfiguration: chunky
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const bitsAt = 8 + ifdSize, dataAt = bitsAt + 8;
  entries[2][3] = bitsAt;
  entries[5][3] = dataAt;
  const bytes = new Uint8Array(dataAt + pixels.length);
  const view = new DataView(bytes.buffer);
  bytes.set([0x49, 0x49, 42, 0]);
  view.setUint32(4, 8, true);
  view.setUint16(8, entries.length, true);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12;
    view.setUint16(at, tag, true);
    view.setUint16(at + 2, type, true);
    view.setUint32(at + 4, count, true);
    if (type === 3 && count === 1) view.setUint16(at + 8, value, true);
    else view.setUint32(at + 8, value, true);
  });
  for (let i = 0; i < 4; i++) view.setUint16(bitsAt + 2 * i, 8, true);
  bytes.set(pixels, dataAt);
  return bytes;
}

Deno.test("loadImage: CMYK uses Pillow's cmyk2rgb, not an ICC transform", async () => {
  const tiff = cmykTiff([0, 0, 0, 0, 255, 0, 0, 0, 0, 128, 0, 64, 10, 20, 30, 250]);
  assertEquals((await sharp(tiff).metadata()).space, "cmyk");
  // nk = 255 - K; out = nk - MULDIV255(C, nk): e.g. (0,128,0,64): nk 191, G = 191 - 96 = 95;
  // (10,20,30,250): nk 5, B = 5 - MULDIV255(30, 5) = 5 - 1 = 4.
  assertEquals(
    Array.from((await loadImage(tiff)).data),
    [255, 255, 255, 0, 255, 255, 191, 95, 191, 5, 5, 4],
  );
});

Deno.test("loadImage: lossless WebP, TIFF, GIF and a file path decode exactly", async () => {
  const raw = fromRaw(RGB, 3, 2, 3);
  const encoded = [
    await raw.clone().webp({ lossless: true }).toBuffer(),
    await raw.clone().tiff({ compression: "lzw" }).toBuffer(),
    await raw.clone().gif({ dither: 0 }).toBuffer(),
  ];
  for (const bytes of encoded) {
    const image = await loadImage(bytes);
    assertEquals([image.width, image.height, Array.from(image.data)], [3, 2, Array.from(RGB)]);
  }
  await withTempDir(async (dir) => {
    const path = `${dir}/x.png`;
    await raw.clone().png().toFile(path);
    assertEquals(Array.from((await loadImage(path)).data), Array.from(RGB));
    // A sharp instance is accepted as it is.
    assertEquals(Array.from((await loadImage(sharp(path))).data), Array.from(RGB));
  });
});

Deno.test("loadImage: AVIF decodes; JPEG EXIF orientation only applied when asked", async () => {
  const avif = await fromRaw(new Uint8Array(8 * 4 * 3).fill(128), 8, 4, 3).avif({ lossless: true })
    .toBuffer();
  const decoded = await loadImage(avif);
  assertEquals([decoded.width, decoded.height], [8, 4]);
  const jpeg = await fromRaw(new Uint8Array(8 * 4 * 3).fill(90), 8, 4, 3).jpeg()
    .withMetadata({ orientation: 6 }).toBuffer();
  const plain = await loadImage(jpeg);
  assertEquals([plain.width, plain.height], [8, 4]);
  const rotated = await loadImage(jpeg, { applyExifOrientation: true });
  assertEquals([rotated.width, rotated.height], [4, 8]);
});

Deno.test("loadImage: undecodable, missing, empty, too large and too small inputs are InputErrors", async () => {
  await assertRejects(
    () => loadImage(new TextEncoder().encode("not an image")),
    InputError,
    /cannot decode/,
  );
  await assertRejects(() => loadImage("/nonexistent/image.png"), InputError, /not found/);
  await assertRejects(() => loadImage(new Uint8Array(0)), InputError, /empty/);
  const png = await fromRaw(RGB, 3, 2, 3).png().toBuffer();
  await assertRejects(
    () => loadImage(png, { maxPixels: 5 }),
    InputError,
    /3x2 = 6 pixels, over the limit of 5/,
  );
  await assertRejects(
    () => loadImage(png, { minSide: 3 }),
    InputError,
    /smaller than the minimum side 3/,
  );
  const truncated = png.subarray(0, 40);
  await assertRejects(() => loadImage(truncated), InputError, /cannot decode/);
  await assertRejects(
    () => loadImage(42 as unknown as Uint8Array),
    InputError,
    /unsupported image input/,
  );
});

Deno.test("loadImage: SVG is refused unless allowed (it can read files it names)", async () => {
  const svg = new TextEncoder().encode(
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' +
      'width="4" height="4"><image xlink:href="secret.png" width="4" height="4"/></svg>',
  );
  await assertRejects(() => loadImage(svg), InputError, /SVG images are refused/);
  const image = await loadImage(svg, { allowSvg: true });
  assertEquals([image.width, image.height], [4, 4]);
});

Deno.test("loadImage: empty path, folder, FIFO and empty file are named errors", async () => {
  await assertRejects(() => loadImage(""), InputError, /image: the path is empty/);
  await withTempDir(async (dir) => {
    await assertRejects(() => loadImage(dir), InputError, /is a folder, not a regular file/);
    await Deno.writeFile(`${dir}/empty.png`, new Uint8Array());
    await assertRejects(() => loadImage(`${dir}/empty.png`), InputError, /is an empty file/);
    const fifo = `${dir}/pipe.png`;
    if ((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success) {
      await assertRejects(() => loadImage(fifo), InputError, /FIFO \(named pipe\)/);
    }
  });
});
