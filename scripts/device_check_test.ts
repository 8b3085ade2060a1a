import { assert, assertEquals, withTempDir } from "../src/testing/mod.ts";

/** Whether this machine has an NVIDIA GPU (then the script would run the full check, minutes). */
async function hasGpu(): Promise<boolean> {
  try {
    const out = await new Deno.Command("nvidia-smi", { args: ["-L"], stdout: "piped" }).output();
    return out.success && new TextDecoder().decode(out.stdout).includes("GPU");
  } catch {
    return false;
  }
}

Deno.test("device-check.sh: without a GPU it says so, runs doctor, prints the summary and exits 0", async () => {
  if (await hasGpu()) {
    console.warn("SKIPPED: this machine has a GPU; run scripts/device-check.sh itself");
    return;
  }
  await withTempDir(async (out) => {
    const root = new URL("..", import.meta.url).pathname;
    const run = await new Deno.Command("bash", {
      args: [`${root}scripts/device-check.sh`, "--out", out],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(run.stdout);
    assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
    assert(/\| gpu \| no GPU \|/.test(text), text);
    assert(/\| doctor \| pass \| \d+ \| execution providers cpu: available/.test(text), text);
    assertEquals(Deno.readTextFileSync(`${out}/summary.md`), text);
    assert(Deno.readTextFileSync(`${out}/doctor.log`).includes("intra-op threads"));
  });
});
