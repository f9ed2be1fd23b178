/**
 * The resource limits of pagetrack's own threads (the embedded engine's, `--jobs`' readers): a
 * young generation kept small, as the main thread's is (bin/pagetrack.js). V8's default lets
 * short-lived garbage grow to tens of megabytes in each thread before it is collected.
 */
export const THREAD_LIMITS = { maxYoungGenerationSizeMb: 12 };
