import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { generateLogFile } from "../../src/generator/files.js";
import type { Expected } from "../../src/generator/traffic.js";
import { tempDir } from "./paths.js";

/**
 * A web server's log of generated traffic (combined, with the host asked for), cut as it would have
 * stood while it grew: `text(from, to)` is lines [from, to), each with its newline. `expected` is what
 * all its lines count.
 */
export async function growingLog(options: {
  requests: number;
  start: string;
  days: number;
  seed: number;
}): Promise<{ lines: string[]; expected: Expected; text: (from: number, to: number) => string }> {
  const path = join(await tempDir(), "generated.log");
  const expected = await generateLogFile(path, { ...options, format: "combined", vhost: true, posts: 12 });
  const lines = (await readFile(path, "utf8")).split("\n").slice(0, -1);
  const text = (from: number, to: number) =>
    lines
      .slice(from, to)
      .map((line) => `${line}\n`)
      .join("");
  return { lines, expected, text };
}
