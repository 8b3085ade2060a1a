/**
 * Test support: headless Chromium driven through the DevTools protocol over a pipe
 * (`--remote-debugging-pipe`: no port, no network). {@link HeadlessChromium.check} loads an HTML
 * file and reports console errors, uncaught exceptions, error log entries (failed loads, CSP) and
 * every request that left the page, with a full-page screenshot.
 *
 * @module
 */

/** What a page did while loading. */
export interface PageCheck {
  /** Console errors, uncaught exceptions and error log entries, as text. */
  errors: string[];
  /** URLs the page requested other than the page itself and `data:` URLs. */
  requests: string[];
  /** PNG bytes of the full page. */
  screenshot: Uint8Array;
  /** Page title. */
  title: string;
  /** The value of the `probe` expression, evaluated after load. */
  probe?: unknown;
}

/** Options of {@link HeadlessChromium.check}. */
export interface CheckOptions {
  /** Viewport width in CSS pixels (default 1200). */
  width?: number;
  /** A JavaScript expression evaluated in the page after load; its value is returned. */
  probe?: string;
}

/** The Chromium executable, or undefined when none is installed. */
export async function findChromium(): Promise<string | undefined> {
  for (const path of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) {
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

function summarize(events: Message[], url: string): { errors: string[]; requests: string[] } {
  const errors: string[] = [];
  const requests: string[] = [];
  for (const { method, params: p = {} } of events) {
    if (method === "Runtime.consoleAPICalled" && ["error", "assert"].includes(p.type as string)) {
      errors.push(`console.${p.type}: ${JSON.stringify(p.args ?? [])}`);
    } else if (method === "Runtime.exceptionThrown") {
      errors.push(`exception: ${JSON.stringify(p.exceptionDetails)}`);
    } else if (method === "Log.entryAdded") {
      const entry = p.entry as { level: string; text: string; url?: string };
      if (entry.level === "error") errors.push(`log: ${entry.text} ${entry.url ?? ""}`);
    } else if (method === "Network.requestWillBeSent") {
      const requested = (p.request as { url: string }).url;
      if (requested !== url && !requested.startsWith("data:")) requests.push(requested);
    } else if (method === "Network.loadingFailed") {
      errors.push(`load failed: ${p.errorText}`);
    }
  }
  return { errors, requests };
}

/** A headless Chromium process; {@link HeadlessChromium.close} ends it. */
export class HeadlessChromium {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pump: Promise<void>;
  #profile: string;
  #nextId = 1;
  #pending = new Map<number, (m: Message) => void>();
  #listeners = new Set<(m: Message) => void>();

  private constructor(child: Deno.ChildProcess, profile: string) {
    this.#child = child;
    this.#profile = profile;
    this.#writer = child.stdin.getWriter();
    this.#pump = this.#read(child.stdout.getReader());
  }

  /** Starts Chromium at `executable` with a fresh profile. */
  static async launch(executable: string): Promise<HeadlessChromium> {
    const profile = await Deno.makeTempDir({ prefix: "nanovlm-chromium-" });
    // Chromium reads protocol messages on fd 3 and writes them on fd 4: map them to our pipes.
    const child = new Deno.Command("bash", {
      args: [
        "-c",
        'exec "$0" --headless=new --no-sandbox --disable-gpu --no-first-run ' +
        '--no-default-browser-check --user-data-dir="$1" --remote-debugging-pipe ' +
        "3<&0 4>&1 1>/dev/null 2>/dev/null",
        executable,
        profile,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    return new HeadlessChromium(child, profile);
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\0")) >= 0) {
        const message = JSON.parse(buffer.slice(0, end)) as Message;
        buffer = buffer.slice(end + 1);
        if (message.id !== undefined) this.#pending.get(message.id)?.(message);
        else for (const listener of this.#listeners) listener(message);
      }
    }
  }

  async #send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const reply = new Promise<Message>((resolve) => this.#pending.set(id, resolve));
    const line = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    await this.#writer.write(new TextEncoder().encode(line + "\0"));
    const message = await reply;
    this.#pending.delete(id);
    if (message.error) throw new Error(`chromium ${method}: ${message.error.message}`);
    return message.result ?? {};
  }

  /** Loads `htmlPath` in a new tab and reports what went wrong there, with a screenshot. */
  async check(htmlPath: string, { width = 1200, probe }: CheckOptions = {}): Promise<PageCheck> {
    const { targetId } = await this.#send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.#send("Target.attachToTarget", {
      targetId,
      flatten: true,
    }) as {
      sessionId: string;
    };
    const events: Message[] = [];
    let onLoad = () => {};
    const loaded = new Promise<void>((resolve) => (onLoad = resolve));
    const listener = (m: Message) => {
      if (m.sessionId !== sessionId) return;
      events.push(m);
      if (m.method === "Page.loadEventFired") onLoad();
    };
    this.#listeners.add(listener);
    try {
      for (const domain of ["Runtime", "Log", "Network", "Page"]) {
        await this.#send(`${domain}.enable`, {}, sessionId);
      }
      const metrics = (height: number) =>
        this.#send("Emulation.setDeviceMetricsOverride", {
          width,
          height,
          deviceScaleFactor: 1,
          mobile: false,
        }, sessionId);
      await metrics(800);
      const url = new URL(`file://${await Deno.realPath(htmlPath)}`).href;
      await this.#send("Page.navigate", { url }, sessionId);
      await loaded;
      const evaluate = async (expression: string) =>
        ((await this.#send("Runtime.evaluate", { expression, returnByValue: true }, sessionId)) as {
          result: { value: unknown };
        }).result.value;
      const title = String(await evaluate("document.title"));
      const probed = probe === undefined ? undefined : await evaluate(probe);
      const layout = await this.#send("Page.getLayoutMetrics", {}, sessionId) as {
        cssContentSize: { height: number };
      };
      await metrics(Math.ceil(layout.cssContentSize.height));
      const shot = await this.#send("Page.captureScreenshot", { format: "png" }, sessionId) as {
        data: string;
      };
      return {
        ...summarize(events, url),
        title,
        ...(probe === undefined ? {} : { probe: probed }),
        screenshot: Uint8Array.from(atob(shot.data), (c) => c.charCodeAt(0)),
      };
    } finally {
      this.#listeners.delete(listener);
      await this.#send("Target.closeTarget", { targetId }).catch(() => ({}));
    }
  }

  /** Ends the browser and removes its profile. */
  async close(): Promise<void> {
    // Browser.close may end the process before it answers: do not wait for the reply.
    this.#send("Browser.close").catch(() => ({}));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.#child.status.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000))),
    ]);
    clearTimeout(timer);
    if (!exited) this.#child.kill("SIGKILL");
    await this.#child.status;
    await this.#writer.close().catch(() => {});
    await this.#pump.catch(() => {});
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}
