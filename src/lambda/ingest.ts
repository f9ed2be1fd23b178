import { ingestSource } from "../ingest/ingest.js";
import { PageViewRule } from "../pageview/rule.js";
import { s3Source } from "../readers/s3.js";
import { Store } from "../store/store.js";
import { configFromEnv } from "./config.js";

/** The part of an S3 event notification that pagetrack reads. */
export interface S3Event {
  Records?: {
    eventName?: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number } };
  }[];
}

const config = configFromEnv(process.env);
const store = new Store({ table: config.TARGET_DYNAMO_TABLE });
const rule = new PageViewRule({
  includeBots: config.PAGETRACK_INCLUDE_BOTS,
  prefixes: config.PAGETRACK_PREFIXES,
  excludes: config.PAGETRACK_EXCLUDES,
  statuses: [200, 304],
});

/** S3 event keys are URL-encoded with `+` for a space. */
export function objectKey(encoded: string): string {
  return decodeURIComponent(encoded.replaceAll("+", " "));
}

/**
 * Ingests every object of an S3 ObjectCreated event with the same pipeline and ledger as the CLI.
 * It fails only when a file failed, so that Lambda retries the event (files already done are
 * skipped) and, after the retries, hands it to the failure destination.
 */
export async function handler(event: S3Event): Promise<{ files: { name: string; status: string }[] }> {
  const files: { name: string; status: string; error?: string; views?: number }[] = [];
  for (const record of event.Records ?? []) {
    const source = s3Source(record.s3.bucket.name, objectKey(record.s3.object.key), record.s3.object.size);
    const outcome = await ingestSource(store, config.PAGETRACK_SITE, source, {
      format: config.PAGETRACK_FORMAT,
      rule,
      raw: config.PAGETRACK_RAW,
      retentionDays: config.PAGETRACK_RETENTION_DAYS,
    });
    const file = {
      name: outcome.name,
      status: outcome.status,
      error: outcome.error,
      views: outcome.scan.stats.views,
    };
    files.push(file);
    // One JSON line per file, for CloudWatch Logs Insights.
    console.log(
      JSON.stringify({
        ...file,
        rejected: outcome.scan.stats.rejected,
        problems: outcome.scan.problems.slice(0, 5),
      }),
    );
  }
  const failed = files.filter((f) => f.status === "failed");
  if (failed.length > 0) {
    throw new Error(
      `${failed.length} of ${files.length} files failed: ${failed.map((f) => `${f.name}: ${f.error}`).join("; ")}`,
    );
  }
  return { files };
}
