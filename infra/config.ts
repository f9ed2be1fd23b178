import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import * as z from "zod/mini";
import {
  host,
  jsonText,
  jsonWhole,
  MAX_RETENTION_DAYS,
  mustBe,
  path,
  site,
  statuses,
  zone,
} from "../src/contract/params.js";
import { FORMATS } from "../src/formats/record.js";

/** CloudWatch Logs accepts only these retentions; "never expire" is left out on purpose. */
export const LOG_RETENTIONS = Object.values(RetentionDays).filter(
  (days): days is number => typeof days === "number" && days !== RetentionDays.INFINITE,
);

/**
 * The API stage's default throttle: 50 requests a second, bursts of up to 100 (API Gateway's token
 * bucket: `burstLimit` requests at once, refilled at `rateLimit` a second); more get 429 Too Many Requests.
 */
export const DEFAULT_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * API Gateway's default account-level throttle, per region, shared by all the account's HTTP, REST
 * and WebSocket APIs in it (a quota that can be raised on request): no stage can be given more.
 */
export const ACCOUNT_THROTTLE = { rateLimit: 10000, burstLimit: 5000 } as const;

/** What a browser sends in its Origin header: scheme, host and port, nothing else. */
const isOrigin = (origin: string) => {
  if (origin === "*") return true;
  try {
    const url = new URL(origin);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === origin;
  } catch {
    return false;
  }
};

const STATUSES = mustBe({ what: statuses.what, example: "[200, 304]" });

const pathList = z.array(jsonText(path), 'must be a list of paths, e.g. ["/blog/"]');

const schema = z.strictObject({
  stackName: z._default(
    z
      .string("must be a string")
      .check(
        z.regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, "must be letters, digits and '-', starting with a letter"),
      ),
    "pagetrack",
  ),
  site: z._default(jsonText(site), "default"),
  tableName: z.optional(
    z
      .string("must be a string")
      .check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be 3 to 255 letters, digits, '_', '.' or '-'")),
  ),
  existingTable: z.optional(
    z
      .string("must be a string")
      .check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be 3 to 255 letters, digits, '_', '.' or '-'")),
  ),
  newBucket: z.optional(
    z.strictObject(
      { expireLogsAfterDays: z._default(jsonWhole(1, MAX_RETENTION_DAYS), 400) },
      'must be an object such as {"expireLogsAfterDays": 400}',
    ),
  ),
  existingBucket: z.optional(
    z.string("must be a string").check(
      z.refine(
        (name) => !name.startsWith("s3://"),
        "must be a bucket name, not an s3:// URL (the key prefix goes in logPrefix)",
      ),
      z.regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        "must be an S3 bucket name (3 to 63 of a-z, 0-9, '.', '-')",
      ),
    ),
  ),
  logPrefix: z._default(
    z.string("must be a string").check(
      z.maxLength(512, "is too long"),
      z.refine((p) => !p.startsWith("/"), 'must not start with "/": S3 keys have no leading slash'),
      z.refine((p) => !p.includes("*"), "is a key prefix, not a pattern: leave out the *"),
    ),
    "",
  ),
  corsOrigins: z._default(
    z
      .array(
        z
          .string()
          .check(
            z.refine(
              isOrigin,
              'must be "*" or an origin such as https://example.com (no path, no trailing slash)',
            ),
          ),
        'must be a list of origins, e.g. ["https://example.com"]',
      )
      .check(
        z.minLength(1, 'must list at least one origin (["*"] allows every site)'),
        z.refine(
          (list) => !list.includes("*") || list.length === 1,
          '"*" must be the only origin when given',
        ),
      ),
    ["*"],
  ),
  apiToken: z.optional(
    z
      .string("must be a string")
      .check(
        z.minLength(16, "must be at least 16 characters"),
        z.maxLength(512, "must be at most 512 characters"),
        z.regex(/^[A-Za-z0-9._~+/-]+=*$/, "may hold only letters, digits and . _ ~ + / - (a Bearer token)"),
      ),
  ),
  cacheSeconds: z._default(jsonWhole(0, 3600), 10),
  retentionDays: z.optional(jsonWhole(1, MAX_RETENTION_DAYS)),
  raw: z._default(z.boolean("must be true or false"), true),
  format: z._default(z.enum(["auto", ...FORMATS], `must be auto or one of ${FORMATS.join(", ")}`), "auto"),
  includeBots: z._default(z.boolean("must be true or false"), false),
  pagePrefixes: z._default(pathList, []),
  pageExcludes: z._default(pathList, []),
  /** The HTTP statuses whose requests count as views; the ingest function's default (200, 304) when absent. */
  countedStatuses: z.optional(z.array(jsonWhole(100, 599), STATUSES).check(z.minLength(1, STATUSES))),
  ownHosts: z._default(
    z.array(jsonText(host), 'must be a list of host names, e.g. ["example.com", "blog.example.com"]'),
    [],
  ),
  /** The site's time zone for visitor days, taken at its first ingest (an IANA name; UTC if absent). */
  timeZone: z.optional(jsonText(zone)),
  ipCountryDatabase: z.optional(
    z
      .string("must be a string")
      .check(
        z.refine((file) => existsSync(file), "must be the path of an IP-to-country CSV file on this machine"),
      ),
  ),
  // The API stage's throttle (docs/deploy.md): the steady requests per second and the burst above it.
  // The upper bounds are API Gateway's regional account-level quota, shared by every API of the account.
  throttle: z._default(
    z.strictObject(
      {
        rateLimit: z._default(jsonWhole(1, ACCOUNT_THROTTLE.rateLimit), DEFAULT_THROTTLE.rateLimit),
        burstLimit: z._default(jsonWhole(1, ACCOUNT_THROTTLE.burstLimit), DEFAULT_THROTTLE.burstLimit),
      },
      'must be an object such as {"rateLimit": 50, "burstLimit": 100}',
    ),
    DEFAULT_THROTTLE,
  ),
  ingest: z._default(
    z
      .strictObject(
        {
          batchWindowSeconds: z._default(jsonWhole(0, 300), 60),
          batchSize: z._default(jsonWhole(1, 1000), 100),
          maxConcurrency: z._default(jsonWhole(2, 100), 2),
          rollupMinutes: z._default(jsonWhole(1, 1440), 15),
        },
        'must be an object such as {"rollupMinutes": 15, "batchWindowSeconds": 60, "batchSize": 100, "maxConcurrency": 2}',
      )
      .check(
        z.refine(
          (i) => i.batchSize <= 10 || i.batchWindowSeconds >= 1,
          "batchSize above 10 needs a batchWindowSeconds of 1 or more (a rule of Lambda's SQS event source)",
        ),
      ),
    { batchWindowSeconds: 60, batchSize: 100, maxConcurrency: 2, rollupMinutes: 15 },
  ),
  logRetentionDays: z._default(
    z
      .number("must be a number")
      .check(
        z.refine((days) => LOG_RETENTIONS.includes(days), `must be one of ${LOG_RETENTIONS.join(", ")}`),
      ),
    30,
  ),
  alarmEmail: z.optional(z.email("must be an e-mail address")),
});

type Parsed = z.infer<typeof schema>;

/** The deployment, checked and with every default filled in. */
export type PagetrackConfig = Omit<Parsed, "newBucket" | "existingBucket"> & {
  logBucket: { existing: string } | { expireLogsAfterDays: number };
};

export class ConfigError extends Error {}

/** Checks a configuration; every problem is named, field by field, on one line. */
export function parseConfig(input: unknown, source = "configuration"): PagetrackConfig {
  const parsed = schema.safeParse(input ?? {});
  const fail = (problems: string[]) => {
    throw new ConfigError(`bad pagetrack configuration (${source}): ${problems.join("; ")}`);
  };
  if (!parsed.success) {
    fail(
      parsed.error.issues.map((issue) => {
        const path = issue.path.join(".");
        if (issue.code === "unrecognized_keys") {
          const fields = issue.keys.map((k) => `"${k}"`).join(", ");
          return `${path ? `${path}: ` : ""}unknown field ${fields}`;
        }
        return path ? `${path} ${issue.message}` : issue.message;
      }),
    );
  }
  const { newBucket, existingBucket, ...rest } = parsed.data as Parsed;
  if (newBucket && existingBucket) fail(["give either newBucket or existingBucket, not both"]);
  if (rest.tableName && rest.existingTable)
    fail([
      "give either tableName (a table the stack creates) or existingTable (a kept table it uses), not both",
    ]);
  return {
    ...rest,
    logBucket: existingBucket ? { existing: existingBucket } : (newBucket ?? { expireLogsAfterDays: 400 }),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The configuration from CDK context: a JSON file named by `configFile` (relative to the working
 * directory), then the `pagetrack` object (or JSON text, as `-c pagetrack='{...}'` gives it) on top.
 */
export function configFromContext(context: (key: string) => unknown, cwd = process.cwd()): PagetrackConfig {
  const sources: string[] = [];
  let merged: Record<string, unknown> = {};
  const add = (value: unknown, source: string) => {
    if (!isObject(value))
      throw new ConfigError(`bad pagetrack configuration (${source}): must be a JSON object`);
    merged = { ...merged, ...value };
    sources.push(source);
  };
  const file = context("configFile");
  if (file !== undefined) {
    if (typeof file !== "string" || file === "")
      throw new ConfigError("context configFile must be a file path");
    let text: string;
    try {
      text = readFileSync(resolve(cwd, file), "utf8");
    } catch (error) {
      throw new ConfigError(`cannot read the configuration file ${file}: ${(error as Error).message}`);
    }
    add(parseJson(text, file), file);
  }
  const inline = context("pagetrack");
  if (inline !== undefined)
    add(typeof inline === "string" ? parseJson(inline, "context pagetrack") : inline, "context pagetrack");
  return parseConfig(merged, sources.join(" + ") || "defaults");
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`bad pagetrack configuration (${source}): not JSON: ${(error as Error).message}`);
  }
}
