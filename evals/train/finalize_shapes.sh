#!/bin/bash
# Packs the current state of runs/shapes-nano into data/models/shapes-nano for committing:
# F16 checkpoint + tokenizer, compact resume state, training log, evaluations, loss curve and the
# published ShapesBench evaluation (training/shapesbench.json).
# Usage (repository root): bash evals/train/finalize_shapes.sh [run] [out]
set -euo pipefail
RUN=${1:-runs/shapes-nano}
OUT=${2:-data/models/shapes-nano}
D="nice -n 10 deno run -A evals/train"
cp "$OUT/README.md" /tmp/shapes-nano-README.md 2>/dev/null || true
$D/export_shapes.ts --run "$RUN" --out "$OUT" --float16
mkdir -p "$OUT/resume" "$OUT/training"
$D/compact_state.ts "$RUN/state.bin" "$OUT/resume/state-f16.bin" "$OUT"
cp "$RUN/log.jsonl" "$RUN/eval.jsonl" "$OUT/training/"
$D/report_shapes.ts --run "$RUN" --out "$OUT/training" > /dev/null
# The published evaluation (fp32, data/shapesbench) that the model card quotes and
# shapes_targets_test.ts guards; the target check goes to the terminal.
$D/eval_shapesbench.ts --model "$OUT" --data data/shapesbench > "$OUT/training/.shapesbench.json"
mv "$OUT/training/.shapesbench.json" "$OUT/training/shapesbench.json"
cp /tmp/shapes-nano-README.md "$OUT/README.md" 2>/dev/null || true
du -sh "$OUT"/* "$OUT/resume"/* "$OUT/training"/*
