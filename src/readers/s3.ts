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

/** Every object under a prefix, listed page by page (1,000 keys a page), in key order; "folders" skipped. */
export async function listS3(bucket: string, prefix: string): Promise<LogSource[]> {
  const sources: LogSource[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client().send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key && !object.Key.endsWith("/")) sources.push(s3Source(bucket, object.Key, object.Size));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return sources;
}
