import { copyFileSync, cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import {
  CfnOutput,
  CfnResource,
  Duration,
  RemovalPolicy,
  Size,
  Stack,
  type StackProps,
  Validations,
} from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { CorsHttpMethod, HttpApi, HttpMethod, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction as FunctionTarget } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, CfnFunction, Code, Function as LambdaFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  EventType,
  type IBucket,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { SqsDestination } from "aws-cdk-lib/aws-s3-notifications";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { PK, SK } from "../src/store/keys.js";
import type { PagetrackConfig } from "./config.js";

const ROOT = resolve(import.meta.dirname, "..");

/** Where scripts/bundle.ts leaves the two functions (cdk.json runs it before the app). */
export const BUNDLE_DIR = join(ROOT, "dist/lambda-bundles");

/**
 * Node.js 24 (Lambda's nodejs24.x, since Nov 2025): supported by Node.js until April 2028, where
 * Node.js 22 ends in April 2027 and Lambda deprecates nodejs22.x soon after, so a stack deployed now
 * would need another runtime within months. The bundles are built for node22 (scripts/bundle.ts),
 * which Node.js 24 runs as they are; both handlers are async, as nodejs24.x requires (it dropped
 * callback handlers). See docs/deploy.md.
 */
export const RUNTIME = Runtime.NODEJS_24_X;

/** The attribute raw view items expire by (src/store/views.ts). */
export const TTL_ATTRIBUTE = "expiresAt";

/**
 * Sizing of the ingest function for one 100 MB gzipped CloudFront log (~1.4M lines, ~200k views),
 * from a local run on such a file (docs/deploy.md):
 * - memory buys CPU, not room: the parse of both reads (~2 s per million lines each) and the SDK's
 *   marshalling of ~8k BatchWriteItem requests all run on the one JavaScript thread, and Lambda
 *   gives exactly one vCPU at 1,769 MB. The process needs far less (parsing alone peaks at 130 MB;
 *   ingesting with the embedded database in the same process, 480 MB);
 * - the writes set the duration: ~200k write units on a new on-demand table, which starts at 4,000
 *   a second, take 50 s or more with throttling retries, so a few minutes in all. 10 minutes leaves
 *   room for a slow table; a run that times out is retried and skips what is already written;
 * - /tmp holds the compressed object for the second read: 1 GiB is ten 100 MB files.
 */
export const INGEST = { memoryMb: 1769, timeout: Duration.minutes(10), tmpMb: 1024 } as const;

/**
 * The queue between the log bucket and the ingest function. Lambda asks for a visibility timeout of
 * at least six times the function's timeout, so that a batch whose function was throttled can be
 * retried before it shows up again; a batch that fails three times goes to the dead-letter queue.
 */
export const QUEUE = { visibility: Duration.minutes(60), receives: 3 } as const;

/** The fields of the HTTP API's access log (API Gateway's $context variables); no IP, no user agent. */
export const API_ACCESS_LOG = {
  requestId: "$context.requestId",
  time: "$context.requestTime",
  method: "$context.httpMethod",
  path: "$context.path",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationLatencyMs: "$context.integrationLatency",
  integrationError: "$context.integrationErrorMessage",
  error: "$context.error.message",
} as const;

/** The API reads a few items per request; 512 MB keeps its cold start short. */
export const API = { memoryMb: 512, timeout: Duration.seconds(15) } as const;

export interface PagetrackStackProps extends StackProps {
  config: PagetrackConfig;
  /** Directory holding api/ and ingest/ bundles; for tests. */
  bundleDir?: string;
}

/** Table, log bucket, ingest and API functions, and the HTTP API of one pagetrack site. */
export class PagetrackStack extends Stack {
  constructor(scope: Construct, id: string, props: PagetrackStackProps) {
    super(scope, id, props);
    const { config } = props;
    const bundles = props.bundleDir ?? BUNDLE_DIR;
    /** A function's bundle, with a file beside it when one is given (staged apart: the bundle stays as built). */
    const code = (name: string, extra?: string) => {
      let dir = join(bundles, name);
      if (!existsSync(join(dir, "index.mjs"))) {
        throw new Error(
          `the ${name} Lambda bundle ${relative(process.cwd(), join(dir, "index.mjs"))} is missing: run npm run bundle:lambdas first`,
        );
      }
      if (extra) {
        const staged = mkdtempSync(join(tmpdir(), `pagetrack-${name}-`));
        cpSync(dir, staged, { recursive: true });
        copyFileSync(extra, join(staged, basename(extra)));
        dir = staged;
      }
      return Code.fromAsset(dir);
    };
    const logGroup = (id: string) =>
      new LogGroup(this, id, { retention: config.logRetentionDays, removalPolicy: RemovalPolicy.DESTROY });
    /**
     * A function's role: it may write its own log group and nothing else until given more (instead of
     * AWSLambdaBasicExecutionRole, whose logs:CreateLogGroup, CreateLogStream and PutLogEvents are on `*`).
     */
    const roleWritingTo = (id: string, logs: LogGroup) => {
      const role = new Role(this, id, { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: "OwnLogGroup",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          // The group's ARN ends in ":*": its log streams.
          resources: [logs.logGroupArn],
        }),
      );
      return role;
    };

    // The counts are the point of the whole stack: the table outlives it.
    const table = new Table(this, "Table", {
      tableName: config.tableName,
      partitionKey: { name: PK, type: AttributeType.STRING },
      sortKey: { name: SK, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: config.retentionDays ? TTL_ATTRIBUTE : undefined,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const prefix = config.logPrefix;
    const bucket = this.logBucket(config);
    const common = {
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      handler: "index.handler",
    };
    const shared = {
      TARGET_DYNAMO_TABLE: table.tableName,
      PAGETRACK_SITE: config.site,
    };

    // New log files are announced in a queue; the function takes them in batches, at most
    // `maxConcurrency` batches at once, so that a flood of files cannot take the account's
    // concurrency or heat the table. It counts each file and leaves its hours pending; a schedule
    // calls it to roll the pending hours up, once for all the files of the interval (docs/deploy.md).
    const failures = new Queue(this, "IngestFailures", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const queue = new Queue(this, "NewLogs", {
      visibilityTimeout: QUEUE.visibility,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: failures, maxReceiveCount: QUEUE.receives },
    });
    const ingestLogs = logGroup("IngestLogs");
    const ingest = new LambdaFunction(this, "Ingest", {
      ...common,
      description: "pagetrack: counts the page views of new log files",
      // The IP-to-country database goes with the function only when the configuration names one.
      code: code("ingest", config.ipCountryDatabase),
      memorySize: INGEST.memoryMb,
      timeout: INGEST.timeout,
      ephemeralStorageSize: Size.mebibytes(INGEST.tmpMb),
      logGroup: ingestLogs,
      role: roleWritingTo("IngestRole", ingestLogs),
      environment: definedOnly({
        ...shared,
        PAGETRACK_FORMAT: config.format,
        PAGETRACK_RAW: String(config.raw),
        PAGETRACK_RETENTION_DAYS: config.retentionDays?.toString(),
        PAGETRACK_INCLUDE_BOTS: String(config.includeBots),
        PAGETRACK_PREFIXES: config.pagePrefixes.join(","),
        PAGETRACK_EXCLUDES: config.pageExcludes.join(","),
        PAGETRACK_OWN_HOSTS: config.ownHosts.join(","),
        PAGETRACK_TIME_ZONE: config.timeZone,
        PAGETRACK_IP_COUNTRY: config.ipCountryDatabase && basename(config.ipCountryDatabase),
      }),
    });
    ingest.addEventSource(
      new SqsEventSource(queue, {
        batchSize: config.ingest.batchSize,
        maxBatchingWindow: Duration.seconds(config.ingest.batchWindowSeconds),
        maxConcurrency: config.ingest.maxConcurrency,
        // The handler names the messages whose files failed; the others leave the queue.
        reportBatchItemFailures: true,
      }),
    );
    ingest.addToRolePolicy(
      new PolicyStatement({
        sid: "WriteCounts",
        actions: [
          "dynamodb:GetItem",
          "dynamodb:BatchGetItem",
          "dynamodb:Query",
          "dynamodb:UpdateItem",
          // Replaces a day's visitor set only if no other rollup changed it since it was read.
          "dynamodb:PutItem",
          // Puts items, and deletes the markers of hours rolled up.
          "dynamodb:BatchWriteItem",
        ],
        resources: [table.tableArn],
      }),
    );
    ingest.addToRolePolicy(
      new PolicyStatement({
        sid: "ReadLogs",
        actions: ["s3:GetObject"],
        resources: [bucket.arnForObjects(`${prefix}*`)],
      }),
    );
    bucket.addEventNotification(
      EventType.OBJECT_CREATED,
      new SqsDestination(queue),
      ...(prefix ? [{ prefix }] : []),
    );
    new Rule(this, "Rollup", {
      description: "pagetrack: adds up what the ingest function counted since the last time",
      schedule: Schedule.rate(Duration.minutes(config.ingest.rollupMinutes)),
      targets: [new FunctionTarget(ingest, { retryAttempts: 0 })],
    });

    const alarm = new Alarm(this, "IngestFailuresAlarm", {
      alarmDescription: "pagetrack: log files failed to ingest three times (see the IngestFailures queue)",
      metric: failures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: "Maximum",
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (config.alarmEmail) {
      const topic = new Topic(this, "Alarms", { enforceSSL: true });
      topic.addSubscription(new EmailSubscription(config.alarmEmail));
      alarm.addAlarmAction(new SnsAction(topic));
    }

    const apiLogs = logGroup("ApiLogs");
    const api = new LambdaFunction(this, "Api", {
      ...common,
      description: "pagetrack: HTTP API",
      code: code("api"),
      memorySize: API.memoryMb,
      timeout: API.timeout,
      logGroup: apiLogs,
      role: roleWritingTo("ApiRole", apiLogs),
      // The runtime reads its settings from the environment only, so the token is one too (docs/deploy.md).
      environment: definedOnly({
        ...shared,
        PAGETRACK_CORS_ORIGINS: config.corsOrigins.join(","),
        PAGETRACK_API_TOKEN: config.apiToken,
        PAGETRACK_CACHE_SECONDS: String(config.cacheSeconds),
      }),
    });
    // Reads only, and only the calls the API makes (test/lambda.test.ts records them and compares):
    // BatchGetItem fetches the day items of a monthly series in a zone other than UTC.
    api.addToRolePolicy(
      new PolicyStatement({
        sid: "ReadCounts",
        actions: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
        resources: [table.tableArn],
      }),
    );

    const httpApi = new HttpApi(this, "HttpApi", {
      apiName: `${this.stackName}-api`,
      description: "pagetrack page views",
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: config.corsOrigins,
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.OPTIONS],
        allowHeaders: ["authorization", "content-type"],
        maxAge: Duration.days(1),
      },
    });
    // GET only: anything else is answered by API Gateway without invoking (and paying for) the function.
    const [route] = httpApi.addRoutes({
      path: "/{proxy+}",
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration("ApiIntegration", api),
    });
    const stage = httpApi.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: config.throttle,
      // One line per request, without the caller's IP address or user agent: pagetrack counts
      // visitors without keeping who they are, and the API's own log should not either.
      accessLogSettings: {
        destination: new LogGroupLogDestination(logGroup("ApiAccessLogs")),
        format: AccessLogFormat.custom(JSON.stringify(API_ACCESS_LOG)),
      },
    });

    this.retainHelperLogs(config.logRetentionDays);
    this.explainNagFindings(config, { bucket, ingest, route });

    new CfnOutput(this, "ApiUrl", { value: stage.url, description: "base URL of the HTTP API" });
    new CfnOutput(this, "TableName", { value: table.tableName });
    new CfnOutput(this, "LogBucket", { value: bucket.bucketName });
    new CfnOutput(this, "LogPrefix", { value: prefix || "(none: the whole bucket)" });
    new CfnOutput(this, "LogLocation", {
      value: `s3://${bucket.bucketName}/${prefix}`,
      description: "where the logs go; backfill with: pagetrack ingest <this> --endpoint aws",
    });
    new CfnOutput(this, "IngestQueue", { value: queue.queueUrl });
    new CfnOutput(this, "IngestFailureQueue", { value: failures.queueUrl });
    new CfnOutput(this, "IngestLogGroup", { value: ingestLogs.logGroupName });
  }

  /** The bucket the logs arrive in: an existing one, or one made for CloudFront and S3 log delivery. */
  private logBucket(config: PagetrackConfig): IBucket {
    if ("existing" in config.logBucket) return Bucket.fromBucketName(this, "Logs", config.logBucket.existing);
    const bucket = new Bucket(this, "Logs", {
      // CloudFront's legacy standard logging writes with ACLs: they must stay enabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [
        {
          id: "expire-old-logs",
          expiration: Duration.days(config.logBucket.expireLogsAfterDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // S3 server access logging and CloudFront's 2024 logging deliver with a bucket policy, not ACLs.
    // Written here, so that AWS need not append it (and a later deploy need not undo that).
    const logs = bucket.arnForObjects(`${config.logPrefix}*`);
    const account = { "aws:SourceAccount": this.account };
    const fromLogDelivery = {
      ArnLike: { "aws:SourceArn": `arn:${this.partition}:logs:*:${this.account}:*` },
    };
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: "S3ServerAccessLogs",
        principals: [new ServicePrincipal("logging.s3.amazonaws.com")],
        actions: ["s3:PutObject"],
        resources: [logs],
        conditions: { StringEquals: account },
      }),
    );
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: "AWSLogDeliveryWrite",
        principals: [new ServicePrincipal("delivery.logs.amazonaws.com")],
        actions: ["s3:PutObject"],
        resources: [logs],
        conditions: {
          StringEquals: { ...account, "s3:x-amz-acl": "bucket-owner-full-control" },
          ...fromLogDelivery,
        },
      }),
    );
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: "AWSLogDeliveryAclCheck",
        principals: [new ServicePrincipal("delivery.logs.amazonaws.com")],
        actions: ["s3:GetBucketAcl", "s3:ListBucket"],
        resources: [bucket.bucketArn],
        conditions: { StringEquals: account, ...fromLogDelivery },
      }),
    );
    return bucket;
  }

  /**
   * The findings of cdk-nag's AwsSolutions checks that the stack keeps on purpose, each with its
   * reason (test/infra.test.ts runs the checks and fails on any finding not acknowledged here).
   */
  private explainNagFindings(
    config: PagetrackConfig,
    parts: { bucket: IBucket; ingest: LambdaFunction; route: Construct },
  ): void {
    const { bucket, ingest, route } = parts;
    // cdk-nag names a wildcard finding by the resource as it reads it; the log objects are one.
    const logObjects =
      bucket.node.defaultChild instanceof CfnResource
        ? `<${this.getLogicalId(bucket.node.defaultChild)}.Arn>/${config.logPrefix}*`
        : `arn:<AWS::Partition>:s3:::${bucket.bucketName}/${config.logPrefix}*`;
    if (ingest.role)
      Validations.of(ingest.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${logObjects}]`,
        reason:
          "s3:GetObject on the log files under the prefix: their names are not known in advance, and the function reads only the objects its notifications name",
      });
    Validations.of(route).acknowledge({
      id: "AwsSolutions-APIG4",
      reason:
        "the API answers read-only page counts meant for public pages (a view counter); an optional bearer token (apiToken) is checked by the function",
    });
    if (bucket.node.defaultChild instanceof CfnResource)
      Validations.of(bucket).acknowledge({
        id: "AwsSolutions-S1",
        reason:
          "the bucket holds access logs written by log delivery services; logging the reads of a log bucket would need yet another bucket and tell nothing pagetrack uses",
      });
    for (const child of this.node.findAll()) {
      if (child.node.id.startsWith("BucketNotificationsHandler"))
        Validations.of(child).acknowledge({
          id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
          reason:
            "the CDK's own bucket-notification handler (a singleton the CDK creates with this role) runs only during deploys; its S3 permissions are limited to the one bucket",
        });
    }
  }

  /**
   * CDK's own helper functions (the bucket-notification handler) are plain CloudFormation resources
   * whose log groups would never expire: give each a log group with the stack's retention.
   */
  private retainHelperLogs(retentionDays: number): void {
    for (const child of this.node.findAll()) {
      if (
        child instanceof CfnResource &&
        !(child instanceof CfnFunction) &&
        child.cfnResourceType === "AWS::Lambda::Function"
      ) {
        const group = new LogGroup(child.node.scope as Construct, "Logs", {
          retention: retentionDays,
          removalPolicy: RemovalPolicy.DESTROY,
        });
        child.addPropertyOverride("LoggingConfig.LogGroup", group.logGroupName);
      }
    }
  }
}

/** Environment variables without the unset ones (an empty variable counts as unset anyway). */
function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "",
    ),
  );
}
