import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { App, type Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { ConfigError, configFromContext, parseConfig } from "../infra/config.js";
import { BUNDLE_DIR, PagetrackStack } from "../infra/stack.js";
import { configFromEnv } from "../src/lambda/config.js";
import { ROOT, tempDir } from "./support/paths.js";

/** Synthesized CloudFormation: plain JSON whose shape each test knows. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON, read by tests that assert its shape
type Cfn = any;
type Resource = { Type: string; Properties: Cfn; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Sid?: string };

// A private copy of the bundles (built by the global setup), so that a rebuild running meanwhile in
// the same checkout cannot pull them away mid-test.
const BUNDLES = await tempDir();
await cp(BUNDLE_DIR, BUNDLES, { recursive: true });

function stack(config: unknown = {}, bundleDir = BUNDLES): PagetrackStack {
  return new PagetrackStack(new App(), "Test", { config: parseConfig(config), bundleDir });
}

const synth = (config: unknown = {}) => Template.fromStack(stack(config));

function resources(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

function only(template: Template, type: string): Resource {
  const found = Object.values(resources(template, type));
  expect(found, type).toHaveLength(1);
  return found[0];
}

/** The one function whose Description starts with `description` (ours say what they are). */
function fn(template: Template, description: string): Resource & { id: string } {
  const found = Object.entries(resources(template, "AWS::Lambda::Function")).filter(([, r]) =>
    String(r.Properties.Description).startsWith(description),
  );
  expect(found, description).toHaveLength(1);
  return { id: found[0][0], ...found[0][1] };
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every IAM statement in the template with the role(s) it applies to: policies, managed policies, inline. */
function statements(template: Template): { roles: string[]; statement: Statement }[] {
  const out: { roles: string[]; statement: Statement }[] = [];
  const roleIds = (refs: unknown) =>
    asList(refs ?? []).map((r) => (r as { Ref?: string }).Ref ?? JSON.stringify(r));
  for (const type of ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]) {
    for (const policy of Object.values(resources(template, type))) {
      for (const statement of asList(policy.Properties.PolicyDocument.Statement))
        out.push({ roles: roleIds(policy.Properties.Roles), statement });
    }
  }
  for (const [id, role] of Object.entries(resources(template, "AWS::IAM::Role"))) {
    for (const inline of role.Properties.Policies ?? []) {
      for (const statement of asList(inline.PolicyDocument.Statement)) out.push({ roles: [id], statement });
    }
  }
  return out;
}

function actionsOfRole(template: Template, roleId: string): string[] {
  return statements(template)
    .filter((s) => s.roles.includes(roleId) && s.statement.Effect === "Allow")
    .flatMap((s) => asList(s.statement.Action));
}

const roleOf = (f: Resource) => (f.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];

/** Statements that allow a DynamoDB or S3 action (or every action) on every resource. */
function wildcardViolations(template: Template): Statement[] {
  const touchesData = (action: string) => action === "*" || /^(dynamodb|s3):/i.test(action);
  return statements(template)
    .map((s) => s.statement)
    .filter((s) => s.Effect === "Allow")
    .filter((s) => asList(s.Action).some(touchesData))
    .filter((s) => asList(s.Resource).some((r) => r === "*" || r === "arn:aws:s3:::*"));
}

const WRITES_AND_SCANS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:TransactWriteItems",
  "dynamodb:PartiQLInsert",
  "dynamodb:PartiQLUpdate",
  "dynamodb:PartiQLDelete",
  "dynamodb:Scan",
];

describe("infra: configuration", () => {
  it("fills in defaults: a new bucket, every origin, no token", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      stackName: "pagetrack",
      site: "default",
      logBucket: { expireLogsAfterDays: 400 },
      logPrefix: "",
      corsOrigins: ["*"],
      raw: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      logRetentionDays: 30,
    });
    expect(config.apiToken).toBeUndefined();
    expect(config.retentionDays).toBeUndefined();
  });

  it.each([
    [{ corsOrigins: ["https://example.com/"] }, "corsOrigins.0 must be"],
    [{ corsOrigins: ["example.com"] }, "corsOrigins.0 must be"],
    [{ corsOrigins: ["https://example.com/blog"] }, "corsOrigins.0 must be"],
    [{ corsOrigins: ["*", "https://example.com"] }, 'corsOrigins "*" must be the only origin'],
    [{ corsOrigins: [] }, "corsOrigins must list at least one origin"],
    [{ corsOrigins: "https://example.com" }, "corsOrigins must be a list of origins"],
    [{ apiToken: "short" }, "apiToken must be at least 16 characters"],
    [{ apiToken: "a token with spaces in it" }, "apiToken may hold only"],
    [{ newBucket: {}, existingBucket: "old-logs" }, "either newBucket or existingBucket, not both"],
    [{ existingBucket: "s3://old-logs/logs/" }, "existingBucket must be a bucket name, not an s3:// URL"],
    [{ existingBucket: "Old_Logs" }, "existingBucket must be an S3 bucket name"],
    [{ logPrefix: "/logs/" }, "logPrefix must not start with"],
    [{ logPrefix: "logs/*" }, "logPrefix is a key prefix"],
    [{ retentionDays: 0 }, "retentionDays must be a whole number from 1 to 36500"],
    [{ retentionDays: 1.5 }, "retentionDays must be a whole number"],
    [{ logRetentionDays: 31 }, "logRetentionDays must be one of 1, 3, 5"],
    [{ site: "my site" }, "site must be 1 to 64"],
    [{ format: "apache" }, "format must be auto or one of"],
    [{ pagePrefixes: ["blog/"] }, 'pagePrefixes.0 must be a path starting with "/"'],
    [{ throttle: { rateLimit: 0 } }, "throttle.rateLimit must be a whole number from 1"],
    [{ newBucket: { expireLogsAfterDays: -1 } }, "newBucket.expireLogsAfterDays must be"],
    [{ alarmEmail: "me" }, "alarmEmail must be an e-mail address"],
    [{ existingTable: "a b" }, "existingTable must be 3 to 255 letters"],
    [
      { tableName: "pagetrack-new", existingTable: "pagetrack-kept" },
      "give either tableName (a table the stack creates) or existingTable (a kept table it uses), not both",
    ],
    [
      { ingest: { batchWindowSeconds: 301 } },
      "ingest.batchWindowSeconds must be a whole number from 0 to 300",
    ],
    [{ ingest: { maxConcurrency: 1 } }, "ingest.maxConcurrency must be a whole number from 2"],
    [{ ingest: { batchWindowSeconds: 0 } }, "ingest batchSize above 10 needs a batchWindowSeconds of 1"],
    [{ ownHosts: ["https://example.com/"] }, "ownHosts.0 must be a host name such as example.com"],
    [{ pagePrefixes: ["blog/"] }, 'pagePrefixes.0 must be a path starting with "/" such as /blog/'],
    [{ timeZone: "Europe/Pariss" }, "timeZone must be an IANA time zone such as Europe/Paris"],
    [{ countedStatuses: "200" }, "countedStatuses must be a list of HTTP statuses such as [200, 304]"],
    [{ countedStatuses: [] }, "countedStatuses must be a list of HTTP statuses such as [200, 304]"],
    [{ countedStatuses: [200, 99] }, "countedStatuses.1 must be a whole number from 100 to 599"],
    [
      { ipCountryDatabase: "/no/such/dbip.csv" },
      "ipCountryDatabase must be the path of an IP-to-country CSV file",
    ],
    [{ corsOrigin: ["https://example.com"] }, 'unknown field "corsOrigin"'],
    [{ newBucket: { expireDays: 3 } }, 'newBucket: unknown field "expireDays"'],
  ])("rejects %j on one line naming the field", (input, message) => {
    let error: unknown;
    try {
      parseConfig(input, "test.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toContain("bad pagetrack configuration (test.json)");
    expect(text).toContain(message);
    expect(text).not.toContain("\n");
  });

  it("ships an IP-to-country database with the ingest function only when asked, and tells it the own hosts", async () => {
    const file = join(await tempDir(), "dbip-country-lite-2026-11.csv");
    await writeFile(file, "1.0.0.0,1.0.0.255,AU\n");
    const env = (config: unknown) =>
      fn(synth(config), "pagetrack: counts").Properties.Environment.Variables as Record<string, string>;
    const asked = env({ ipCountryDatabase: file, ownHosts: ["example.com", "blog.example.com"] });
    expect(asked).toMatchObject({
      PAGETRACK_IP_COUNTRY: "dbip-country-lite-2026-11.csv",
      PAGETRACK_OWN_HOSTS: "example.com,blog.example.com",
    });
    expect(configFromEnv({ ...asked, TARGET_DYNAMO_TABLE: "pagetrack" })).toMatchObject({
      PAGETRACK_OWN_HOSTS: ["example.com", "blog.example.com"],
    });
    expect(env({}).PAGETRACK_IP_COUNTRY).toBeUndefined();
  });

  it("tells the ingest function the statuses that count, and leaves it its default (200, 304) otherwise", () => {
    const env = (config: unknown) =>
      fn(synth(config), "pagetrack: counts").Properties.Environment.Variables as Record<string, string>;
    const asked = env({ countedStatuses: [200, 304, 206] });
    expect(asked.PAGETRACK_STATUSES).toBe("200,304,206");
    expect(configFromEnv({ ...asked, TARGET_DYNAMO_TABLE: "pagetrack" }).PAGETRACK_STATUSES).toEqual([
      200, 304, 206,
    ]);
    const unset = env({});
    expect(unset.PAGETRACK_STATUSES).toBeUndefined();
    expect(configFromEnv({ ...unset, TARGET_DYNAMO_TABLE: "pagetrack" }).PAGETRACK_STATUSES).toEqual([
      200, 304,
    ]);
  });

  it("accepts the original tracker's setup", () => {
    const config = parseConfig({
      site: "Richard",
      existingBucket: "richard-logs.example",
      logPrefix: "logs/",
      corsOrigins: ["https://example.com", "http://localhost:8080"],
      retentionDays: 365,
      apiToken: "0123456789abcdef-_~+/=",
    });
    expect(config.logBucket).toEqual({ existing: "richard-logs.example" });
    expect(config.corsOrigins).toEqual(["https://example.com", "http://localhost:8080"]);
  });

  it("reads a file named by context configFile, then context pagetrack (JSON text from -c) on top", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "site.json"),
      JSON.stringify({ site: "blog", logPrefix: "logs/", retentionDays: 90 }),
    );
    const context: Record<string, unknown> = { configFile: "site.json", pagetrack: '{"retentionDays": 30}' };
    const config = configFromContext((key) => context[key], dir);
    expect(config).toMatchObject({ site: "blog", logPrefix: "logs/", retentionDays: 30 });
    expect(() => configFromContext((key) => ({ configFile: "missing.json" })[key], dir)).toThrow(
      /cannot read the configuration file missing.json/,
    );
    expect(() => configFromContext((key) => ({ pagetrack: "{site:" })[key], dir)).toThrow(
      /context pagetrack\): not JSON/,
    );
    expect(() => configFromContext((key) => ({ pagetrack: { apiToken: "x" } })[key], dir)).toThrow(
      /context pagetrack\): apiToken must be at least 16/,
    );
  });

  it("accepts the example configuration docs/deploy.md starts from", () => {
    const context: Record<string, unknown> = { configFile: "infra/pagetrack.example.json" };
    const config = configFromContext((key) => context[key], ROOT);
    expect(config.pagePrefixes).toEqual(["/blog/"]);
    expect(config.alarmEmail).toBe("you@example.com");
  });

  it("stops with a clear message when the Lambda bundles have not been built", async () => {
    const empty = await tempDir();
    expect(() => stack({}, empty)).toThrow(
      /ingest Lambda bundle .*index\.mjs is missing: run npm run bundle:lambdas/,
    );
  });
});

describe("infra: stack with a new log bucket", () => {
  const template = synth({ logPrefix: "cf/", newBucket: { expireLogsAfterDays: 90 } });

  it("keeps the counts in an on-demand, encrypted, point-in-time recovered table that outlives the stack", () => {
    const table = only(template, "AWS::DynamoDB::Table");
    expect(table.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "UserPages", KeyType: "HASH" },
        { AttributeName: "SortKey", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "UserPages", AttributeType: "S" },
        { AttributeName: "SortKey", AttributeType: "S" },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
    // No retention configured: no TTL, and the ingest function stamps no expiry.
    expect(table.Properties.TimeToLiveSpecification).toBeUndefined();
    expect(
      fn(template, "pagetrack: counts").Properties.Environment.Variables.PAGETRACK_RETENTION_DAYS,
    ).toBeUndefined();
  });

  it("creates the log bucket as CloudFront standard logging needs it: ACLs on, private, encrypted, expiring", () => {
    const bucket = only(template, "AWS::S3::Bucket");
    expect(bucket.Properties).toMatchObject({
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerPreferred" }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Status: "Enabled", ExpirationInDays: 90 }),
    );
    expect(bucket.DeletionPolicy).toBe("Retain");
  });

  it("refuses plain HTTP and lets S3 and CloudFront (2024) log delivery write only under the prefix", () => {
    const policy = only(template, "AWS::S3::BucketPolicy").Properties.PolicyDocument.Statement as Cfn[];
    expect(policy).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
    for (const service of ["logging.s3.amazonaws.com", "delivery.logs.amazonaws.com"]) {
      const put = policy.find((s) => s.Principal?.Service === service && s.Action === "s3:PutObject");
      expect(put, service).toBeDefined();
      expect(JSON.stringify(put.Resource)).toContain('"/cf/*"');
      expect(put.Condition.StringEquals["aws:SourceAccount"]).toEqual({ Ref: "AWS::AccountId" });
    }
  });

  it("covers a CloudFront standard logging (v2) key, delivered as docs/deploy.md sets it up, with the bucket policy, the notification and the read grant", () => {
    // v2 puts AWSLogs/<account>/CloudFront/ after the destination ARN's path: with the destination
    // arn:aws:s3:::<bucket>/<LogPrefix> the key starts with the prefix (whether or not the delivery
    // adds a "/" of its own); with a bare bucket ARN it would not.
    const v2Keys = [
      "cf/AWSLogs/123456789012/CloudFront/E1ABCDEF2GHIJK.2026-11-27-02.0a1b2c3d.gz",
      "cf//AWSLogs/123456789012/CloudFront/E1ABCDEF2GHIJK.2026-11-27-02.0a1b2c3d.gz",
    ];
    const outside = "AWSLogs/123456789012/CloudFront/E1ABCDEF2GHIJK.2026-11-27-02.0a1b2c3d.gz";
    const bucketId = Object.keys(resources(template, "AWS::S3::Bucket"))[0];
    /** The key pattern of a `<bucket ARN>/<pattern>` resource of this bucket. */
    const keyPattern = (resource: Cfn): string => {
      const [sep, parts] = resource["Fn::Join"];
      expect(sep).toBe("");
      expect(parts[0]).toEqual({ "Fn::GetAtt": [bucketId, "Arn"] });
      return String(parts[1]).replace(/^\//, "");
    };
    /** IAM's matching of a resource pattern: `*` is any run of characters, the rest is literal. */
    const matches = (pattern: string, key: string) => {
      const literal = (part: string) => part.replace(/[.+?^$|()[\]{}\\]/g, "\\$&");
      return new RegExp(`^${pattern.split("*").map(literal).join(".*")}$`).test(key);
    };
    const policy = only(template, "AWS::S3::BucketPolicy").Properties.PolicyDocument.Statement as Cfn[];
    const delivery = policy.find((s) => s.Sid === "AWSLogDeliveryWrite");
    expect(delivery.Principal).toEqual({ Service: "delivery.logs.amazonaws.com" });
    const filter = template.findResources("Custom::S3BucketNotifications");
    const rules = (Object.values(filter)[0] as Resource).Properties.NotificationConfiguration
      .QueueConfigurations[0].Filter.Key.FilterRules as { Name: string; Value: string }[];
    const ingest = fn(template, "pagetrack: counts");
    const read = statements(template).find(
      (s) => s.roles.includes(roleOf(ingest)) && asList(s.statement.Action).includes("s3:GetObject"),
    );
    for (const key of v2Keys) {
      expect(matches(keyPattern(delivery.Resource), key), key).toBe(true);
      expect(matches(keyPattern(read?.statement.Resource), key), key).toBe(true);
      expect(
        rules.every((r) => r.Name !== "prefix" || key.startsWith(r.Value)),
        key,
      ).toBe(true);
      expect(
        rules.every((r) => r.Name !== "suffix" || key.endsWith(r.Value)),
        key,
      ).toBe(true);
    }
    expect(matches(keyPattern(delivery.Resource), outside)).toBe(false);
    expect(rules.every((r) => r.Name !== "prefix" || outside.startsWith(r.Value))).toBe(false);
  });

  it("sets up CloudFront standard logging (v2) in docs/deploy.md with a destination under the prefix", async () => {
    const docs = await readFile(join(ROOT, "docs/deploy.md"), "utf8");
    expect(docs).toContain("destinationResourceArn=arn:aws:s3:::<LogBucket>/<LogPrefix>");
    expect(docs).not.toMatch(/destinationResourceArn=arn:aws:s3:::<LogBucket>(\s|$)/);
  });

  const queueIds = () => {
    const queues = Object.entries(resources(template, "AWS::SQS::Queue"));
    const ingestQueue = queues.find(([, q]) => q.Properties.RedrivePolicy)?.[0] as string;
    const deadLetters = queues.find(([, q]) => !q.Properties.RedrivePolicy)?.[0] as string;
    return { ingestQueue, deadLetters };
  };

  it("announces new log objects under the prefix in a queue that only this bucket may send to", () => {
    const { ingestQueue } = queueIds();
    template.hasResourceProperties("Custom::S3BucketNotifications", {
      Managed: true,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ["s3:ObjectCreated:*"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "cf/" }] } },
            QueueArn: { "Fn::GetAtt": [ingestQueue, "Arn"] },
          },
        ],
      },
    });
    const policies = Object.values(resources(template, "AWS::SQS::QueuePolicy"));
    const send = policies
      .flatMap((p) => asList(p.Properties.PolicyDocument.Statement) as Cfn[])
      .find((st) => st.Effect === "Allow" && asList(st.Action).includes("sqs:SendMessage"));
    expect(send.Principal).toEqual({ Service: "s3.amazonaws.com" });
    expect(send.Condition.ArnLike["aws:SourceArn"]).toBeDefined();
    // Only the log bucket of this account: not a bucket of the same name in another one.
    expect(send.Condition.StringEquals).toEqual({ "aws:SourceAccount": { Ref: "AWS::AccountId" } });
    // S3 no longer invokes the function itself.
    for (const permission of Object.values(resources(template, "AWS::Lambda::Permission")))
      expect(permission.Properties.Principal).not.toBe("s3.amazonaws.com");
  });

  it("feeds the ingest function batches from the queue, a few at a time, with partial batch failures", () => {
    const { ingestQueue } = queueIds();
    const ingest = fn(template, "pagetrack: counts");
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: ingest.id },
      EventSourceArn: { "Fn::GetAtt": [ingestQueue, "Arn"] },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 60,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    // Lambda's advice: a visibility timeout of six times the function's timeout at least.
    const visibility = resources(template, "AWS::SQS::Queue")[ingestQueue].Properties.VisibilityTimeout;
    expect(visibility).toBeGreaterThanOrEqual(6 * ingest.Properties.Timeout);
    // No asynchronous invocations any more: nothing to retry there.
    template.resourceCountIs("AWS::Lambda::EventInvokeConfig", 0);
  });

  it("runs both functions on Node.js 24 (bundles built for node22 run on it), on arm64, from the prebuilt bundles", () => {
    for (const description of ["pagetrack: counts", "pagetrack: HTTP API"]) {
      const { Properties: p } = fn(template, description);
      const version = /^nodejs(\d+)\.x$/.exec(p.Runtime);
      expect(version, `${description}: runtime ${p.Runtime}`).not.toBeNull();
      expect(Number(version?.[1])).toBe(24);
      expect(p.Architectures).toEqual(["arm64"]);
      expect(p.Handler).toBe("index.handler");
      expect(p.Code.S3Key).toMatch(/\.zip$/);
    }
  });

  it("sizes ingest for a 100 MB log: a full vCPU, minutes of time, /tmp for the spool", () => {
    const { Properties: p } = fn(template, "pagetrack: counts");
    expect(p.MemorySize).toBeGreaterThanOrEqual(1769);
    expect(p.Timeout).toBeGreaterThanOrEqual(300);
    expect(p.Timeout).toBeLessThanOrEqual(900);
    expect(p.EphemeralStorage.Size).toBeGreaterThanOrEqual(1024);
  });

  it("calls the ingest function every 15 minutes to roll the pending hours up", () => {
    const ingest = fn(template, "pagetrack: counts");
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(15 minutes)",
      State: "ENABLED",
      Targets: [{ Arn: { "Fn::GetAtt": [ingest.id, "Arn"] }, RetryPolicy: { MaximumRetryAttempts: 0 } }],
    });
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Principal: "events.amazonaws.com",
      FunctionName: { "Fn::GetAtt": [ingest.id, "Arn"] },
    });
  });

  it("moves files that failed five times to a dead-letter queue with an alarm on it", () => {
    const { ingestQueue, deadLetters } = queueIds();
    template.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [deadLetters, "Arn"] }, maxReceiveCount: 5 },
    });
    for (const id of [ingestQueue, deadLetters])
      expect(resources(template, "AWS::SQS::Queue")[id].Properties.SqsManagedSseEnabled).toBe(true);
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [deadLetters, "QueueName"] } }],
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 1,
    });
    // The topic exists without an e-mail address too, for any subscriber; every alarm notifies it.
    template.resourceCountIs("AWS::SNS::Topic", 1);
    template.resourceCountIs("AWS::SNS::Subscription", 0);
    const topicId = Object.keys(resources(template, "AWS::SNS::Topic"))[0];
    const alarms = Object.values(resources(template, "AWS::CloudWatch::Alarm"));
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(template.findOutputs("AlarmTopic").AlarmTopic.Value).toEqual({ Ref: topicId });
    // What sending the dead letters back after an outage needs (docs/deploy.md).
    expect(template.findOutputs("IngestFailureQueueArn").IngestFailureQueueArn.Value).toEqual({
      "Fn::GetAtt": [deadLetters, "Arn"],
    });
  });

  it("alarms on a failed rollup and on counts left waiting, as the ingest function reports them", () => {
    // The line a failed rollup logs (src/lambda/ingest.ts), counted by a metric filter.
    template.hasResourceProperties("AWS::Logs::MetricFilter", {
      FilterPattern: '{ $.rollup = "failed" }',
      MetricTransformations: [
        { MetricNamespace: "pagetrack", MetricName: "RollupFailures", MetricValue: "1" },
      ],
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "pagetrack",
      MetricName: "RollupFailures",
      Threshold: 1,
      TreatMissingData: "notBreaching",
    });
    // The age of the oldest pending hour after each rollup and batch (embedded metric format).
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "pagetrack",
      MetricName: "OldestPendingHourSeconds",
      Dimensions: [{ Name: "Site", Value: "default" }],
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 3 * 3600,
      Period: 3600,
      TreatMissingData: "notBreaching",
    });
  });

  it("puts the API function behind an HTTP API with CORS, GET routes, payload 2.0 and a throttled stage", () => {
    const api = fn(template, "pagetrack: HTTP API");
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      ProtocolType: "HTTP",
      CorsConfiguration: {
        AllowOrigins: ["*"],
        AllowMethods: ["GET", "OPTIONS"],
        AllowHeaders: ["authorization", "content-type"],
      },
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
      IntegrationType: "AWS_PROXY",
      PayloadFormatVersion: "2.0",
      IntegrationUri: { "Fn::GetAtt": [api.id, "Arn"] },
    });
    const routes = Object.values(resources(template, "AWS::ApiGatewayV2::Route")).map(
      (r) => r.Properties.RouteKey,
    );
    expect(routes).toEqual(["GET /{proxy+}"]);
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const env = api.Properties.Environment.Variables;
    expect(env.PAGETRACK_API_TOKEN).toBeUndefined();
    expect(env.PAGETRACK_CORS_ORIGINS).toBe("*");
  });

  it("logs every API request to a log group that expires, without the caller's IP address or user agent", () => {
    const stage = only(template, "AWS::ApiGatewayV2::Stage");
    const settings = stage.Properties.AccessLogSettings;
    const groupId = settings.DestinationArn["Fn::GetAtt"][0];
    expect(settings.DestinationArn).toEqual({ "Fn::GetAtt": [groupId, "Arn"] });
    expect(resources(template, "AWS::Logs::LogGroup")[groupId].Properties.RetentionInDays).toBe(30);
    const format = JSON.parse(settings.Format);
    expect(format).toMatchObject({ requestId: "$context.requestId", status: "$context.status" });
    expect(settings.Format).not.toMatch(/sourceIp|userAgent|identity/);
  });

  it("lets each function write only its own log group: no AWSLambdaBasicExecutionRole, no logs action on *", () => {
    for (const description of ["pagetrack: counts", "pagetrack: HTTP API"]) {
      const f = fn(template, description);
      const role = resources(template, "AWS::IAM::Role")[roleOf(f)];
      expect(role.Properties.ManagedPolicyArns, description).toBeUndefined();
      const logs = statements(template).filter(
        (s) => s.roles.includes(roleOf(f)) && asList(s.statement.Action).some((a) => a.startsWith("logs:")),
      );
      expect(logs, description).toHaveLength(1);
      expect(asList(logs[0].statement.Action).sort()).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
      const groupId = f.Properties.LoggingConfig.LogGroup.Ref;
      expect(logs[0].statement.Resource).toEqual({ "Fn::GetAtt": [groupId, "Arn"] });
    }
  });

  it("gives every function, CDK's notification handler included, a log group that expires", () => {
    const groups = resources(template, "AWS::Logs::LogGroup");
    const functions = Object.values(resources(template, "AWS::Lambda::Function"));
    expect(functions.length).toBe(3);
    for (const f of functions) {
      const ref = f.Properties.LoggingConfig?.LogGroup?.Ref;
      expect(groups[ref], String(f.Properties.Description)).toBeDefined();
      expect(groups[ref].Properties.RetentionInDays).toBe(30);
    }
  });

  it("outputs the API URL, table, bucket and prefix", () => {
    const outputs = template.findOutputs("*");
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(["ApiUrl", "TableName", "LogBucket", "LogPrefix"]),
    );
    expect(outputs.LogPrefix.Value).toBe("cf/");
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain(".execute-api.");
  });
});

describe("infra: least privilege", () => {
  const configs = {
    "new bucket": {},
    "existing bucket": { existingBucket: "old-logs", logPrefix: "logs/", retentionDays: 30 },
  };

  describe.each(Object.entries(configs))("%s", (_, config) => {
    const template = synth(config);
    const api = fn(template, "pagetrack: HTTP API");
    const ingest = fn(template, "pagetrack: counts");

    // What each role allows is derived from the calls its handler makes in test/lambda.test.ts; these
    // assertions keep the API read-only whatever is added.
    it("lets the API role only read the table: GetItem, BatchGetItem and Query, no write, no Scan, no S3", () => {
      const actions = actionsOfRole(template, roleOf(api));
      expect(actions.filter((a) => a.startsWith("dynamodb:")).sort()).toEqual([
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:Query",
      ]);
      for (const forbidden of WRITES_AND_SCANS) expect(actions).not.toContain(forbidden);
      expect(actions.some((a) => a === "*" || a.startsWith("s3:") || a === "dynamodb:*")).toBe(false);
    });

    it("lets the ingest role write only the table and read only the log objects", () => {
      const own = statements(template).filter((s) => s.roles.includes(roleOf(ingest)));
      const dynamo = own.filter((s) => asList(s.statement.Action).some((a) => a.startsWith("dynamodb:")));
      expect(dynamo.flatMap((s) => asList(s.statement.Action)).sort()).toEqual([
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
      ]);
      const tableId = Object.keys(resources(template, "AWS::DynamoDB::Table"))[0];
      for (const s of dynamo) expect(s.statement.Resource).toEqual({ "Fn::GetAtt": [tableId, "Arn"] });
      const s3 = own.filter((s) => asList(s.statement.Action).some((a) => a.startsWith("s3:")));
      expect(s3.flatMap((s) => asList(s.statement.Action))).toEqual(["s3:GetObject"]);
      expect(s3).toHaveLength(1);
      const resource = JSON.stringify(s3[0].statement.Resource);
      if ("existingBucket" in config) {
        expect(s3[0].statement.Resource).toEqual({
          "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":s3:::old-logs/logs/*"]],
        });
      } else {
        const bucketId = Object.keys(resources(template, "AWS::S3::Bucket"))[0];
        expect(resource).toBe(
          JSON.stringify({ "Fn::Join": ["", [{ "Fn::GetAtt": [bucketId, "Arn"] }, "/*"]] }),
        );
      }
    });

    it("has no statement anywhere that allows a DynamoDB or S3 action on every resource", () => {
      expect(statements(template).length).toBeGreaterThan(3);
      expect(wildcardViolations(template)).toEqual([]);
      const everything = statements(template).flatMap((s) => asList(s.statement.Action));
      expect(everything).not.toContain("dynamodb:Scan");
      expect(everything.filter((a) => a.endsWith(":*"))).toEqual([]);
    });

    it("hands the functions settings that the runtime accepts", () => {
      for (const f of [api, ingest]) {
        const env = { ...f.Properties.Environment.Variables, TARGET_DYNAMO_TABLE: "pagetrack-table" };
        expect(() => configFromEnv(env)).not.toThrow();
      }
    });
  });

  it("catches a policy with a DynamoDB or S3 action on every resource", () => {
    for (const action of ["dynamodb:Scan", "s3:PutBucketNotification", "*"]) {
      const s = stack();
      const role = s.node.findAll().find((c): c is Role => c instanceof Role);
      role?.addToPrincipalPolicy(new PolicyStatement({ actions: [action], resources: ["*"] }));
      expect(wildcardViolations(Template.fromStack(s)), action).toHaveLength(1);
    }
    // An inline policy on a role counts as much as a policy resource.
    const s = stack();
    new Role(s, "Extra", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      inlinePolicies: {
        everything: new PolicyDocument({
          statements: [new PolicyStatement({ actions: ["s3:GetObject"], resources: ["*"] })],
        }),
      },
    });
    expect(wildcardViolations(Template.fromStack(s))).toHaveLength(1);
  });

  it("catches an API role that may write or scan", () => {
    const s = stack();
    const template = () => Template.fromStack(s);
    (s.node.findChild("Api") as LambdaFunction).addToRolePolicy(
      new PolicyStatement({
        actions: ["dynamodb:PutItem", "dynamodb:Scan"],
        resources: ["arn:aws:dynamodb:::table/x"],
      }),
    );
    const actions = actionsOfRole(template(), roleOf(fn(template(), "pagetrack: HTTP API")));
    expect(WRITES_AND_SCANS.filter((a) => actions.includes(a))).toEqual([
      "dynamodb:PutItem",
      "dynamodb:Scan",
    ]);
  });
});

describe("infra: stack with an existing bucket, retention and a token", () => {
  const template = synth({
    site: "Richard",
    existingBucket: "old-logs",
    logPrefix: "logs/",
    retentionDays: 400,
    apiToken: "s3cret-token-0123456789",
    corsOrigins: ["https://example.com", "https://www.example.com"],
    throttle: { rateLimit: 5, burstLimit: 10 },
    logRetentionDays: 90,
    alarmEmail: "me@example.com",
  });

  it("creates no bucket and adds its notification to the existing one, filtered by the prefix", () => {
    template.resourceCountIs("AWS::S3::Bucket", 0);
    template.resourceCountIs("AWS::S3::BucketPolicy", 0);
    template.hasResourceProperties("Custom::S3BucketNotifications", {
      BucketName: "old-logs",
      // Not managed: the handler keeps the bucket's other notifications.
      Managed: false,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ["s3:ObjectCreated:*"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "logs/" }] } },
          },
        ],
      },
    });
  });

  it("scopes the notification handler's S3 permissions to that bucket", () => {
    const handler = statements(template).filter((s) =>
      asList(s.statement.Action).some((a) => a.endsWith("BucketNotification")),
    );
    expect(handler.map((s) => s.statement.Action).sort()).toEqual([
      "s3:GetBucketNotification",
      "s3:PutBucketNotification",
    ]);
    for (const s of handler) {
      expect(s.statement.Resource).toEqual({
        "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":s3:::old-logs"]],
      });
    }
  });

  it("enables the TTL attribute and tells the ingest function the retention", () => {
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
    const env = fn(template, "pagetrack: counts").Properties.Environment.Variables;
    expect(env).toMatchObject({ PAGETRACK_RETENTION_DAYS: "400", PAGETRACK_SITE: "Richard" });
  });

  it("gives the API the token, the origins and the throttle", () => {
    const env = fn(template, "pagetrack: HTTP API").Properties.Environment.Variables;
    expect(env).toMatchObject({
      PAGETRACK_API_TOKEN: "s3cret-token-0123456789",
      PAGETRACK_CORS_ORIGINS: "https://example.com,https://www.example.com",
      PAGETRACK_SITE: "Richard",
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      CorsConfiguration: { AllowOrigins: ["https://example.com", "https://www.example.com"] },
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    const runtime = configFromEnv({ ...env, TARGET_DYNAMO_TABLE: "pagetrack-table" });
    expect(runtime.PAGETRACK_API_TOKEN).toBe("s3cret-token-0123456789");
    expect(runtime.PAGETRACK_CORS_ORIGINS).toEqual(["https://example.com", "https://www.example.com"]);
  });

  it("mails the alarm and keeps logs for the configured time", () => {
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "me@example.com",
    });
    const topicId = Object.keys(resources(template, "AWS::SNS::Topic"))[0];
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmActions: [{ Ref: topicId }] });
    for (const group of Object.values(resources(template, "AWS::Logs::LogGroup")))
      expect(group.Properties.RetentionInDays).toBe(90);
    // The two functions', the notification handler's and the API's access log.
    template.resourceCountIs("AWS::Logs::LogGroup", 4);
  });

  it("outputs the existing bucket and its prefix", () => {
    const outputs = template.findOutputs("*");
    expect(outputs.LogBucket.Value).toBe("old-logs");
    expect(outputs.LogPrefix.Value).toBe("logs/");
    expect(outputs.LogLocation.Value).toBe("s3://old-logs/logs/");
  });

  it("keeps the table when the stack goes", () => {
    template.hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
  });
});

describe("infra: a kept table adopted (existingTable)", () => {
  const template = synth({ existingTable: "pagetrack-kept" });

  it("creates no table, and points both functions and their roles at the kept one", () => {
    template.resourceCountIs("AWS::DynamoDB::Table", 0);
    for (const description of ["pagetrack: HTTP API", "pagetrack: counts"])
      expect(fn(template, description).Properties.Environment.Variables.TARGET_DYNAMO_TABLE).toBe(
        "pagetrack-kept",
      );
    const policies = JSON.stringify(resources(template, "AWS::IAM::Policy"));
    expect(policies).toContain(":table/pagetrack-kept");
    expect(template.findOutputs("TableName").TableName.Value).toBe("pagetrack-kept");
  });
});

describe("infra: cdk-nag AwsSolutions checks", () => {
  /** The findings of cdk-nag's AwsSolutions pack that the stack does not acknowledge (with a reason). */
  const unacknowledged = (s: Stack) => {
    App.of(s)?.synth();
    return new AwsSolutionsChecks()
      .validateScope(s)
      .violations.map(
        (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(", ")}`,
      );
  };

  it.each([
    ["defaults", {}],
    ["a new bucket with a prefix", { logPrefix: "cf/", alarmEmail: "me@example.com" }],
    [
      "an existing bucket, a token and an alarm",
      {
        existingBucket: "old-logs",
        logPrefix: "logs/",
        apiToken: "s3cret-token-0123456789",
        alarmEmail: "me@example.com",
        retentionDays: 400,
      },
    ],
    ["a kept table adopted", { existingTable: "pagetrack-kept", existingBucket: "old-logs" }],
  ])("finds nothing unacknowledged with %s", (_, config) => {
    expect(unacknowledged(stack(config))).toEqual([]);
  });

  it("fails on a finding nobody acknowledged", () => {
    const s = stack();
    new Role(s, "Careless", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      inlinePolicies: {
        everything: new PolicyDocument({
          statements: [new PolicyStatement({ actions: ["s3:GetObject"], resources: ["*"] })],
        }),
      },
    });
    expect(unacknowledged(s)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::\*\] at Test\/Careless/),
    ]);
  });
});
