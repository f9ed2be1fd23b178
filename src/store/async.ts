/** Waiting and pacing for requests to DynamoDB. */

/** The first step of `backoff`, in milliseconds. */
export const BACKOFF_MS = 25;

/**
 * Exponential backoff with full jitter: a random wait up to `base` × 2^attempt, at most 120 ×
 * `base` (3 s). Tests of outages give a smaller base so as not to wait real seconds.
 */
export function backoff(attempt: number, base = BACKOFF_MS): number {
  return Math.random() * base * Math.min(120, 2 ** attempt);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Gathers single lookups made at about the same time (within `ms`, at most `max`) into one call of
 * `many`: files ingested side by side share one request to the ledger.
 */
export function gathered<K, V>(
  many: (keys: K[]) => Promise<V[]>,
  max: number,
  ms = 1,
): (key: K) => Promise<V> {
  let waiting: { key: K; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    const batch = waiting;
    waiting = [];
    clearTimeout(timer);
    timer = undefined;
    many(batch.map((w) => w.key)).then(
      (values) => {
        for (const [i, w] of batch.entries()) w.resolve(values[i]);
      },
      (error) => {
        for (const w of batch) w.reject(error);
      },
    );
  };
  return (key) =>
    new Promise<V>((resolve, reject) => {
      waiting.push({ key, resolve, reject });
      if (waiting.length >= max) flush();
      else timer ??= setTimeout(flush, ms);
    });
}

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** At most `max` tasks at once; the others wait their turn. */
export function limiter(max: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
