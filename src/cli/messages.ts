import type { LineProblem } from "../pipeline.js";

/** Writes a one-line message to stderr: `pagetrack: <text>`. */
export function warn(text: string): void {
  process.stderr.write(`pagetrack: ${text}\n`);
}

/** Reports a file's failure or its rejected lines; returns whether there was anything to report. */
export function reportProblems(result: {
  name: string;
  error?: string;
  problems: LineProblem[];
  stats: { rejected: number };
}): boolean {
  if (result.error) {
    warn(`${result.name}: ${result.error}`);
    return true;
  }
  for (const p of result.problems) warn(`${result.name}:${p.line}: ${p.reason}`);
  const hidden = result.stats.rejected - result.problems.length;
  if (hidden > 0)
    warn(
      `${result.name}: ${result.stats.rejected} lines rejected in all (the first ${result.problems.length} are shown)`,
    );
  return result.stats.rejected > 0;
}

export function formatNumber(n: number): string {
  return n.toLocaleString("en-US");
}
