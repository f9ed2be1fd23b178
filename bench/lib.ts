import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { generateLogFile } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";

export const ROOT = resolve(import.meta.dirname, "..");
export const OUT = join(ROOT, "bench/out");
export const PAGETRACK = join(ROOT, "bin/pagetrack.js");

/** Installs Debian packages the benchmark needs, or says exactly how to. */
export function ensureCommands(commands: Record<string, string>): void {
  const missing = Object.entries(commands).filter(([command]) => !hasCommand(command));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  const install = `apt-get update && apt-get install -y ${packages.join(" ")}`;
  if (process.getuid?.() !== 0)
    throw new Error(`missing ${missing.map(([c]) => c).join(", ")}: run \`sudo sh -c '${install}'\``);
  console.log(`installing ${packages.join(" ")} ...`);
  execFileSync("sh", ["-c", `${install} >/dev/null`], { stdio: "inherit" });
}

function hasCommand(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface Timed {
  seconds: number;
  /** Peak resident set size of the largest process, in MB. */
  peakMb: number;
  stdout: string;
}

/** Runs a shell command under GNU time: wall-clock seconds and peak RSS. */
export function timed(command: string, env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "@@time %e %M", "sh", "-c", command], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => {
      const match = /@@time ([\d.]+) (\d+)/.exec(stderr);
      if (code !== 0 || !match)
        return reject(new Error(`\`${command}\` failed (${code}): ${stderr.slice(-500)}`));
      resolvePromise({ seconds: Number(match[1]), peakMb: Number(match[2]) / 1024, stdout });
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The benchmark's input: a gzipped CloudFront log of `requests` lines, generated once and kept in bench/out. */
export async function cloudfrontInput(
  requests: number,
  posts = 194,
): Promise<{ path: string; expected: Expected }> {
  const path = join(OUT, `cloudfront-${requests}.log.gz`);
  const expectedPath = `${path}.expected.json`;
  if (existsSync(path) && existsSync(expectedPath)) {
    return { path, expected: JSON.parse(await readFile(expectedPath, "utf8")) };
  }
  await mkdir(dirname(path), { recursive: true });
  console.log(`generating ${requests.toLocaleString("en-US")} CloudFront log lines ...`);
  const expected = await generateLogFile(path, {
    requests,
    start: "2024-05-01",
    days: 30,
    posts,
    seed: 42,
    gzip: true,
  });
  await writeFile(expectedPath, JSON.stringify(expected));
  return { path, expected };
}

export function row(cells: (string | number)[], widths: number[]): string {
  return cells
    .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
    .join("  ");
}

export function check(label: string, ok: boolean, detail: string): boolean {
  console.log(`  ${ok ? "PASS" : "MISS"}  ${label}: ${detail}`);
  return ok;
}
