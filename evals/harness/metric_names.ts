/**
 * The metric names each task kind reports (as `nanovlm score … --json` names them) and the
 * per-item scores its records and paired comparisons use.
 *
 * @module
 */
import { CAPTION_METRICS } from "../metrics/mod.ts";
import type { EvalTaskKind } from "./types.ts";

const RETRIEVAL_DIRECTION = ["R@1", "R@5", "R@10", "medianRank", "meanRank", "mrr"];

/** Corpus metric names of a kind, in report order. */
export function metricNames(kind: EvalTaskKind): string[] {
  switch (kind) {
    case "caption":
      return [...CAPTION_METRICS];
    case "vqa":
      return ["accuracy"];
    case "mcq":
      return ["accuracy", "macroAccuracy"];
    case "retrieval":
      return [
        ...RETRIEVAL_DIRECTION.map((m) => `i2t.${m}`),
        ...RETRIEVAL_DIRECTION.map((m) => `t2i.${m}`),
        "rsum",
      ];
  }
}

/** Per-item scores of a kind that paired comparisons and the gate use; 0/1 ones get McNemar. */
export function itemMetrics(kind: EvalTaskKind): { name: string; binary: boolean }[] {
  switch (kind) {
    case "caption":
      return [{ name: "ciderD", binary: false }, { name: "bleu4", binary: false }, {
        name: "rougeL",
        binary: false,
      }];
    case "vqa":
      return [{ name: "accuracy", binary: false }];
    case "mcq":
      return [{ name: "correct", binary: true }];
    case "retrieval":
      return [{ name: "i2t.hit@1", binary: true }, { name: "i2t.rr", binary: false }];
  }
}
