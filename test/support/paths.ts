import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
/** The real sample logs live beside the repository (../shared/samples) and are never copied into it. */
export const SAMPLES = process.env.PAGETRACK_SAMPLES ?? resolve(ROOT, "../shared/samples");

export function sample(name: string): string {
  return join(SAMPLES, name);
}

export function tempDir(prefix = "pagetrack-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
