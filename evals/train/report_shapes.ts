/**
 * Summarises a ShapesBench training run: the loss curve (both stages, 20-step means) as SVG and
 * PNG, and a Markdown table of the held-out evaluations in `eval.jsonl`.
 *
 * ```sh
 * deno run -A evals/train/report_shapes.ts --run runs/shapes-nano --out data/models/shapes-nano/training
 * ```
 *
 * @module
 */
import sharp from "sharp";
import { lossCurvesSvg, type LossPoint } from "../../src/train/mod.ts";
import { flagValue, runScript } from "./cli_flags.ts";

type LogLine = {
  step: number;
  stage: string;
  loss: number;
  samplesPerSecond: number;
  elapsed: number;
};

function windowMeans(lines: LogLine[], size: number): LossPoint[] {
  const out: LossPoint[] = [];
  for (let i = 0; i + size <= lines.length; i += size) {
    const part = lines.slice(i, i + size);
    out.push({ step: part[size - 1].step, loss: part.reduce((s, l) => s + l.loss, 0) / size });
  }
  return out;
}

/** Writes `loss_curve.svg`, `loss_curve.png` and `evaluations.md` for `run` into `out`. */
export async function reportRun(run: string, out: string): Promise<string> {
  const lines = (await Deno.readTextFile(`${run}/log.jsonl`)).split("\n").filter((l) => l)
    .map((l) => JSON.parse(l) as LogLine);
  // A resumed run repeats the steps after its last checkpoint: keep the last record of each step.
  const byStep = new Map<number, LogLine>();
  for (const line of lines) byStep.set(line.step, line);
  const ordered = [...byStep.values()].sort((a, b) => a.step - b.step);
  const vit = ordered.filter((l) => l.stage === "vit"),
    vlm = ordered.filter((l) => l.stage === "vlm"),
    joint = ordered.filter((l) => l.stage === "joint");
  const svg = lossCurvesSvg([
    { label: "stage 1 (cells)", points: windowMeans(vit, 20) },
    { label: "stage 2 (VQA + captions)", points: windowMeans(vlm, 20) },
    ...(joint.length > 0
      ? [{ label: "stage 3 (joint: answers + 0.5 × token labels)", points: windowMeans(joint, 20) }]
      : []),
  ]);
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(`${out}/loss_curve.svg`, svg);
  await Deno.writeFile(
    `${out}/loss_curve.png`,
    await sharp(new TextEncoder().encode(svg)).png().toBuffer(),
  );
  let evals: { step: number; stage: string; eval: Record<string, number> }[] = [];
  try {
    evals = (await Deno.readTextFile(`${run}/eval.jsonl`)).split("\n").filter((l) => l).map((l) =>
      JSON.parse(l)
    );
  } catch {
    // no evaluations yet
  }
  const table = (stage: string) => {
    const rows = evals.filter((e) => e.stage === stage);
    if (rows.length === 0) return "";
    const keys = Object.keys(rows[rows.length - 1].eval);
    return [
      `| step | ${keys.join(" | ")} |`,
      `|---|${keys.map(() => "---").join("|")}|`,
      ...rows.map((r) =>
        `| ${r.step} | ${
          keys.map((k) => r.eval[k] === undefined ? "" : (100 * r.eval[k]).toFixed(1)).join(" | ")
        } |`
      ),
    ].join("\n");
  };
  const last = ordered[ordered.length - 1];
  const md = [
    `# Training run ${run}`,
    "",
    `Steps logged: ${ordered.length} (stage 1: ${vit.length}, stage 2: ${vlm.length}, ` +
    `stage 3: ${joint.length}); ` +
    `training time ${(last.elapsed / 60).toFixed(1)} min; last loss ${last.loss.toFixed(4)}.`,
    "",
    "Held-out evaluations (seed 999001, never used in training), % correct:",
    "",
    "Stage 1 (per-cell labels of 128 pictures):",
    "",
    table("vit"),
    "",
    "Stage 2 (48 items per type; VQA = greedy first answer token, captions greedy):",
    "",
    table("vlm"),
    "",
    ...(joint.length > 0
      ? ["Stage 3 (joint; the same held-out items):", "", table("joint"), ""]
      : []),
  ].join("\n");
  await Deno.writeTextFile(`${out}/evaluations.md`, md);
  return md;
}

if (import.meta.main) {
  await runScript(async () => {
    console.log(
      await reportRun(
        flagValue("run") ?? "runs/shapes-nano",
        flagValue("out") ?? "/tmp/shapes-report",
      ),
    );
  });
}
