/**
 * Terminal formatting of a parity report.
 *
 * @module
 */
import type { ParityReport } from "./run.ts";

/** A table of stages and the greedy checks. */
export function formatParity(report: ParityReport): string {
  const width = Math.max(...report.stages.map((s) => s.name.length), 5);
  const lines = [
    `parity ${report.fixture} (${report.generation}), ${report.precision}, ${report.flavour} flavour, ${report.provider}`,
    "",
    `${"stage".padEnd(width)}  ${"max-abs".padStart(9)}  ${"rel".padStart(9)}  ${
      "cosine".padStart(10)
    }  result`,
    ...report.stages.map((s) =>
      `${s.name.padEnd(width)}  ${s.maxAbs.toExponential(2).padStart(9)}  ${
        s.rel.toExponential(2).padStart(9)
      }  ${s.cosine.toFixed(7).padStart(10)}  ${s.pass ? "ok" : "FAIL"}`
    ),
    "",
    `greedy single: ${report.greedy.single.pass ? "identical" : "DIFFERENT"} (${
      report.greedy.single.got.join(" ")
    })`,
  ];
  report.greedy.batch.got.forEach((row, r) => {
    const same = report.greedy.batch.expected[r]?.every((v, i) => v === row[i]) ?? false;
    lines.push(`greedy batch row ${r}: ${same ? "identical" : "DIFFERENT"} (${row.join(" ")})`);
  });
  if (report.greedy.single.pass === false || !report.greedy.batch.pass) {
    lines.push(`expected single: ${report.greedy.single.expected.join(" ")}`);
  }
  lines.push("", report.pass ? "PASS" : "FAIL");
  return lines.join("\n");
}
