/**
 * Progress of a run on stderr: a bar redrawn in place on a terminal (items/s, ETA, current cell
 * and task), quiet lines elsewhere (CI logs: at most one every 10 s per task, and at its end).
 *
 * @module
 */

/** Receives a run's progress. */
export interface Progress {
  /** A task of a cell starts: `total` items, `done` already recorded (resume). */
  start(cell: string, task: string, total: number, done: number): void;
  /** `n` more items are recorded (`cached` of them from the response cache). */
  tick(n: number, cached: number): void;
  /** The task ended. */
  end(): void;
  /** A note (a line of its own). */
  note(text: string): void;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

class Tracker {
  cell = "";
  task = "";
  total = 0;
  done = 0;
  cached = 0;
  private begin = 0;
  private startDone = 0;

  start(cell: string, task: string, total: number, done: number): void {
    Object.assign(this, { cell, task, total, done, cached: 0, startDone: done });
    this.begin = performance.now();
  }

  rate(): number {
    const seconds = (performance.now() - this.begin) / 1000;
    return seconds > 0 ? (this.done - this.startDone) / seconds : 0;
  }

  status(): string {
    const rate = this.rate();
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    return `${this.done}/${this.total} ${rate.toFixed(1)} items/s ETA ${clock(eta)}${
      this.cached ? ` (${this.cached} cached)` : ""
    }`;
  }
}

const encoder = new TextEncoder();
const write = (text: string) => Deno.stderr.writeSync(encoder.encode(text));

/** A bar redrawn in place (for a terminal). */
export function terminalProgress(): Progress {
  const t = new Tracker();
  const draw = () => {
    const width = 24;
    const filled = t.total ? Math.round((width * t.done) / t.total) : width;
    write(
      `\r\x1b[2K[${t.cell}] ${t.task} ${"█".repeat(filled)}${
        "░".repeat(width - filled)
      } ${t.status()}`,
    );
  };
  return {
    start(cell, task, total, done) {
      t.start(cell, task, total, done);
      draw();
    },
    tick(n, cached) {
      t.done += n;
      t.cached += cached;
      draw();
    },
    end() {
      draw();
      write("\n");
    },
    note(text) {
      write(`\r\x1b[2K${text}\n`);
    },
  };
}

/** Quiet lines (for logs): one when a task starts, at most one per 10 s, one when it ends. */
export function lineProgress(intervalMs = 10_000): Progress {
  const t = new Tracker();
  let last = 0;
  const line = () => write(`${t.cell} ${t.task} ${t.status()}\n`);
  return {
    start(cell, task, total, done) {
      t.start(cell, task, total, done);
      last = performance.now();
      write(`${cell} ${task}: ${total} items${done ? `, ${done} already recorded` : ""}\n`);
    },
    tick(n, cached) {
      t.done += n;
      t.cached += cached;
      if (performance.now() - last >= intervalMs) {
        last = performance.now();
        line();
      }
    },
    end: line,
    note: (text) => write(`${text}\n`),
  };
}

/** No output. */
export const silentProgress: Progress = {
  start() {},
  tick() {},
  end() {},
  note() {},
};

/** The bar on a terminal (not in CI), lines otherwise. */
export function defaultProgress(): Progress {
  return Deno.stderr.isTerminal() && !Deno.env.get("CI") ? terminalProgress() : lineProgress();
}
