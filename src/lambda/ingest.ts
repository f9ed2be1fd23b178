import { resolve } from "node:path";
import { Audience } from "../audience/audience.js";
import { IpCountry } from "../audience/country.js";
import { describeError } from "../errors.js";
import { ingest } from "../ingest/driver.js";
import { PageViewRule } from "../pageview/rule.js";
import { notALog, s3Source } from "../readers/s3.js";
import type { LogSource } from "../readers/sources.js";
import { oldestPendingAge, type RolledUp, rollUpPending } from "../store/pending.js";
import { Store } from "../store/store.js";
import { configFromEnv } from "./config.js";
import { pendingAgeMetric, ROLLUP_FAILED } from "./metrics.js";

/** An SQS event: a batch of messages, each an S3 event notification. */
export interface SqsEvent {
  Records: { messageId: string; body: string }[];
}

/** The EventBridge schedule's event: time to roll the pending hours up. */
export interface ScheduledEvent {
  source: "aws.events";
  "detail-type": "Scheduled Event";
}

/** The part of an S3 event notification that pagetrack reads. */
export interface S3Notification {
  /** `s3:TestEvent` when S3 checks that it may send to the queue. */
  Event?: string;
  Records?: {
    eventName?: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number } };
  }[];
}

/** Lambda's partial batch response: the messages to deliver again. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

const config = configFromEnv(process.env);
const store = new Store({ table: config.TARGET_DYNAMO_TABLE });
const rule = new PageViewRule({
  includeBots: config.PAGETRACK_INCLUDE_BOTS,
  prefixes: config.PAGETRACK_PREFIXES,
  excludes: config.PAGETRACK_EXCLUDES,
  statuses: config.PAGETRACK_STATUSES,
});
const audience = new Audience({
  ownHosts: config.PAGETRACK_OWN_HOSTS,
  ipCountry: config.PAGETRACK_IP_COUNTRY
    ? await IpCountry.load(resolve(import.meta.dirname, config.PAGETRACK_IP_COUNTRY))
    : undefined,
});

/** S3 event keys are URL-encoded with `+` for a space. */
export function objectKey(encoded: string): string {
  return decodeURIComponent(encoded.replaceAll("+", " "));
}

/**
 * The ingest function: a batch of S3 notifications from the queue, or the schedule's call to roll up
 * what the batches counted since the last one.
 */
export async function handler(
  event: SqsEvent | ScheduledEvent,
  context?: { getRemainingTimeInMillis(): number },
): Promise<BatchResponse | RolledUp> {
  if ("Records" in event) return ingestBatch(event);
  let rolledUp: RolledUp;
  try {
    // A day of hours at a time, and no new day once the function's time is nearly spent: a backlog
    // drains over several rollups, each keeping what it did (store/pending.ts).
    const until = context ? Date.now() + context.getRemainingTimeInMillis() - ROLLUP.marginMs : undefined;
    rolledUp = await rollUpPending(store, config.PAGETRACK_SITE, { hours: ROLLUP.hours, until });
  } catch (error) {
    // What the stack's rollup alarm counts (a metric filter on this line): a scheduled event that
    // fails is dropped, and the counts would stop moving without anyone hearing of it.
    console.log(JSON.stringify({ rollup: ROLLUP_FAILED, error: describeError(error) }));
    throw error;
  }
  console.log(JSON.stringify({ rollup: "done", ...rolledUp }));
  await reportPendingAge();
  return rolledUp;
}

/** How much of the pending hours one scheduled rollup takes at a time, and the time it leaves itself to end. */
const ROLLUP = { hours: 24, marginMs: 120_000 } as const;

/**
 * Ingests the log files of a batch of S3 notifications with the driver the CLI uses, leaving their
 * hours pending for the scheduled rollup: so a rollup costs what the views of its interval touch,
 * however many small files they came in. The messages of the files that failed and may fare better
 * later (the table or S3 unavailable) are handed back (a partial batch response), so that the queue
 * delivers them again and, after its retries, moves them to its dead-letter queue; a file that
 * cannot be read for what it holds (truncated or corrupt gzip, not a log pagetrack reads) is recorded
 * failed at once, with why, and not handed back, nor is a message that is no S3 notification. Files
 * already done are skipped when they come again. Objects that are
 * not logs (readers/s3.ts: notALog) are skipped unread, and files with no records are reported as
 * empty: neither is handed back, as neither would fare better a second time.
 */
async function ingestBatch(event: SqsEvent): Promise<BatchResponse> {
  const messagesOf = new Map<string, string[]>();
  const failed = new Set<string>();
  const sources: LogSource[] = [];
  for (const message of event.Records) {
    let notification: S3Notification;
    try {
      notification = JSON.parse(message.body);
    } catch {
      // It will never parse: not handed back, so that it leaves the queue now.
      console.log(
        JSON.stringify({
          message: message.messageId,
          status: "failed",
          error: "not an S3 notification",
          retried: false,
        }),
      );
      continue;
    }
    if (notification.Event === "s3:TestEvent") continue;
    for (const record of notification.Records ?? []) {
      const key = objectKey(record.s3.object.key);
      const skipped = notALog(key);
      if (skipped) {
        // Not a log (a console "folder", a load balancer's test file): nothing to read or retry.
        console.log(
          JSON.stringify({
            name: `s3://${record.s3.bucket.name}/${key}`,
            status: "skipped",
            reason: skipped,
          }),
        );
        continue;
      }
      const source = s3Source(record.s3.bucket.name, key, record.s3.object.size);
      messagesOf.set(source.name, [...(messagesOf.get(source.name) ?? []), message.messageId]);
      sources.push(source);
    }
  }
  await ingest(
    store,
    config.PAGETRACK_SITE,
    sources,
    {
      format: config.PAGETRACK_FORMAT,
      rule,
      audience,
      timeZone: config.PAGETRACK_TIME_ZONE,
      raw: config.PAGETRACK_RAW,
      retentionDays: config.PAGETRACK_RETENTION_DAYS,
      // The queue's batch is one batch; its hours are rolled up on the schedule.
      batchFiles: Number.POSITIVE_INFINITY,
      batchSeconds: Number.POSITIVE_INFINITY,
      rollUp: false,
    },
    (outcome) => {
      // One JSON line per file, for CloudWatch Logs Insights. A file with no log records in it (zero
      // bytes, or headers only) is reported as empty, not failed: delivering it again would not help.
      const empty = outcome.empty === true;
      console.log(
        JSON.stringify({
          name: outcome.name,
          status: empty ? "empty" : outcome.status,
          error: outcome.error,
          ...(outcome.unreadable ? { retried: false } : {}),
          reason: outcome.skipped,
          views: outcome.stats.views,
          rejected: outcome.stats.rejected,
          problems: outcome.problems.slice(0, 5),
        }),
      );
      // A file that cannot be read for what it holds is recorded failed (the ledger says why) and not
      // handed back: delivering it again would not help. Any other failure is tried again.
      if (outcome.status === "failed" && !outcome.unreadable)
        for (const id of messagesOf.get(outcome.name) ?? []) failed.add(id);
    },
  );
  // The age of what waits for a rollup, after every batch as after every rollup: should the schedule
  // stop, the batches that keep coming still tell (one small read).
  await reportPendingAge();
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

/** Logs the age of the oldest pending hour as the metric the stack's PendingAgeAlarm watches. */
async function reportPendingAge(): Promise<void> {
  const age = await oldestPendingAge(store, config.PAGETRACK_SITE);
  console.log(JSON.stringify(pendingAgeMetric(config.PAGETRACK_SITE, age)));
}
