#!/usr/bin/env bash
# The GPU check, in one go, for a machine with a GPU lent for a few minutes (issue 11 §5).
#
# From the repository root:
#   bash scripts/device-check.sh [--fixtures DIR] [--out DIR] [--budget SECONDS]
#
# It installs what it needs from the project itself (deno through npx at the pinned version,
# onnxruntime-node with its install script for the CUDA provider), then runs, each step under its
# own time limit so the whole stays under --budget (default 460 s, i.e. under 8 minutes):
#   1. `doctor` (CUDA libraries, the bundled WebGPU provider's probe, threads);
#   2. `parity --device cuda` on the three reference fixtures, fp32 and fp16;
#   3. the benchmark's @cuda cases (fast fp32 and fp16 on the synthesized 222M);
#   4. `parity --device webgpu` on v0.1-tiny (onnxruntime-node's bundled WebGPU provider);
# and prints one summary table (also written to OUT/summary.md; every log is under OUT).
# Without a GPU (no nvidia-smi, or it finds none) it says "no GPU", runs doctor only, and exits 0.
#
# Fixtures: DIR holds reference/<name>/ or <name>/ for v0.1-tiny, v0.2-tiny, head-tiny (default:
# ../shared/fixtures, else ./.device/fixtures). To take them to a machine that only gets this
# checkout: `mkdir -p .device/fixtures && cp -rL ../shared/fixtures/reference .device/fixtures/`,
# add `/.device/` to .git/info/exclude and carry `.device` (they are about 9 MB).
#
# Exit status: 0 when every step that ran passed (or there is no GPU), 1 otherwise.
set -uo pipefail

fixtures=""
out="${TMPDIR:-/tmp}/nanovlm-device-check"
budget=460
while [ $# -gt 0 ]; do
  case "$1" in
    --fixtures) fixtures="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --budget) budget="$2"; shift 2 ;;
    -h | --help) sed -n 2,23p "$0"; exit 0 ;;
    *) echo "device-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f deno.json ] || { echo "device-check: run from the repository root" >&2; exit 2; }
mkdir -p "$out" || { echo "device-check: cannot create $out" >&2; exit 2; }
start=$SECONDS
rows=()
failed=0

# One row of the summary: step, result, seconds, note.
row() { rows+=("| $1 | $2 | $3 | $4 |"); }
left() { echo $((budget - (SECONDS - start))); }

# Runs a step under a time limit (never past the budget); records its row; log in $out/<name>.log.
step() {
  local name="$1" limit="$2"; shift 2
  local remaining; remaining=$(left)
  if [ "$remaining" -lt 15 ]; then row "$name" "skipped" 0 "out of time budget"; return; fi
  [ "$limit" -gt "$remaining" ] && limit=$remaining
  local t0=$SECONDS
  timeout "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$? secs=$((SECONDS - t0))
  local note
  if [ -n "${NOTE:-}" ]; then note=$(grep -m1 -E "$NOTE" "$out/$name.log")
  else note=$(grep -v '^\s*$' "$out/$name.log" | tail -n1); fi
  note=$(echo "$note" | tr -s ' ' | tr '|' '/' | cut -c1-120)
  if [ $rc -eq 0 ]; then row "$name" "pass" "$secs" "$note"
  elif [ $rc -eq 124 ]; then row "$name" "timeout" "$secs" "over ${limit} s"; failed=1
  else row "$name" "FAIL ($rc)" "$secs" "$note"; failed=1; fi
}

summary() {
  {
    echo "## device check ($(date -u +%Y-%m-%dT%H:%MZ), $(uname -m), $(nproc) cores, ${1})"
    echo
    echo "| step | result | s | note |"
    echo "|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "total $((SECONDS - start)) s; logs in $out"
  } | tee "$out/summary.md"
}

# --- deno (the pinned version; npx fetches it when it is not on PATH)
DENO="$(command -v deno || true)"
if [ -z "$DENO" ] || ! "$DENO" --version 2>/dev/null | grep -q '^deno 2\.9\.6'; then
  DENO="$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())' 2>/dev/null || true)"
fi
if [ -z "$DENO" ] || [ ! -x "$DENO" ]; then
  row "deno 2.9.6" "FAIL" 0 "neither deno on PATH nor npx -y deno@2.9.6"
  summary "no deno"; exit 1
fi
row "deno" "pass" 0 "$("$DENO" --version | head -n1)"
NANOVLM=("$DENO" task -q nanovlm)

# --- is there a GPU?
gpu=""
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu="$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -n1)"
fi
if [ -z "$gpu" ]; then
  NOTE="^execution providers" step doctor 120 "${NANOVLM[@]}" doctor
  row "gpu" "no GPU" 0 "nvidia-smi absent or found no device: CUDA and WebGPU steps skipped"
  summary "no GPU"
  exit 0
fi
row "gpu" "found" 0 "$gpu"

# --- onnxruntime-node with its install script (downloads the CUDA provider libraries)
step install 150 "$DENO" install --allow-scripts=npm:onnxruntime-node
NOTE="^execution providers" step doctor 120 "${NANOVLM[@]}" doctor

# --- parity on the reference fixtures, fp32 and fp16, on CUDA
fixture_dir() {
  for base in "$fixtures" ../shared/fixtures .device/fixtures; do
    [ -n "$base" ] || continue
    for d in "$base/reference/$1" "$base/$1"; do
      [ -f "$d/manifest.json" ] && { echo "$d"; return 0; }
    done
  done
  return 1
}
for name in v0.1-tiny v0.2-tiny head-tiny; do
  dir="$(fixture_dir "$name")" || { row "parity $name" "skipped" 0 "fixture not found (--fixtures)"; continue; }
  for precision in fp32 fp16; do
    step "parity-cuda-$name-$precision" 60 "${NANOVLM[@]}" parity "$dir" --device cuda --precision "$precision" \
      --cache-dir "$out/graphs"
  done
done

# --- the benchmark's @cuda cases (the 222M is synthesized inside the bench's own temp folder)
NOTE="@cuda" step bench-cuda 200 "$DENO" task -q bench --cases "fast@cuda:fp32,fast@cuda:fp16"

# --- the bundled WebGPU provider
if dir="$(fixture_dir v0.1-tiny)"; then
  step parity-webgpu-v0.1-tiny-fp32 60 "${NANOVLM[@]}" parity "$dir" --device webgpu --cache-dir "$out/graphs"
else
  row "parity webgpu" "skipped" 0 "fixture not found (--fixtures)"
fi

summary "$gpu"
exit $failed
