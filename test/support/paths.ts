import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
/** The real sample logs live beside the repository (../shared/samples) and are never copied into it. */
export const SAMPLES = process.env.PAGETRACK_SAMPLES ?? resolve(ROOT, "../shared/samples");

/** Whether the real samples are there: a clone with nothing beside it skips their tests, and says so. */
export const HAS_SAMPLES = existsSync(SAMPLES);
let said = false;
export function sayIfNoSamples(): void {
  if (HAS_SAMPLES || said) return;
  said = true;
  console.warn(
    `real sample logs not found at ${SAMPLES}: their tests are skipped (set PAGETRACK_SAMPLES to a copy of shared/samples to run them)`,
  );
}

export function sample(name: string): string {
  return join(SAMPLES, name);
}

export function tempDir(prefix = "pagetrack-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
