/** Answers kept for a few seconds: many readers of a busy page cost one query. */
export type AnswerCache = <T>(key: string, compute: () => Promise<T>) => Promise<T>;

export function answerCache(seconds: number): AnswerCache {
  const answers = new Map<string, { until: number; value: Promise<unknown> }>();
  return <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    if (seconds <= 0) return compute();
    const now = Date.now();
    const hit = answers.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    if (answers.size > 1000) answers.clear();
    const value = compute();
    answers.set(key, { until: now + seconds * 1000, value });
    value.catch(() => answers.delete(key));
    return value;
  };
}
