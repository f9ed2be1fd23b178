import { join, resolve } from "node:path";
import {
  CfnOutput,
  CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from "aws-cdk-lib";
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { CfnFunction, type Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import type { Topic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { PK, SK } from "../src/store/keys.js";
import { apiFunction, httpApi } from "./api.js";
import type { PagetrackConfig } from "./config.js";
import { FunctionParts } from "./functions.js";
import { alarms, type IngestParts, ingestPipeline } from "./ingest.js";

const ROOT = resolve(import.meta.dirname, "..");

/** Where scripts/bundle.ts leaves the two functions (cdk.json runs it before the app). */
export const BUNDLE_DIR = join(ROOT, "dist/lambda-bundles");

/** The attribute raw view items expire by (src/store/views.ts). */
export const TTL_ATTRIBUTE = "expiresAt";

export interface PagetrackStackProps extends StackProps {
  config: PagetrackConfig;
  /** Directory holding api/ and ingest/ bundles; for tests. */
  bundleDir?: string;
}

/**
 * Table, log bucket, ingest and API functions, and the HTTP API of one pagetrack site. Every part is
 * made in the stack's own scope, so that its logical id is its construct id (a deployed stack keeps
 * its resources).
 */
export class PagetrackStack extends Stack {
  constructor(scope: Construct, id: string, props: PagetrackStackProps) {
    super(scope, id, props);
    const { config } = props;
    const parts = new FunctionParts(this, props.bundleDir ?? BUNDLE_DIR, config.logRetentionDays);
    const table = this.countsTable(config);
    const bucket = this.logBucket(config);
    const ingestParts = ingestPipeline(this, parts, config, { table, bucket });
    const topic = alarms(this, ingestParts, config);
    const api = apiFunction(this, parts, config, table);
    const { route, stage } = httpApi(this, parts, config, api);
    this.retainHelperLogs(config.logRetentionDays);
    this.explainNagFindings(config, { bucket, ingest: ingestParts.ingest, route });
    this.outputs(config, { apiUrl: stage.url, table, bucket, topic, ...ingestParts });
  }

  /**
   * The counts are the point of the whole stack: the table outlives it, and a later stack can adopt
   * the kept table (`existingTable`) instead of creating one.
   */
  private countsTable(config: PagetrackConfig): ITable {
    if (config.existingTable) return Table.fromTableName(this, "Table", config.existingTable);
    return new Table(this, "Table", {
      tableName: config.tableName,
      partitionKey: { name: PK, type: AttributeType.STRING },
      sortKey: { name: SK, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: config.retentionDays ? TTL_ATTRIBUTE : undefined,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** What `cdk deploy` prints: where the API, the table and the logs are. */
  private outputs(
    config: PagetrackConfig,
    parts: { apiUrl: string; table: ITable; bucket: IBucket; topic: Topic } & IngestParts,
  ): void {
    const { table, bucket, queue, failures, ingestLogs, topic } = parts;
    const prefix = config.logPrefix;
    new CfnOutput(this, "ApiUrl", { value: parts.apiUrl, description: "base URL of the HTTP API" });
    new CfnOutput(this, "TableName", { value: table.tableName });
    new CfnOutput(this, "LogBucket", { value: bucket.bucketName });
    new CfnOutput(this, "LogPrefix", { value: prefix || "(none: the whole bucket)" });
    new CfnOutput(this, "LogLocation", {
      value: `s3://${bucket.bucketName}/${prefix}`,
      description: "where the logs go; backfill with: pagetrack ingest <this> --endpoint aws",
    });
    new CfnOutput(this, "IngestQueue", { value: queue.queueUrl });
    new CfnOutput(this, "IngestFailureQueue", { value: failures.queueUrl });
    new CfnOutput(this, "IngestFailureQueueArn", {
      value: failures.queueArn,
      description:
        "after an outage, send its messages back: aws sqs start-message-move-task --source-arn <this>",
    });
    new CfnOutput(this, "IngestLogGroup", { value: ingestLogs.logGroupName });
    new CfnOutput(this, "AlarmTopic", {
      value: topic.topicArn,
      description:
        "every alarm notifies it: subscribe an address, a chat or a pager (alarmEmail does for e-mail)",
    });
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
