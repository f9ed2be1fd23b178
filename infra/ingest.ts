import { basename } from "node:path";
import { Duration, Size, type Stack } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction as FunctionTarget } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { FilterPattern, type LogGroup, MetricFilter } from "aws-cdk-lib/aws-logs";
import {
  type BucketNotificationDestinationConfig,
  BucketNotificationDestinationType,
  EventType,
  type IBucket,
  type IBucketNotificationDestination,
} from "aws-cdk-lib/aws-s3";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { PENDING_AGE, ROLLUP_FAILED } from "../src/lambda/metrics.js";
import type { PagetrackConfig } from "./config.js";
import { definedOnly, FUNCTION_BASE, type FunctionParts } from "./functions.js";

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
 * retried before it shows up again; a file that fails five times (four hours of a table or S3 that
 * does not answer) goes to the dead-letter queue. A file that cannot be read for what it holds is
 * not retried at all (src/lambda/ingest.ts).
 */
export const QUEUE = { visibility: Duration.minutes(60), receives: 5 } as const;

/** The ingest function with what feeds it, and the queue of what failed. */
export interface IngestParts {
  ingest: LambdaFunction;
  ingestLogs: LogGroup;
  queue: Queue;
  failures: Queue;
}

/**
 * New log files are announced in a queue; the function takes them in batches, at most
 * `maxConcurrency` batches at once, so that a flood of files cannot take the account's concurrency
 * or heat the table. It counts each file and leaves its hours pending; a schedule calls it to roll
 * the pending hours up, once for all the files of the interval (docs/deploy.md).
 */
export function ingestPipeline(
  stack: Stack,
  parts: FunctionParts,
  config: PagetrackConfig,
  where: { table: ITable; bucket: IBucket },
): IngestParts {
  const { table, bucket } = where;
  const prefix = config.logPrefix;
  const failures = new Queue(stack, "IngestFailures", {
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  const queue = new Queue(stack, "NewLogs", {
    visibilityTimeout: QUEUE.visibility,
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    deadLetterQueue: { queue: failures, maxReceiveCount: QUEUE.receives },
  });
  const ingestLogs = parts.logGroup("IngestLogs");
  const ingest = new LambdaFunction(stack, "Ingest", {
    ...FUNCTION_BASE,
    description: "pagetrack: counts the page views of new log files",
    // The IP-to-country database goes with the function only when the configuration names one.
    code: parts.code("ingest", config.ipCountryDatabase),
    memorySize: INGEST.memoryMb,
    timeout: INGEST.timeout,
    ephemeralStorageSize: Size.mebibytes(INGEST.tmpMb),
    logGroup: ingestLogs,
    role: parts.roleWritingTo("IngestRole", ingestLogs),
    environment: ingestEnvironment(config, table),
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
    new QueueOfBucket(queue, stack.account),
    ...(prefix ? [{ prefix }] : []),
  );
  new Rule(stack, "Rollup", {
    description: "pagetrack: adds up what the ingest function counted since the last time",
    schedule: Schedule.rate(Duration.minutes(config.ingest.rollupMinutes)),
    targets: [new FunctionTarget(ingest, { retryAttempts: 0 })],
  });
  return { ingest, ingestLogs, queue, failures };
}

/**
 * The ingest queue as the log bucket's notification destination, as the CDK's SqsDestination makes
 * it but that S3 may send to it only for this bucket in this account: a bucket of the same name in
 * another account (after this one's is deleted, say) cannot (docs/deploy.md). The queue's encryption
 * is SQS-managed: no key to grant.
 */
class QueueOfBucket implements IBucketNotificationDestination {
  constructor(
    private readonly queue: Queue,
    private readonly account: string,
  ) {}

  bind(_scope: Construct, bucket: IBucket): BucketNotificationDestinationConfig {
    this.queue.grantSendMessages(
      new ServicePrincipal("s3.amazonaws.com", {
        conditions: {
          ArnLike: { "aws:SourceArn": bucket.bucketArn },
          StringEquals: { "aws:SourceAccount": this.account },
        },
      }),
    );
    return {
      arn: this.queue.queueArn,
      type: BucketNotificationDestinationType.QUEUE,
      dependencies: [this.queue],
    };
  }
}

/** The ingest function's settings (src/lambda/config.ts reads them). */
function ingestEnvironment(config: PagetrackConfig, table: ITable): Record<string, string> {
  return definedOnly({
    TARGET_DYNAMO_TABLE: table.tableName,
    PAGETRACK_SITE: config.site,
    PAGETRACK_FORMAT: config.format,
    PAGETRACK_RAW: String(config.raw),
    PAGETRACK_RETENTION_DAYS: config.retentionDays?.toString(),
    PAGETRACK_INCLUDE_BOTS: String(config.includeBots),
    PAGETRACK_PREFIXES: config.pagePrefixes.join(","),
    PAGETRACK_EXCLUDES: config.pageExcludes.join(","),
    PAGETRACK_STATUSES: config.countedStatuses?.join(","),
    PAGETRACK_OWN_HOSTS: config.ownHosts.join(","),
    PAGETRACK_TIME_ZONE: config.timeZone,
    PAGETRACK_IP_COUNTRY: config.ipCountryDatabase && basename(config.ipCountryDatabase),
  });
}

/**
 * The alarms of the ingest pipeline, each notifying one topic that always exists (its ARN is a stack
 * output, for any subscriber), which `alarmEmail` subscribes to: log files that failed every time
 * they were received (the dead-letter queue), rollups that failed (a scheduled event that fails is
 * dropped, and the counts would stop moving unheard), and counts left waiting: the oldest pending
 * hour older than three hours and three rollup intervals, as every rollup and every batch of files
 * reports it.
 */
export function alarms(
  stack: Stack,
  parts: { failures: Queue; ingestLogs: LogGroup },
  config: PagetrackConfig,
): Topic {
  const topic = new Topic(stack, "Alarms", { enforceSSL: true });
  if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));
  const action = new SnsAction(topic);
  const deadLetters = new Alarm(stack, "IngestFailuresAlarm", {
    alarmDescription: `pagetrack: log files failed to ingest ${QUEUE.receives} times (see the IngestFailures queue; docs/deploy.md says how to send them back)`,
    metric: parts.failures.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: "Maximum",
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const failedRollups = new MetricFilter(stack, "RollupFailures", {
    logGroup: parts.ingestLogs,
    filterPattern: FilterPattern.stringValue("$.rollup", "=", ROLLUP_FAILED),
    metricNamespace: PENDING_AGE.namespace,
    metricName: "RollupFailures",
    metricValue: "1",
  });
  const rollupAlarm = new Alarm(stack, "RollupFailuresAlarm", {
    alarmDescription:
      "pagetrack: a rollup failed (see the ingest function's log group): counts are not moving",
    metric: failedRollups.metric({ period: Duration.minutes(15), statistic: "Sum" }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const minutes = config.ingest.rollupMinutes;
  const waiting = new Alarm(stack, "PendingAgeAlarm", {
    alarmDescription:
      "pagetrack: counts wait for their rollup (the oldest pending hour is old, or no rollup reported): see the ingest function's log group",
    metric: new Metric({
      namespace: PENDING_AGE.namespace,
      metricName: PENDING_AGE.name,
      dimensionsMap: { [PENDING_AGE.dimension]: config.site },
      statistic: "Maximum",
      // Long enough to hold a rollup, however rarely they run.
      period: Duration.minutes(Math.max(60, 2 * minutes)),
    }),
    threshold: Math.max(3 * 3600, 3 * minutes * 60),
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    // Every rollup and every batch of files reports it: with the schedule gone, the batches still
    // do, and with neither, nothing waits. (A breach on missing data would ring at every deploy.)
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  for (const alarm of [deadLetters, rollupAlarm, waiting]) alarm.addAlarmAction(action);
  return topic;
}
