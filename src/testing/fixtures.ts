/**
 * Test helpers for the shared reference fixtures at `../shared/fixtures` (beside the repository),
 * made by the original PyTorch nanoVLM code. They are never copied into the repository; tests
 * that need them are skipped with a loud message when the folder is absent.
 *
 * @module
 */

import { FIXTURES_DIR } from "../parity/mod.ts";

export { FIXTURES_DIR };

/** The three reference fixtures, by generation. */
export const REFERENCE_FIXTURES = ["v0.1-tiny", "v0.2-tiny", "head-tiny"] as const;

let present: boolean | undefined;

/** Whether the shared fixtures folder exists; warns loudly (once) when it does not. */
export function fixturesPresent(): boolean {
  if (present === undefined) {
    try {
      present = Deno.statSync(FIXTURES_DIR).isDirectory;
    } catch {
      present = false;
    }
    if (!present) {
      console.warn(
        `\n!!! SKIPPING fixture tests: ${FIXTURES_DIR} not found.\n` +
          "!!! Parity with the original PyTorch code is NOT being checked.\n" +
          "!!! Set NANOVLM_FIXTURES or place shared/fixtures beside the repository.\n",
      );
    }
  }
  return present;
}

/** Path of a file or folder inside the shared fixtures. */
export function fixturePath(...parts: string[]): string {
  return [FIXTURES_DIR, ...parts].join("/");
}

/** Registers a Deno test that needs the shared fixtures; it is skipped (loudly) when absent. */
export function fixtureTest(name: string, fn: (t: Deno.TestContext) => void | Promise<void>): void {
  Deno.test({ name, ignore: !fixturesPresent(), fn });
}
