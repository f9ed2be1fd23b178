import type { Noun } from "../counters/registry.js";
import { type CdnCounts, cdnHint } from "../pageview/cdn.js";
import type { LineProblem } from "../pipeline.js";
import type { Io } from "./io.js";

/** Writes a one-line message to the run's stderr: `pagetrack: <text>`. */
export function warn(io: Io, text: string): void {
  io.stderr.write(`pagetrack: ${text}\n`);
}

/**
 * What went wrong with the input of a run, as `report --json` and `ingest --json` list it: a rejected
 * line (`file`, `line`, `reason`; the rest of the file counts), or a file that counts for nothing
 * (`file`, `error`).
 */
export type Problem = { file: string; line: number; reason: string } | { file: string; error: string };

/** A file's outcome as far as its problems go: its failure, or its first rejected lines. */
export interface ProblemSource {
  name: string;
  error?: string;
  problems: LineProblem[];
  stats: { rejected: number };
}

/** A file's problems as `--json` lists them: its failure, or its first rejected lines. */
export function problemsOf(result: ProblemSource): Problem[] {
  if (result.error) return [{ file: result.name, error: result.error }];
  return result.problems.map((p) => ({ file: result.name, line: p.line, reason: p.reason }));
}

/** Reports a file's failure or its rejected lines; returns whether there was anything to report. */
export function reportProblems(io: Io, result: ProblemSource): boolean {
  if (result.error) {
    warn(io, `${result.name}: ${result.error}`);
    return true;
  }
  for (const p of result.problems) warn(io, `${result.name}:${p.line}: ${p.reason}`);
  const hidden = result.stats.rejected - result.problems.length;
  if (hidden > 0)
    warn(
      io,
      `${result.name}: ${plural(result.stats.rejected, "line")} rejected in all (the first ${formatNumber(result.problems.length)} are shown)`,
    );
  return result.stats.rejected > 0;
}

export function formatNumber(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * A count with its noun, singular for exactly one: `plural(1, "file")` is "1 file", `plural(1200,
 * "file")` "1,200 files", `plural(2, "entry", "entries")` and `plural(2, { one: "entry", many:
 * "entries" })` "2 entries". Every count the CLI prints with a noun goes through here.
 */
export function plural(n: number, noun: string | Noun, pluralForm?: string): string {
  const { one, many } = typeof noun === "string" ? { one: noun, many: pluralForm ?? `${noun}s` } : noun;
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/**
 * What the counts of a run suggest about the logs themselves (`hints` in `report --json` and
 * `ingest --json`): today, that they are a CDN's origin logs. Not problems: the exit code stays.
 */
export function hintsOf(counts: CdnCounts, includesBots: boolean): string[] {
  const cdn = cdnHint(counts, includesBots);
  return cdn ? [cdn] : [];
}

/** Bytes in the largest unit that keeps a number of at least 1: "1.5 GB". */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? plural(bytes, "byte") : `${value.toFixed(1)} ${units[unit]}`;
}
