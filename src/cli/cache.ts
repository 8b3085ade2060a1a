/**
 * `nanovlm cache list` and `nanovlm cache clean`: what the graph cache holds, and removing it.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { formatBytes } from "../files/mod.ts";
import { type CacheEntry, cleanCache, defaultCacheDir, listCache } from "../runtime/mod.ts";
import { flag, numberOption, parseCommandArgs, type ParsedArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { formatTable } from "./score_output.ts";

function cacheDirOf(parsed: ParsedArgs): string {
  return stringOption(parsed, "cache-dir") ?? defaultCacheDir();
}

function entryJson(entry: CacheEntry): Record<string, unknown> {
  return { ...entry, modified: entry.modified.toISOString() };
}

function entryRows(entries: CacheEntry[]): string {
  return formatTable([
    ["entry", "kind", "size", "modified", "made from"],
    ...entries.map((e) => [
      e.name,
      e.kind,
      formatBytes(e.bytes),
      e.modified.toISOString().slice(0, 16).replace("T", " "),
      e.checkpoint ?? "",
    ]),
  ]);
}

const DIR_HELP = `  --cache-dir <dir>   the cache folder (default $NANOVLM_CACHE, else
                      $XDG_CACHE_HOME/nanovlm-lab, else ~/.cache/nanovlm-lab)
  --json              print JSON`;

/** The `cache list` command. */
export const cacheListCommand: Command = {
  name: "cache list",
  summary: "what the graph and weight cache holds, with sizes",
  help: `usage: deno task nanovlm cache list [--cache-dir <dir>] [--json]

Lists the cache folder's entries, largest first: graph folders (graphs over a checkpoint's own
weights), weight folders (converted fp16 weights and their graphs), the content-hash memo, the
demo's default model and the eval harness's response cache; with the checkpoint each was made from.
Everything in it is rebuilt on demand, so any entry may be removed (cache clean).

options:
${DIR_HELP}

example:
  deno task nanovlm cache list`,
  async run(args) {
    const parsed = parseCommandArgs("cache list", args, {
      "cache-dir": { type: "string" },
      json: { type: "boolean" },
    });
    const dir = cacheDirOf(parsed);
    const entries = await listCache(dir);
    const total = entries.reduce((sum, e) => sum + e.bytes, 0);
    if (flag(parsed, "json")) {
      console.log(JSON.stringify({ dir, bytes: total, entries: entries.map(entryJson) }, null, 2));
      return 0;
    }
    console.log(
      entries.length === 0
        ? `${dir}: empty`
        : `${dir}: ${entries.length} entries, ${formatBytes(total)}\n${entryRows(entries)}`,
    );
    return 0;
  },
};

/** The `cache clean` command. */
export const cacheCleanCommand: Command = {
  name: "cache clean",
  summary: "remove cached graphs, converted weights and responses",
  help: `usage: deno task nanovlm cache clean [--older-than <days>] [--dry-run] [--cache-dir <dir>]

Removes the cache folder's entries (all of them by default; they are rebuilt when next needed).
Only entries of this toolkit's own naming are removed: anything else found in the folder is left
and listed as "unknown" by cache list.

options:
  --older-than <days> remove only entries not modified for this many days
  --dry-run           say what would be removed, remove nothing
${DIR_HELP}

examples:
  deno task nanovlm cache clean --older-than 30
  deno task nanovlm cache clean --dry-run`,
  async run(args) {
    const parsed = parseCommandArgs("cache clean", args, {
      "cache-dir": { type: "string" },
      "older-than": { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    });
    if (parsed.positionals.length > 0) {
      throw new InputError(
        `cache clean: unexpected argument "${parsed.positionals[0]}"`,
        "name the folder with --cache-dir",
      );
    }
    const dir = cacheDirOf(parsed);
    const dryRun = flag(parsed, "dry-run");
    const removed = await cleanCache(dir, {
      olderThanDays: numberOption(parsed, "older-than", { min: 0 }),
      dryRun,
    });
    const total = removed.reduce((sum, e) => sum + e.bytes, 0);
    if (flag(parsed, "json")) {
      console.log(JSON.stringify(
        { dir, dryRun, bytes: total, entries: removed.map(entryJson) },
        null,
        2,
      ));
      return 0;
    }
    const verb = dryRun ? "would remove" : "removed";
    console.log(
      removed.length === 0
        ? `${dir}: nothing to remove`
        : `${dir}: ${verb} ${removed.length} entries, ${formatBytes(total)}\n${entryRows(removed)}`,
    );
    return 0;
  },
};
