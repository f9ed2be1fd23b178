import type { Readable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { LogSource } from "./sources.js";

let client: S3Client | undefined;

/**
 * An S3 client for an environment: region from AWS_REGION, credentials from AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY when set there, else from the standard chain; AWS_ENDPOINT_URL_S3 points it
 * at a compatible server (path-style addressing then, as such servers expect).
 */
export function newS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  return new S3Client({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    endpoint: env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: env.AWS_ENDPOINT_URL_S3 !== undefined,
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN } }
      : {}),
    maxAttempts: 5,
  });
}

/** The process's S3 client, made on first use. */
export function s3Client(): S3Client {
  client ??= newS3Client();
  return client;
}

export function s3Source(bucket: string, key: string, size?: number, s3 = s3Client()): LogSource {
  return {
    name: `s3://${bucket}/${key}`,
    size,
    open: async () => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable,
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
export async function listS3(bucket: string, prefix: string, s3 = s3Client()): Promise<LogSource[]> {
  const sources: LogSource[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key && !notALog(object.Key)) sources.push(s3Source(bucket, object.Key, object.Size, s3));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return sources;
}
