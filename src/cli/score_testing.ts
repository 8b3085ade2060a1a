/**
 * Test helper for the `score` commands: runs a command and captures what it prints.
 *
 * @module
 */
import type { Command } from "./command.ts";

/** Runs `command` with `args`, capturing `console.log` output; returns exit code and text. */
export async function runCaptured(
  command: Command,
  args: string[],
): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
  try {
    const code = await command.run(args);
    return { code, stdout: lines.join("\n") };
  } finally {
    console.log = original;
  }
}

/** Writes `value` as JSON to `dir/name` and returns the path. */
export async function writeJson(dir: string, name: string, value: unknown): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
}
