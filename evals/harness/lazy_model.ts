/**
 * The model of a cell, loaded on first use (a fully cached cell never loads it), with its load
 * time and the timer its session runs report to.
 *
 * @module
 */
import type { NanoVLM } from "../../src/mod.ts";
import { CallTimer } from "./perf.ts";

/** Loads the model on first use, timing it. */
export class LazyModel {
  /** The model, once loaded. */
  model?: NanoVLM;
  /** How long loading took (null until loaded). */
  loadMs: number | null = null;
  /** Times the model's calls. */
  readonly timer = new CallTimer();

  /** `load` opens the model with the timer's `onRun`. */
  constructor(private readonly load: (onRun: CallTimer["onRun"]) => Promise<NanoVLM>) {}

  /** The model, loaded (and timed) on the first call. */
  async get(): Promise<NanoVLM> {
    if (!this.model) {
      const start = performance.now();
      this.model = await this.load(this.timer.onRun);
      this.loadMs = performance.now() - start;
    }
    return this.model;
  }

  /** Releases the model's sessions, if it was loaded. */
  async release(): Promise<void> {
    await this.model?.release();
    this.model = undefined;
  }
}
