/** Waiting and pacing for requests to DynamoDB. */

/** Exponential backoff with full jitter: a random wait up to 25 ms × 2^attempt, at most 3 s. */
export function backoff(attempt: number): number {
  return Math.random() * Math.min(3000, 25 * 2 ** attempt);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
