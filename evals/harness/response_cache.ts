/**
 * The response cache: model outputs of deterministic requests, keyed by a fingerprint of
 * everything that shapes them (see `fingerprint.ts`). One append-only JSONL file per model and
 * build under `<cache dir>/eval-responses/`, read into memory when a cell starts. A torn last line
 * (a killed run) is ignored; an entry whose key repeats keeps the first value.
 *
 * @module
 */
import type { EvalRecord } from "./types.ts";

/** What is cached of a record: the model's output, not its latency or scores. */
export type CachedResponse = Pick<
  EvalRecord,
  "prediction" | "tokens" | "stopReason" | "options" | "text" | "row"
>;

const encoder = new TextEncoder();

/** An open response cache file. */
export class ResponseCache {
  private constructor(
    private readonly entries: Map<string, CachedResponse>,
    private file: Deno.FsFile | undefined,
    /** The cache file. */
    readonly path: string,
  ) {}

  /** Opens (and reads) the cache file at `path`; its folder is created on the first write. */
  static async open(path: string): Promise<ResponseCache> {
    const entries = new Map<string, CachedResponse>();
    let text = "";
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const lines = text.split("\n");
    for (const line of lines.slice(0, -1)) {
      try {
        const { key, response } = JSON.parse(line);
        if (typeof key === "string" && response && !entries.has(key)) entries.set(key, response);
      } catch {
        // A damaged line is skipped: that request is simply run again.
      }
    }
    return new ResponseCache(entries, undefined, path);
  }

  /** Number of cached responses. */
  get size(): number {
    return this.entries.size;
  }

  /** The cached response for a key. */
  get(key: string): CachedResponse | undefined {
    return this.entries.get(key);
  }

  /**
   * Adds responses (one write). An empty one (the model's first token was end-of-sequence) is
   * an output like any other and is cached too.
   */
  async put(items: readonly { key: string; response: CachedResponse }[]): Promise<void> {
    const fresh = items.filter(({ key }) => !this.entries.has(key));
    if (fresh.length === 0) return;
    if (!this.file) {
      await Deno.mkdir(this.path.slice(0, this.path.lastIndexOf("/")), { recursive: true });
      this.file = await Deno.open(this.path, { create: true, append: true });
    }
    const bytes = encoder.encode(fresh.map((e) => JSON.stringify(e) + "\n").join(""));
    let written = 0;
    while (written < bytes.length) written += this.file.writeSync(bytes.subarray(written));
    for (const { key, response } of fresh) this.entries.set(key, response);
  }

  /** Closes the file. */
  close(): void {
    this.file?.close();
    this.file = undefined;
  }
}
