import { assert, assertEquals } from "../testing/mod.ts";
import { COMMANDS } from "./commands.ts";
import { groupHelp, runCli } from "./main.ts";

/** Runs the CLI with console output captured. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.join(" "));
  try {
    const code = await runCli(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("cli: `score --help` and `dataset --help` list their subcommands", async () => {
  for (const group of ["score", "dataset"]) {
    const { code, out } = await cli([group, "--help"]);
    assertEquals(code, 0, `${group} --help`);
    const members = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
    assert(members.length >= 2, `${group} has subcommands`);
    for (const member of members) assert(out.includes(member.name), `${member.name} in ${out}`);
    assert(!out.includes("unknown command"));
  }
});

Deno.test("cli: a group without a subcommand, or with a wrong one, says which exist", async () => {
  const bare = await cli(["score"]);
  assertEquals(bare.code, 2);
  assert(bare.err.includes('"score" needs a subcommand'), bare.err);
  assert(bare.err.includes("score captions"), bare.err);
  const wrong = await cli(["dataset", "frobnicate"]);
  assertEquals(wrong.code, 2);
  assert(wrong.err.includes('"frobnicate" is not one'), wrong.err);
  assert(wrong.err.includes("dataset check"), wrong.err);
});

Deno.test("cli: groupHelp knows no group for a one-word command or an unknown word", () => {
  assertEquals(groupHelp("info"), undefined);
  assertEquals(groupHelp("frobnicate"), undefined);
});

Deno.test("cli: every help text stands on its own (no spec sections or files outside the repo)", () => {
  for (const command of COMMANDS) {
    assert(!/§|metrics\.md|nanovlm\.md|shared\/spec/.test(command.help), `${command.name} --help`);
  }
});
