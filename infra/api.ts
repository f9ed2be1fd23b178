import { Duration, type Stack } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  type HttpStage,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import type { PagetrackConfig } from "./config.js";
import { definedOnly, FUNCTION_BASE, type FunctionParts } from "./functions.js";

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

/** The API function: it may read the table, with only the calls the API makes. */
export function apiFunction(
  stack: Stack,
  parts: FunctionParts,
  config: PagetrackConfig,
  table: ITable,
): LambdaFunction {
  const apiLogs = parts.logGroup("ApiLogs");
  const api = new LambdaFunction(stack, "Api", {
    ...FUNCTION_BASE,
    description: "pagetrack: HTTP API",
    code: parts.code("api"),
    memorySize: API.memoryMb,
    timeout: API.timeout,
    logGroup: apiLogs,
    role: parts.roleWritingTo("ApiRole", apiLogs),
    // The runtime reads its settings from the environment only, so the token is one too (docs/deploy.md).
    environment: definedOnly({
      TARGET_DYNAMO_TABLE: table.tableName,
      PAGETRACK_SITE: config.site,
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
  return api;
}

/** The HTTP API in front of the function: GET only, throttled, with an access log that keeps no one. */
export function httpApi(
  stack: Stack,
  parts: FunctionParts,
  config: PagetrackConfig,
  api: LambdaFunction,
): { route: HttpRoute; stage: HttpStage } {
  const http = new HttpApi(stack, "HttpApi", {
    apiName: `${stack.stackName}-api`,
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
  const [route] = http.addRoutes({
    path: "/{proxy+}",
    methods: [HttpMethod.GET],
    integration: new HttpLambdaIntegration("ApiIntegration", api),
  });
  const stage = http.addStage("DefaultStage", {
    stageName: "$default",
    autoDeploy: true,
    throttle: config.throttle,
    // One line per request, without the caller's IP address or user agent: pagetrack counts
    // visitors without keeping who they are, and the API's own log should not either.
    accessLogSettings: {
      destination: new LogGroupLogDestination(parts.logGroup("ApiAccessLogs")),
      format: AccessLogFormat.custom(JSON.stringify(API_ACCESS_LOG)),
    },
  });
  return { route, stage };
}
