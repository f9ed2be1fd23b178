import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { configFromEnv } from "../src/lambda/config.js";
import type { S3Event } from "../src/lambda/ingest.js";
import { keys } from "../src/store/keys.js";
import { type Dataset, dataset } from "./support/dataset.js";
import { tempDir } from "./support/paths.js";
import { putObjects, s3Env, startS3 } from "./support/s3.js";
import { startEngine } from "./support/store.js";

/** An S3 ObjectCreated record as AWS documents it; the key arrives URL-encoded. */
function record(bucket: string, encodedKey: string, size = 1024) {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "us-east-1",
    eventTime: "2024-02-28T12:00:00.000Z",
    eventName: "ObjectCreated:Put",
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "pagetrack-logs",
      bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodedKey,
        size,
        eTag: "0123456789abcdef0123456789abcdef",
        sequencer: "0A1B2C3D4E5F678901",
      },
    },
  };
}

/** The Lambda handlers against a real local S3 server and the embedded engine. */
describe("Lambda handlers", () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  let engine: Awaited<ReturnType<typeof startEngine>>;
  let data: Dataset;
  let ingest: (event: S3Event) => Promise<{ files: { name: string; status: string }[] }>;
  let api: (
    event: unknown,
    context: unknown,
  ) => Promise<{ statusCode: number; body: string; headers: Record<string, string> }>;

  beforeAll(async () => {
    // The handler logs a JSON line per file for CloudWatch; keep the test output quiet.
    vi.spyOn(console, "log").mockImplementation(() => {});
    s3 = await startS3();
    engine = await startEngine(join(await tempDir(), "data"));
    data = await dataset({ requests: 2000, days: 1, seed: 21 });
    const body = (i: number) => readFile(data.files[i]);
    await putObjects(s3.client, "cf-logs", {
      "logs/E2 with space.2024-02-28-00.gz": await body(0),
      "logs/2024/02/28/E2.2024-02-28-01.gz": await body(1),
      "logs/E2+plus.2024-02-28-02.gz": await body(2),
      "logs/corrupt.gz": (await body(3)).subarray(0, 200),
    });
    Object.assign(process.env, s3Env(s3.endpoint), {
      TARGET_DYNAMO_TABLE: "pagetrack",
      AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
      PAGETRACK_SITE: "lambda",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
    ingest = (await import("../src/lambda/ingest.js")).handler;
    api = (await import("../src/lambda/api.js")).handler as unknown as typeof api;
  }, 120_000);
  afterAll(async () => {
    await s3.stop();
    engine.store.destroy();
    await engine.engine.close();
  });

  it("ingests every record of an event, URL-decoding the keys, logging a JSON line per file", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const result = await ingest({
      Records: [
        record("cf-logs", "logs/E2+with+space.2024-02-28-00.gz"),
        record("cf-logs", "logs%2F2024%2F02%2F28%2FE2.2024-02-28-01.gz"),
        record("cf-logs", "logs/E2%2Bplus.2024-02-28-02.gz"),
      ],
    });
    expect(result.files.map((f) => f.status)).toEqual(["done", "done", "done"]);
    expect(result.files[0].name).toBe("s3://cf-logs/logs/E2 with space.2024-02-28-00.gz");
    expect(log.mock.calls.map(([line]) => JSON.parse(line).status)).toEqual(["done", "done", "done"]);
  });

  it("skips a duplicate event", async () => {
    const result = await ingest({ Records: [record("cf-logs", "logs/E2+with+space.2024-02-28-00.gz")] });
    expect(result.files[0].status).toBe("duplicate");
  });

  it("fails the invocation when a file fails (so Lambda retries it), after ingesting the others", async () => {
    const before = (await engine.store.withPrefix(keys.ledger("lambda"), "")).items.length;
    await expect(
      ingest({
        Records: [
          record("cf-logs", "logs/missing.gz"),
          record("cf-logs", "logs/corrupt.gz"),
          record("cf-logs", "logs/2024/02/28/E2.2024-02-28-01.gz"),
        ],
      }),
    ).rejects.toThrow(
      /^2 of 3 files failed: s3:\/\/cf-logs\/logs\/missing\.gz: no such S3 object; s3:\/\/cf-logs\/logs\/corrupt\.gz: truncated gzip data/,
    );
    const ledger = (await engine.store.withPrefix(keys.ledger("lambda"), "")).items;
    expect(ledger.length).toBe(before + 2);
    expect(ledger.filter((i) => i.status === "failed")).toHaveLength(2);
  });

  it("answers API Gateway (HTTP API, payload 2.0) events with the same app", async () => {
    const event = {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/pagetotals",
      rawQueryString: "prefix=/",
      headers: { host: "abc.execute-api.us-east-1.amazonaws.com", origin: "https://blog.example.com" },
      queryStringParameters: { prefix: "/" },
      requestContext: {
        accountId: "123456789012",
        apiId: "abc",
        domainName: "abc.execute-api.us-east-1.amazonaws.com",
        http: {
          method: "GET",
          path: "/pagetotals",
          protocol: "HTTP/1.1",
          sourceIp: "192.0.2.1",
          userAgent: "test",
        },
        requestId: "id",
        routeKey: "$default",
        stage: "$default",
        time: "28/Feb/2024:12:00:00 +0000",
        timeEpoch: 1709121600000,
      },
      isBase64Encoded: false,
    };
    const res = await api(event, {});
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.total).toBeGreaterThan(0);
    expect(res.headers["access-control-allow-origin"]).toBe("*");
    const missing = await api(
      {
        ...event,
        rawPath: "/nope",
        requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path: "/nope" } },
      },
      {},
    );
    expect(missing.statusCode).toBe(404);
  });

  it("checks its configuration once, naming every problem", () => {
    expect(() => configFromEnv({ PAGETRACK_CACHE_SECONDS: "-1", PAGETRACK_RAW: "yes" })).toThrow(
      /^bad configuration: (?=.*PAGETRACK_CACHE_SECONDS must be a whole number from 0 to 3600)(?=.*PAGETRACK_RAW must be true or false)(?=.*TARGET_DYNAMO_TABLE is required)/,
    );
    expect(
      configFromEnv({
        TARGET_DYNAMO_TABLE: "pagetrack",
        PAGETRACK_CORS_ORIGINS: "https://a.example, https://b.example",
      }),
    ).toMatchObject({
      PAGETRACK_CORS_ORIGINS: ["https://a.example", "https://b.example"],
      PAGETRACK_SITE: "default",
      PAGETRACK_RAW: true,
    });
  });
});
