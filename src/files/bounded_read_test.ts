import { ConfigError, InputError } from "../errors.ts";
import { assertEquals, assertRejects, withTempDir } from "../testing/mod.ts";
import { readBoundedFile, readBoundedText } from "./bounded_read.ts";

const limit = { maxBytes: 16, what: "config.json" };

Deno.test("bounded read: a regular file within the cap is read whole", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.json`, '{"a": "é"}');
    assertEquals(await readBoundedText(`${dir}/a.json`, limit), '{"a": "é"}');
    await Deno.writeFile(`${dir}/empty`, new Uint8Array());
    assertEquals((await readBoundedFile(`${dir}/empty`, limit)).length, 0);
  });
});

Deno.test("bounded read: a file over the cap is refused before reading", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/big`, new Uint8Array(17));
    await assertRejects(
      () => readBoundedFile(`${dir}/big`, limit),
      InputError,
      /config\.json .*big is 17 bytes, over the 16 bytes a config\.json may hold/,
    );
  });
});

Deno.test("bounded read: /dev/zero (endless) and a FIFO (would block) are refused at once", async () => {
  await assertRejects(
    () => readBoundedFile("/dev/zero", limit),
    InputError,
    /\/dev\/zero is a character device, not a regular file/,
  );
  await withTempDir(async (dir) => {
    const fifo = `${dir}/pipe`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output().catch(() => null);
    if (!made?.success) {
      console.warn("SKIPPED the FIFO case: mkfifo is unavailable");
      return;
    }
    await assertRejects(
      () => readBoundedFile(fifo, limit),
      InputError,
      /pipe is a FIFO \(named pipe\), not a regular file/,
    );
  });
});

Deno.test("bounded read: missing, empty, folder, unreadable and non-UTF-8 paths are named", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      () => readBoundedFile(`${dir}/nope`, { ...limit, errorClass: ConfigError }),
      ConfigError,
      /config\.json not found: .*nope/,
    );
    await assertRejects(() => readBoundedFile("", limit), InputError, /the path is empty/);
    await assertRejects(
      () => readBoundedFile(dir, limit),
      InputError,
      /is a folder, not a regular/,
    );
    await Deno.writeFile(`${dir}/latin1`, new Uint8Array([0x7b, 0xe9, 0x7d]));
    await assertRejects(() => readBoundedText(`${dir}/latin1`, limit), InputError, /not UTF-8/);
    if (Deno.uid() !== 0) {
      await Deno.writeTextFile(`${dir}/secret`, "{}");
      await Deno.chmod(`${dir}/secret`, 0o000);
      await assertRejects(
        () => readBoundedFile(`${dir}/secret`, limit),
        InputError,
        /cannot be read: permission denied/,
      );
    }
  });
});
