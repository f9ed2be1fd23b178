import type { Readable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { LogSource } from "./sources.js";

let client: S3Client | undefined;

/**
 * The S3 client: region from AWS_REGION, credentials from the standard chain; AWS_ENDPOINT_URL_S3
 * points it at a compatible server (path-style addressing then, as such servers expect).
 */
export function s3Client(): S3Client {
  client ??= new S3Client({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined,
    maxAttempts: 5,
  });
  return client;
}

export function s3Source(bucket: string, key: string, size?: number): LogSource {
  return {
    name: `s3://${bucket}/${key}`,
    size,
    open: async () =>
      (await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable,
  };
}

/**
 * Why an S3 object is not a log file, or undefined when it may be one: the zero-byte "folder" object
 * the S3 console creates (its key ends in `/`), and the `ELBAccessLogTestFile` a load balancer writes
 * when its access logging is turned on. Both the command line and the ingest function skip these.
 */
export function notALog(key: string): string | undefined {
  if (key.endsWith("/")) return "a folder, not a log file";
  if (key.split("/").pop() === "ELBAccessLogTestFile") return "the load balancer's test file, not a log file";
  return undefined;
}

/**
 * Every object under a prefix, listed page by page (1,000 keys a page), in key order; "folders" and
 * the load balancer's test file skipped.
 */
export async function listS3(bucket: string, prefix: string): Promise<LogSource[]> {
  const sources: LogSource[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client().send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key && !notALog(object.Key)) sources.push(s3Source(bucket, object.Key, object.Size));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return sources;
}
