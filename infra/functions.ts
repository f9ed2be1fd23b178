import { copyFileSync, cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { RemovalPolicy, type Stack } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Code, Runtime } from "aws-cdk-lib/aws-lambda";
import { LogGroup } from "aws-cdk-lib/aws-logs";

/**
 * Node.js 24 (Lambda's nodejs24.x, since Nov 2025): supported by Node.js until April 2028, where
 * Node.js 22 ends in April 2027 and Lambda deprecates nodejs22.x soon after, so a stack deployed now
 * would need another runtime within months. The bundles are built for node22 (scripts/bundle.ts),
 * which Node.js 24 runs as they are; both handlers are async, as nodejs24.x requires (it dropped
 * callback handlers). See docs/deploy.md.
 */
export const RUNTIME = Runtime.NODEJS_24_X;

/** What both functions share: runtime, architecture, handler. */
export const FUNCTION_BASE = {
  runtime: RUNTIME,
  architecture: Architecture.ARM_64,
  handler: "index.handler",
} as const;

/** Makes the parts of the stack's functions: their code, their log groups and their roles. */
export class FunctionParts {
  constructor(
    private readonly stack: Stack,
    /** Directory holding the api/ and ingest/ bundles. */
    private readonly bundles: string,
    private readonly logRetentionDays: number,
  ) {}

  /** A function's bundle, with a file beside it when one is given (staged apart: the bundle stays as built). */
  code(name: string, extra?: string): Code {
    let dir = join(this.bundles, name);
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
  }

  /** A log group with the stack's retention, removed with the stack. */
  logGroup(id: string): LogGroup {
    return new LogGroup(this.stack, id, {
      retention: this.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * A function's role: it may write its own log group and nothing else until given more (instead of
   * AWSLambdaBasicExecutionRole, whose logs:CreateLogGroup, CreateLogStream and PutLogEvents are on `*`).
   */
  roleWritingTo(id: string, logs: LogGroup): Role {
    const role = new Role(this.stack, id, { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: "OwnLogGroup",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        // The group's ARN ends in ":*": its log streams.
        resources: [logs.logGroupArn],
      }),
    );
    return role;
  }
}

/** Environment variables without the unset ones (an empty variable counts as unset anyway). */
export function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "",
    ),
  );
}
