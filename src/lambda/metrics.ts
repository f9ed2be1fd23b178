/**
 * What the ingest function writes for the stack's alarms (infra/ingest.ts): a line for each failed
 * rollup, which a metric filter counts, and the age of the oldest pending hour after each rollup and
 * each batch, as
 * CloudWatch's embedded metric format turns a log line into a metric.
 */

/** The `rollup` of the log line of a rollup that failed: `{"rollup":"failed","error":...}`. */
export const ROLLUP_FAILED = "failed";

/** The metric of counts that wait: seconds since the end of the oldest hour not yet rolled up. */
export const PENDING_AGE = {
  namespace: "pagetrack",
  name: "OldestPendingHourSeconds",
  dimension: "Site",
} as const;

/**
 * The age of the oldest hour still pending, as a log line written after every rollup and every batch
 * of files (0 when nothing waits). It grows when rollups fail, cannot keep up, or stop altogether
 * while files keep coming.
 */
export function pendingAgeMetric(site: string, seconds: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: PENDING_AGE.namespace,
          Dimensions: [[PENDING_AGE.dimension]],
          Metrics: [{ Name: PENDING_AGE.name, Unit: "Seconds" }],
        },
      ],
    },
    [PENDING_AGE.dimension]: site,
    [PENDING_AGE.name]: seconds,
  };
}
