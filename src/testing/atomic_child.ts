/**
 * A child process for the signal tests of `src/checkpoint/atomic.ts`: starts an atomic write of
 * `<final>` (a folder with one file), prints `ready` and waits to be signalled.
 *
 * `deno run --allow-read --allow-write atomic_child.ts <final>`
 *
 * @module
 */
import { writeAtomically } from "../checkpoint/mod.ts";

await writeAtomically(Deno.args[0], async (temp) => {
  await Deno.mkdir(temp);
  await Deno.writeTextFile(`${temp}/part.bin`, "partial");
  console.log("ready");
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});
