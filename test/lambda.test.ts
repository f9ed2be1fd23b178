import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { parseConfig } from "../infra/config.js";
import { PagetrackStack } from "../infra/stack.js";
import { DIMENSIONS } from "../src/counters/registry.js";
import { configFromEnv } from "../src/lambda/config.js";
import type { BatchResponse, ScheduledEvent, SqsEvent } from "../src/lambda/ingest.js";
import { pageTotals } from "../src/query/totals.js";
import { INTERVALS } from "../src/query/views.js";
import { keys } from "../src/store/keys.js";
import { oldestPendingAge } from "../src/store/pending.js";
import { runCli } from "./support/cli.js";
import { type Dataset, dataset, daysOf, expectCounts } from "./support/dataset.js";
import { growingLog } from "./support/growing.js";
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

/** A batch of SQS messages as Lambda hands it over: each message body an S3 event notification. */
function sqsEvent(bodies: Record<string, unknown>): SqsEvent {
  return {
    Records: Object.entries(bodies).map(([messageId, body]) => ({
      messageId,
      receiptHandle: `handle-${messageId}`,
      body: typeof body === "string" ? body : JSON.stringify(body),
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: "1709121600000" },
      messageAttributes: {},
      md5OfBody: "-",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:pagetrack-ingest",
      awsRegion: "us-east-1",
    })),
  };
}

const notification = (bucket: string, ...keys: string[]) => ({ Records: keys.map((k) => record(bucket, k)) });

/** The Lambda handlers against a real local S3 server and the embedded engine. */
describe("Lambda handlers", () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  let engine: Awaited<ReturnType<typeof startEngine>>;
  let data: Dataset;
  let keysOf: string[];
  let handler: (
    event: SqsEvent | ScheduledEvent,
    context?: { getRemainingTimeInMillis(): number },
  ) => Promise<unknown>;
  const ingest = (event: SqsEvent) => handler(event) as Promise<BatchResponse>;
  const schedule: ScheduledEvent = { source: "aws.events", "detail-type": "Scheduled Event" };
  let api: (
    event: unknown,
    context: unknown,
  ) => Promise<{ statusCode: number; body: string; headers: Record<string, string> }>;
  const lines = () => log.mock.calls.map(([line]) => JSON.parse(line));
  /** The JSON lines a handler logged, but the metric lines (embedded metric format) it ends with. */
  const logged = () => lines().filter((l) => !l._aws);
  let log: MockInstance<typeof console.log>;

  beforeAll(async () => {
    // The handler logs a JSON line per file for CloudWatch; keep the test output quiet.
    log = vi.spyOn(console, "log").mockImplementation(() => {});
    s3 = await startS3();
    engine = await startEngine(join(await tempDir(), "data"));
    // CloudFront's shape: several small files an hour.
    data = await dataset({ requests: 3000, days: 1, seed: 21, filesPerHour: 4 });
    const objects: Record<string, Buffer> = {};
    keysOf = data.files.map((file) => `logs/${file.split("/").pop()}`);
    for (const [i, key] of keysOf.entries()) objects[key] = await readFile(data.files[i]);
    const body = await readFile(data.files[0]);
    Object.assign(objects, {
      "odd/E2 with space.gz": body,
      "odd/E2+plus.gz": body,
      "odd/2024/02/28/E2.gz": body,
      "odd/corrupt.gz": body.subarray(0, 200),
    });
    await putObjects(s3.client, "cf-logs", objects);
    Object.assign(process.env, s3Env(s3.endpoint), {
      TARGET_DYNAMO_TABLE: "pagetrack",
      AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
      PAGETRACK_SITE: "lambda",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
    handler = (await import("../src/lambda/ingest.js")).handler;
    api = (await import("../src/lambda/api.js")).handler as unknown as typeof api;
  }, 120_000);
  afterAll(async () => {
    await s3.stop();
    engine.store.destroy();
    await engine.engine.close();
  });

  it("counts batches of many small files exactly once the schedule rolls their hours up", async () => {
    const site = ["--endpoint", engine.endpoint, "--site", "lambda"];
    // The queue hands the notifications over in batches of its own making, a message naming one
    // object or several.
    const batches = [keysOf.slice(0, 40), keysOf.slice(40, 41), keysOf.slice(41)];
    for (const [b, keys] of batches.entries()) {
      const bodies: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i += 2)
        bodies[`m${b}-${i}`] = notification("cf-logs", ...keys.slice(i, i + 2));
      expect(await ingest(sqsEvent(bodies))).toEqual({ batchItemFailures: [] });
    }
    expect(logged().filter((l) => l.status === "done")).toHaveLength(data.files.length);
    // Counted, not yet added up: the hours wait for the schedule.
    expect(JSON.parse((await runCli(["totals", "--json", ...site])).stdout).total).toBe(0);
    expect(await handler(schedule)).toMatchObject({ hours: 24 });
    await expectCounts(site, data.expected, daysOf(data.expected));
    expect(await handler(schedule)).toEqual({ hours: 0, series: 0, unions: 0, breakdowns: 0 });
  });

  it("counts only the statuses PAGETRACK_STATUSES names: 200 and 304 when it is unset", async () => {
    // The settings are read once, when the function's module loads: each run loads it anew.
    const viewsWith = async (site: string, statuses?: string) => {
      vi.resetModules();
      Object.assign(process.env, { PAGETRACK_SITE: site }, statuses ? { PAGETRACK_STATUSES: statuses } : {});
      try {
        const fresh = (await import("../src/lambda/ingest.js")).handler;
        log.mockClear();
        const event = sqsEvent({ s: notification("cf-logs", keysOf[0]) });
        expect(await fresh(event)).toEqual({ batchItemFailures: [] });
      } finally {
        process.env.PAGETRACK_SITE = "lambda";
        delete process.env.PAGETRACK_STATUSES;
      }
      const [line] = logged();
      expect(line.status).toBe("done");
      return line.views as number;
    };
    expect(await viewsWith("statuses-default")).toBeGreaterThan(0);
    expect(await viewsWith("statuses-599", "599")).toBe(0);
  });

  it("skips files already done, and S3's test event", async () => {
    log.mockClear();
    const again = sqsEvent({
      a: notification("cf-logs", ...keysOf.slice(0, 3)),
      test: { Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "cf-logs", RequestId: "x", HostId: "y" },
    });
    expect(await ingest(again)).toEqual({ batchItemFailures: [] });
    expect(logged().map((l) => l.status)).toEqual(["duplicate", "duplicate", "duplicate"]);
  });

  it("URL-decodes the keys, logging a JSON line per file", async () => {
    log.mockClear();
    const result = await ingest(
      sqsEvent({
        a: notification("cf-logs", "odd/E2+with+space.gz", "odd%2F2024%2F02%2F28%2FE2.gz"),
        b: notification("cf-logs", "odd/E2%2Bplus.gz"),
      }),
    );
    expect(result.batchItemFailures).toEqual([]);
    // The same bytes under three names: one file, counted once already.
    expect(
      logged()
        .map((l) => [l.name, l.status])
        .sort(),
    ).toEqual([
      ["s3://cf-logs/odd/2024/02/28/E2.gz", "duplicate"],
      ["s3://cf-logs/odd/E2 with space.gz", "duplicate"],
      ["s3://cf-logs/odd/E2+plus.gz", "duplicate"],
    ]);
  });

  it("hands back only the messages whose files may fare better later, after ingesting the others", async () => {
    log.mockClear();
    const fresh = await dataset({ requests: 300, days: 1, seed: 22 });
    await putObjects(s3.client, "cf-logs", { "new/one.gz": await readFile(fresh.files[3]) });
    const before = (await engine.store.withPrefix(keys.ledger("lambda"), "")).items.length;
    const result = await ingest(
      sqsEvent({
        missing: notification("cf-logs", "odd/missing.gz"),
        corrupt: notification("cf-logs", "odd/corrupt.gz"),
        good: notification("cf-logs", "new/one.gz"),
        garbled: "{not json",
      }),
    );
    // A truncated file and a message that is no notification will never do better: recorded, not retried.
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["missing"]);
    expect(
      logged()
        .filter((l) => l.retried === false)
        .map((l) => l.name ?? l.message)
        .sort(),
    ).toEqual(["garbled", "s3://cf-logs/odd/corrupt.gz"]);
    expect(
      logged()
        .map((l) => [l.name ?? l.message, l.status, l.error])
        .sort(),
    ).toEqual([
      ["garbled", "failed", "not an S3 notification"],
      ["s3://cf-logs/new/one.gz", "done", undefined],
      ["s3://cf-logs/odd/corrupt.gz", "failed", "truncated gzip data: the file was cut off (fetch it again)"],
      ["s3://cf-logs/odd/missing.gz", "failed", "no such S3 object"],
    ]);
    const ledger = (await engine.store.withPrefix(keys.ledger("lambda"), "")).items;
    expect(ledger.length).toBe(before + 3);
    expect(ledger.filter((i) => i.status === "failed")).toHaveLength(2);
  });

  it("rolls a backlog up a day at a time within the function's time, and reports what waits for the alarms", async () => {
    // Two days of files, counted and left pending, as after a rollup schedule stopped for two days.
    const fresh = await dataset({ requests: 600, days: 2, seed: 23 });
    const objects: Record<string, Buffer> = {};
    for (const file of fresh.files) objects[`backlog/${file.split("/").pop()}`] = await readFile(file);
    await putObjects(s3.client, "cf-logs", objects);
    log.mockClear();
    expect(await ingest(sqsEvent({ backlog: notification("cf-logs", ...Object.keys(objects)) }))).toEqual({
      batchItemFailures: [],
    });
    // Its hours wait: generated in 2024, they are years old, as the batch itself reports.
    expect(await oldestPendingAge(engine.store, "lambda")).toBeGreaterThan(365 * 86400);
    const metric = () => lines().findLast((l) => l._aws);
    expect(metric()?.OldestPendingHourSeconds).toBeGreaterThan(365 * 86400);
    // No time left: one day of hours, the oldest, and the age of what still waits.
    log.mockClear();
    expect(await handler(schedule, { getRemainingTimeInMillis: () => 0 })).toMatchObject({ hours: 24 });
    expect(metric()).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: "pagetrack",
            Dimensions: [["Site"]],
            Metrics: [{ Name: "OldestPendingHourSeconds", Unit: "Seconds" }],
          },
        ],
      },
      Site: "lambda",
    });
    expect(metric()?.OldestPendingHourSeconds).toBeGreaterThan(365 * 86400);
    // The next rollup goes on from there, and nothing waits after it.
    log.mockClear();
    expect(await handler(schedule, { getRemainingTimeInMillis: () => 600_000 })).toMatchObject({ hours: 24 });
    expect(metric()?.OldestPendingHourSeconds).toBe(0);
    // A rollup that fails says so in the line the alarm's metric filter counts, and still fails.
    const table = process.env.TARGET_DYNAMO_TABLE;
    process.env.TARGET_DYNAMO_TABLE = "no-such-table";
    vi.resetModules();
    const broken = (await import("../src/lambda/ingest.js")).handler;
    process.env.TARGET_DYNAMO_TABLE = table;
    log.mockClear();
    await expect(broken(schedule)).rejects.toThrow();
    expect(logged()).toEqual([
      { rollup: "failed", error: "the table does not exist (create it with `pagetrack init`)" },
    ]);
  });

  it("skips objects that are not logs, and reports empty files without handing them back", async () => {
    log.mockClear();
    await putObjects(s3.client, "cf-logs", {
      // The S3 console's "Create folder": a zero-byte object whose key ends in "/".
      "logs/": Buffer.alloc(0),
      // What a load balancer writes when its access logging is turned on.
      "elb/AWSLogs/123456789012/ELBAccessLogTestFile":
        "Enable AccessLog for ELB: my-loadbalancer at 2024-02-28T12:00:00.000Z",
      "empty/zero.log": Buffer.alloc(0),
      "empty/header-only.log": "#Version: 1.0\n#Fields: date time cs-method cs-uri-stem sc-status\n",
    });
    const ledgerBefore = (await engine.store.withPrefix(keys.ledger("lambda"), "")).items.length;
    const folder = { Records: [record("cf-logs", "logs/", 0)] };
    const result = await ingest(
      sqsEvent({
        folder,
        elb: notification("cf-logs", "elb/AWSLogs/123456789012/ELBAccessLogTestFile"),
        zero: { Records: [record("cf-logs", "empty/zero.log", 0)] },
        header: notification("cf-logs", "empty/header-only.log"),
      }),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(
      logged()
        .map((l) => [l.name, l.status, l.reason ?? l.error])
        .sort(),
    ).toEqual([
      [
        "s3://cf-logs/elb/AWSLogs/123456789012/ELBAccessLogTestFile",
        "skipped",
        expect.stringMatching(/test file/),
      ],
      ["s3://cf-logs/empty/header-only.log", "empty", expect.stringMatching(/^no log records/)],
      ["s3://cf-logs/empty/zero.log", "empty", "empty file"],
      ["s3://cf-logs/logs/", "skipped", expect.stringMatching(/folder/)],
    ]);
    // The objects that are not logs were not even read: nothing in the ledger for them.
    const ledger = (await engine.store.withPrefix(keys.ledger("lambda"), "")).items;
    expect(ledger.length - ledgerBefore).toBeLessThanOrEqual(2);
    expect(ledger.some((i) => String(i.name ?? "").includes("ELBAccessLogTestFile"))).toBe(false);
    // The same rule keeps them out of a backfill of the bucket.
    const { listS3, notALog } = await import("../src/readers/s3.js");
    const listed = (await listS3("cf-logs", "")).map((source) => source.name);
    expect(listed).not.toContain("s3://cf-logs/logs/");
    expect(listed.filter((name) => name.includes("ELBAccessLogTestFile"))).toEqual([]);
    expect(listed).toContain("s3://cf-logs/empty/zero.log");
    expect(notALog("AWSLogs/1/ELBAccessLogTestFile")).toBeDefined();
    expect(notALog("logs/E2.2024-02-28-00.abc.gz")).toBeUndefined();
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

  it("counts a file CloudFront delivers late into a day and an hour already rolled up, exactly", async () => {
    // CloudFront can deliver log entries up to 24 hours late, in a file named for the hour the
    // requests were made. A fresh site: the function reads its site once, when it is loaded.
    const late = await dataset({ requests: 1500, days: 2, seed: 23, filesPerHour: 3 });
    const hourOf = (file: string) => /\.(\d{4}-\d\d-\d\d-\d\d)\./.exec(file)?.[1] ?? "";
    const byHour = new Map<string, string[]>();
    for (const file of late.files) byHour.set(hourOf(file), [...(byHour.get(hourOf(file)) ?? []), file]);
    const day1 = [...byHour.keys()].filter((h) => h.startsWith("2024-02-28"));
    // One file of an hour whose other files come on time, and every file of another hour.
    const partHour = day1.find((h) => (byHour.get(h) ?? []).length >= 2) ?? "";
    const wholeHour = day1.find((h) => h !== partHour && h > "2024-02-28-05") ?? "";
    const lateFiles = [...(byHour.get(partHour) ?? []).slice(-1), ...(byHour.get(wholeHour) ?? [])];
    expect(partHour && wholeHour && lateFiles.length >= 2).toBeTruthy();
    const onTime = late.files.filter((f) => !lateFiles.includes(f));
    const keyOf = (file: string) => `late/${file.split("/").pop()}`;
    const objects: Record<string, Buffer> = {};
    for (const file of late.files) objects[keyOf(file)] = await readFile(file);
    await putObjects(s3.client, "cf-logs", objects);

    const site = ["--endpoint", engine.endpoint, "--site", "late"];
    process.env.PAGETRACK_SITE = "late";
    vi.resetModules();
    const lateHandler = (await import("../src/lambda/ingest.js")).handler;
    process.env.PAGETRACK_SITE = "lambda";
    const deliver = async (files: string[]) => {
      const bodies: Record<string, unknown> = {};
      for (let i = 0; i < files.length; i += 10)
        bodies[`late-${i}`] = notification("cf-logs", ...files.slice(i, i + 10).map(keyOf));
      expect(await lateHandler(sqsEvent(bodies))).toEqual({ batchItemFailures: [] });
    };

    // Both days arrive, and are rolled up, without the late files: their counts are those of the
    // files delivered, exactly.
    await deliver(onTime);
    // Every hour but the one whose files are all late.
    expect(await lateHandler(schedule)).toMatchObject({ hours: new Set(onTime.map(hourOf)).size });
    expect(new Set(onTime.map(hourOf)).has(wholeHour)).toBe(false);
    const delivered = JSON.parse((await runCli(["report", "--json", "--daily", ...onTime])).stdout);
    const totals = JSON.parse((await runCli(["totals", "--json", ...site])).stdout);
    expect(totals.pages).toEqual(delivered.pages);
    expect(totals.total).toBe(delivered.summary.views);
    expect(totals.total).toBeLessThan(late.expected.views);

    // The late files arrive: the next rollup adds them to the day and the hours already rolled up,
    // and the counts are those of all the traffic, exactly.
    log.mockClear();
    await deliver(lateFiles);
    expect(logged().map((l) => l.status)).toEqual(lateFiles.map(() => "done"));
    expect(await lateHandler(schedule)).toMatchObject({ hours: 2 });
    await expectCounts(site, late.expected, daysOf(late.expected));

    // Delivered once more (S3 notifications are at least once), they change nothing.
    await deliver(lateFiles);
    await lateHandler(schedule);
    await expectCounts(site, late.expected, daysOf(late.expected));
  }, 120_000);

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
    // The ingest function's lists and statuses are checked too, each named with what to give.
    expect(configFromEnv({ TARGET_DYNAMO_TABLE: "pagetrack" })).toMatchObject({
      PAGETRACK_PREFIXES: [],
      PAGETRACK_STATUSES: [200, 304],
      PAGETRACK_OWN_HOSTS: [],
    });
    expect(
      configFromEnv({
        TARGET_DYNAMO_TABLE: "pagetrack",
        PAGETRACK_STATUSES: "200",
        PAGETRACK_PREFIXES: "/a/, /b/",
      }),
    ).toMatchObject({ PAGETRACK_STATUSES: [200], PAGETRACK_PREFIXES: ["/a/", "/b/"] });
    expect(() =>
      configFromEnv({
        TARGET_DYNAMO_TABLE: "pagetrack",
        PAGETRACK_PREFIXES: "/blog/,docs/",
        PAGETRACK_EXCLUDES: "*.php",
        PAGETRACK_OWN_HOSTS: "https://example.com/",
        PAGETRACK_STATUSES: "200,ok",
        PAGETRACK_SITE: "my site",
      }),
    ).toThrow(
      /^bad configuration: (?=.*PAGETRACK_SITE must be 1 to 64 letters)(?=.*PAGETRACK_PREFIXES must be paths starting with "\/", comma-separated, such as \/blog\/,\/docs\/)(?=.*PAGETRACK_EXCLUDES must be paths)(?=.*PAGETRACK_OWN_HOSTS must be host names, comma-separated, such as example.com,blog.example.com \(no scheme, no path\))(?=.*PAGETRACK_STATUSES must be a list of HTTP statuses such as 200,304)[^\n]*$/,
    );
  });
});

/**
 * What each function's role must allow, derived from the calls its handler really sends: every
 * request the two handlers make to DynamoDB and S3 goes through a recording proxy of its own while
 * they serve every API route and the ingest function's batches and rollups, and the synthesised
 * policies must allow exactly those actions (plus the few listed below, each with its reason).
 */
describe("Lambda handlers: calls recorded against each role's policy", () => {
  type Calls = Map<string, number>;
  const calls = { api: new Map(), ingest: new Map() } satisfies Record<string, Calls>;
  const stops: (() => Promise<void>)[] = [];
  let savedEnv: NodeJS.ProcessEnv = {};
  let s3: Awaited<ReturnType<typeof startS3>>;
  let engine: Awaited<ReturnType<typeof startEngine>>;
  let data: Dataset;
  /** The endpoints each handler is pointed at: recording proxies in front of the engine and s3rver. */
  const endpoints: Record<keyof typeof calls, { dynamodb: string; s3: string }> = {
    api: { dynamodb: "", s3: "" },
    ingest: { dynamodb: "", s3: "" },
  };
  const SITE = "iam";

  /** A recording HTTP proxy: it forwards every request unchanged and counts the IAM action it needs. */
  async function recorder(target: string, service: "dynamodb" | "s3", into: Calls): Promise<string> {
    const server = createServer((req, res) => {
      const action = iamAction(service, req);
      into.set(action, (into.get(action) ?? 0) + 1);
      const upstream = request(
        new URL(req.url ?? "/", target),
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** A fresh copy of a handler's module, its clients pointed at its own recorders. */
  async function load<T>(name: keyof typeof calls): Promise<T> {
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: endpoints[name].dynamodb,
      AWS_ENDPOINT_URL_S3: endpoints[name].s3,
    });
    vi.resetModules();
    const module = name === "api" ? import("../src/lambda/api.js") : import("../src/lambda/ingest.js");
    return (await module).handler as T;
  }

  beforeAll(async () => {
    savedEnv = { ...process.env };
    vi.spyOn(console, "log").mockImplementation(() => {});
    s3 = await startS3();
    engine = await startEngine(join(await tempDir(), "data"));
    // 2024-02-28 to 2024-03-01: the views cross a month (and a leap day), so monthly series in a zone
    // other than UTC read the day items of the UTC days months start in.
    data = await dataset({ requests: 900, days: 3, seed: 31, filesPerHour: 2 });
    const objects: Record<string, Buffer | string> = {};
    for (const file of data.files) objects[`logs/${file.split("/").pop()}`] = await readFile(file);
    // A log that grew since it was read: the first file's records and then the second's.
    const [first, second] = data.files.map((f) => readFile(f).then(gunzipSync).then(String));
    const more = (await second).split("\n").filter((line) => line && !line.startsWith("#"));
    objects["grown/E2.log.gz"] = gzipSync(`${await first}${more.join("\n")}\n`);
    objects["logs/"] = "";
    await putObjects(s3.client, "cf-logs", objects);
    for (const name of ["api", "ingest"] as const) {
      endpoints[name].dynamodb = await recorder(engine.endpoint, "dynamodb", calls[name]);
      endpoints[name].s3 = await recorder(s3.endpoint, "s3", calls[name]);
    }
    Object.assign(process.env, s3Env(s3.endpoint), {
      TARGET_DYNAMO_TABLE: "pagetrack",
      PAGETRACK_SITE: SITE,
      PAGETRACK_OWN_HOSTS: "www.example.com",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
  }, 120_000);
  afterAll(async () => {
    for (const stop of stops) await stop();
    await s3?.stop();
    engine?.store.destroy();
    await engine?.engine.close();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    vi.restoreAllMocks();
  });

  it("ingest: batches of new, repeated, grown, missing and non-log objects, then the rollups", async () => {
    const handler = await load<(event: SqsEvent | ScheduledEvent) => Promise<unknown>>("ingest");
    const keysOf = data.files.map((file) => `logs/${file.split("/").pop()}`);
    const bodies: Record<string, unknown> = {
      test: { Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "cf-logs" },
      folder: { Records: [record("cf-logs", "logs/", 0)] },
      missing: notification("cf-logs", "logs/missing.gz"),
      garbled: "{not json",
    };
    for (let i = 0; i < keysOf.length; i += 10)
      bodies[`m${i}`] = notification("cf-logs", ...keysOf.slice(i, i + 10));
    const first = (await handler(sqsEvent(bodies))) as BatchResponse;
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["missing"]);
    const rolledUp = await handler({ source: "aws.events", "detail-type": "Scheduled Event" });
    expect((rolledUp as { hours: number }).hours).toBeGreaterThan(24);
    // Again (S3 notifications come at least once), and a log that grew since.
    expect(await handler(sqsEvent({ again: notification("cf-logs", ...keysOf.slice(0, 3)) }))).toEqual({
      batchItemFailures: [],
    });
    expect(await handler(sqsEvent({ grown: notification("cf-logs", "grown/E2.log.gz") }))).toEqual({
      batchItemFailures: [],
    });
    await handler({ source: "aws.events", "detail-type": "Scheduled Event" });
    await handler({ source: "aws.events", "detail-type": "Scheduled Event" });
    expect(calls.ingest.get("s3:GetObject")).toBeGreaterThan(0);
  }, 120_000);

  it("api: every route, every interval and dimension, zones, ranges across months, and the cursors", async () => {
    type Answer = { statusCode: number; body: string };
    const handler = await load<(event: unknown, context: unknown) => Promise<Answer>>("api");
    const get = async (path: string, params: Record<string, string> = {}): Promise<Answer> => {
      const rawQueryString = new URLSearchParams(params).toString();
      return handler(
        {
          version: "2.0",
          routeKey: "$default",
          rawPath: path,
          rawQueryString,
          headers: { host: "abc.execute-api.us-east-1.amazonaws.com" },
          queryStringParameters: Object.keys(params).length ? params : undefined,
          requestContext: {
            accountId: "123456789012",
            apiId: "abc",
            domainName: "abc.execute-api.us-east-1.amazonaws.com",
            http: { method: "GET", path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "test" },
            requestId: "id",
            routeKey: "$default",
            stage: "$default",
            time: "01/Mar/2024:12:00:00 +0000",
            timeEpoch: 1709294400000,
          },
          isBase64Encoded: false,
        },
        {},
      );
    };
    const page = Object.keys(data.expected.pages)[0];
    const zones = ["UTC", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe"];
    const ranges: Record<string, string>[] = [
      {},
      { from: "2024-02-01", to: "2024-03-31" },
      { from: "2024-02-28", to: "2024-03-01" },
    ];
    // Routes as [path, parameter sets]; a route that is not there yet (404) records nothing and fails
    // nothing, so the list can name routes before they land.
    const routes: [string, Record<string, string>[]][] = [
      ["/health", [{}]],
      ["/site", [{}]],
      ["/pagetotals", [{}, { prefix: "/" }, { prefix: "/blog/" }]],
      ["/count", [{ page }]],
      ["/pages", [{}, { prefix: "/" }, { limit: "1" }, ...zones.map((tz) => ({ tz, ...ranges[1] }))]],
      [
        "/pageviews",
        INTERVALS.flatMap((interval) =>
          zones.flatMap((tz) =>
            ranges.flatMap((range) => [
              { interval, tz, ...range },
              { interval, tz, page, ...range },
              { interval, tz, bots: "true", ...range },
            ]),
          ),
        ),
      ],
      [
        "/breakdown",
        DIMENSIONS.flatMap((dimension) =>
          zones.flatMap((tz) => [
            { dimension, tz, ...ranges[1] },
            { dimension, tz, page, ...ranges[1] },
          ]),
        ),
      ],
      ["/pagevisitlist", [{ page }, { page, ...ranges[2] }]],
      ["/crawlers", [{}, ranges[1]]],
      ["/notfound", [{}, ranges[1]]],
      ["/feeds", [{}, ranges[1]]],
    ];
    const answered = new Set<string>();
    for (const [path, sets] of routes) {
      for (const params of sets) {
        const answer = await get(path, params);
        // A 400 is a parameter this route does not take (`page` of /breakdown before it lands).
        expect([200, 400, 404], `${path} ${JSON.stringify(params)}: ${answer.body}`).toContain(
          answer.statusCode,
        );
        if (answer.statusCode === 200) answered.add(path);
      }
    }
    expect([...answered]).toEqual(
      expect.arrayContaining([
        "/pagetotals",
        "/count",
        "/pages",
        "/pageviews",
        "/breakdown",
        "/pagevisitlist",
      ]),
    );
    // Every cursor followed to its end.
    const follow = async (path: string, params: Record<string, string>) => {
      let cursor: string | null | undefined;
      let pages = 0;
      do {
        const answer = await get(path, { ...params, ...(cursor ? { cursor } : {}) });
        expect(answer.statusCode, answer.body).toBe(200);
        cursor = JSON.parse(answer.body).cursor;
        pages++;
      } while (cursor && pages < 200);
      return pages;
    };
    expect(await follow("/pagetotals", { limit: "2" })).toBeGreaterThan(1);
    expect(await follow("/pagevisitlist", { page, limit: "5", ...ranges[2] })).toBeGreaterThan(1);
    expect(calls.api.get("dynamodb:BatchGetItem")).toBeGreaterThan(0);
  }, 300_000);

  it("each role allows exactly what its handler was seen to call, and nothing else without a reason", async () => {
    // Allowed, never called by the handler's code: what Lambda itself does with the function's role.
    const runtime = {
      "logs:CreateLogStream": "Lambda writes the function's own log group with its role",
      "logs:PutLogEvents": "Lambda writes the function's own log group with its role",
    };
    const extras: Record<keyof typeof calls, Record<string, string>> = {
      api: runtime,
      ingest: {
        ...runtime,
        // AWS documents ReceiveMessage, DeleteMessage and GetQueueAttributes for the mapping; the
        // CDK's SqsEventSource grants the queue's whole consume set, on that one queue.
        "sqs:ReceiveMessage": "the SQS event source mapping polls the queue with the function's role",
        "sqs:DeleteMessage": "the event source mapping deletes the messages of a batch done",
        "sqs:GetQueueAttributes": "the event source mapping reads the queue's settings",
        "sqs:ChangeMessageVisibility": "granted with the event source by the CDK (consumeMessages)",
        "sqs:GetQueueUrl": "granted with the event source by the CDK (consumeMessages)",
      },
    };
    const bundles = await tempDir();
    for (const name of ["api", "ingest"]) {
      await mkdir(join(bundles, name));
      await writeFile(join(bundles, name, "index.mjs"), "export const handler = async () => {};\n");
    }
    const template = Template.fromStack(
      new PagetrackStack(new App(), "Test", { config: parseConfig({}), bundleDir: bundles }),
    );
    const tableArn = {
      "Fn::GetAtt": [Object.keys(template.findResources("AWS::DynamoDB::Table"))[0], "Arn"],
    };
    const functions = template.findResources("AWS::Lambda::Function");
    const described = { api: "pagetrack: HTTP API", ingest: "pagetrack: counts" };
    for (const name of ["api", "ingest"] as const) {
      const [fn] = Object.values(functions).filter((f) =>
        String(f.Properties.Description).startsWith(described[name]),
      );
      const role: string = fn.Properties.Role["Fn::GetAtt"][0];
      const own = policyStatements(template, role);
      const allowed = new Map<string, unknown[]>();
      for (const s of own.filter((s) => s.Effect === "Allow"))
        for (const action of [s.Action].flat())
          allowed.set(action, [...(allowed.get(action) ?? []), s.Resource]);
      const recorded = [...calls[name].keys()].sort();
      expect(
        recorded.filter((a) => a.includes("?")),
        `${name}: requests of no known action`,
      ).toEqual([]);
      expect(
        recorded.filter((a) => !allowed.has(a)),
        `${name} calls what its role does not allow`,
      ).toEqual([]);
      expect(
        [...allowed.keys()].filter((a) => !calls[name].has(a) && !(a in extras[name])).sort(),
        `${name}'s role allows what it never calls`,
      ).toEqual([]);
      expect(own.filter((s) => s.Effect !== "Allow")).toEqual([]);
      // The table's own ARN: no index, no other table.
      for (const action of recorded.filter((a) => a.startsWith("dynamodb:")))
        expect(allowed.get(action), action).toEqual([tableArn]);
    }
  });
});

/** The IAM action a request to DynamoDB or S3 (path-style) needs; `?` in it when it is not known. */
function iamAction(service: "dynamodb" | "s3", req: IncomingMessage): string {
  if (service === "dynamodb") return `dynamodb:${String(req.headers["x-amz-target"]).split(".")[1] ?? "?"}`;
  const url = new URL(req.url ?? "/", "http://s3");
  const object = url.pathname.split("/").slice(2).join("/") !== "";
  if (object && (req.method === "GET" || req.method === "HEAD")) return "s3:GetObject";
  if (object && req.method === "PUT") return "s3:PutObject";
  if (object && req.method === "DELETE") return "s3:DeleteObject";
  if (!object && req.method === "GET" && url.searchParams.has("list-type")) return "s3:ListBucket";
  return `s3:? ${req.method} ${url.pathname}${url.search}`;
}

/** The statements of every policy of a role in a template: policy resources, managed and inline. */
function policyStatements(template: Template, roleId: string) {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
  const out: Statement[] = [];
  for (const type of ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"])
    for (const policy of Object.values(template.findResources(type)))
      if ([policy.Properties.Roles ?? []].flat().some((r: { Ref?: string }) => r.Ref === roleId))
        out.push(...[policy.Properties.PolicyDocument.Statement].flat());
  const role = template.findResources("AWS::IAM::Role")[roleId];
  expect(role.Properties.ManagedPolicyArns ?? [], "AWS managed policies cannot be checked").toEqual([]);
  for (const inline of role.Properties.Policies ?? []) out.push(...[inline.PolicyDocument.Statement].flat());
  return out;
}

/** A web server's log in S3, as a sync job leaves it: overwritten as it grows, then rotated and compressed. */
describe("Lambda ingest function: a log that grows and rotates", () => {
  const savedEnv = { ...process.env };
  let s3: Awaited<ReturnType<typeof startS3>>;
  let engine: Awaited<ReturnType<typeof startEngine>>;
  beforeAll(async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    s3 = await startS3();
    engine = await startEngine(join(await tempDir(), "data"));
  }, 120_000);
  afterAll(async () => {
    await s3.stop();
    engine.store.destroy();
    await engine.engine.close();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    vi.restoreAllMocks();
  });

  it("counts each record once: the object overwritten as the log grew, its rotated and gzipped copy", async () => {
    const { expected, text: lines } = await growingLog({
      requests: 15_000,
      start: "2024-02-28",
      days: 2,
      seed: 41,
    });
    const text = (n: number) => lines(0, n);
    Object.assign(process.env, s3Env(s3.endpoint), {
      TARGET_DYNAMO_TABLE: "pagetrack",
      AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
      PAGETRACK_SITE: "grown",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
    vi.resetModules();
    const { handler } = await import("../src/lambda/ingest.js");
    const schedule: ScheduledEvent = { source: "aws.events", "detail-type": "Scheduled Event" };
    const deliver = async (key: string, body: string | Buffer) => {
      await putObjects(s3.client, "web-logs", { [key]: body });
      expect(await handler(sqsEvent({ [key]: notification("web-logs", key) }))).toEqual({
        batchItemFailures: [],
      });
    };
    await deliver("nginx/access.log", text(6000));
    await handler(schedule);
    await deliver("nginx/access.log", text(11_000));
    await deliver("nginx/access.log", text(15_000));
    await handler(schedule);
    // logrotate then compresses it; the sync job uploads the new name too; S3 notifies twice.
    await deliver("nginx/access.log.1.gz", gzipSync(text(15_000)));
    await deliver("nginx/access.log.1.gz", gzipSync(text(15_000)));
    await handler(schedule);
    const totals = await pageTotals(engine.store, "grown", undefined);
    expect(totals.pages).toEqual(expected.pages);
    expect(totals.total).toBe(expected.views);
    expect(totals.visitors).toEqual(expected.visitors);
  }, 120_000);
});
