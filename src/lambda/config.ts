import * as z from "zod/mini";
import { apiSettings } from "../api/settings.js";
import {
  flag,
  hosts,
  parseEnv,
  paths,
  retentionDays,
  site,
  statuses,
  text,
  zone,
} from "../contract/params.js";
import { FORMATS } from "../formats/record.js";
import { DEFAULT_RULE } from "../pageview/rule.js";

/** Settings of the Lambda functions: environment variables only. */
const lambdaSettings = z.extend(apiSettings, {
  TARGET_DYNAMO_TABLE: z
    .string({ error: "is required: the name of the pagetrack table" })
    .check(z.minLength(3, "must be a table name of 3 characters or more")),
  PAGETRACK_SITE: z._default(text(site), "default"),
  PAGETRACK_FORMAT: z._default(
    z.enum(["auto", ...FORMATS], `must be auto or one of ${FORMATS.join(", ")}`),
    "auto",
  ),
  PAGETRACK_RAW: z._default(flag, true),
  PAGETRACK_RETENTION_DAYS: z.optional(text(retentionDays)),
  PAGETRACK_INCLUDE_BOTS: z._default(flag, false),
  PAGETRACK_PREFIXES: z._default(text(paths), []),
  PAGETRACK_EXCLUDES: z._default(text(paths), []),
  /** The HTTP statuses whose requests count as views (`--status` of the CLI). */
  PAGETRACK_STATUSES: z._default(text(statuses), DEFAULT_RULE.statuses),
  /** The site's hosts besides the one each request names: referrals from them are not entries. */
  PAGETRACK_OWN_HOSTS: z._default(text(hosts), []),
  /** The site's time zone for visitor days, taken at the site's first ingest (an IANA name). */
  PAGETRACK_TIME_ZONE: z.optional(text(zone)),
  /** An IP-to-country database shipped with the function (a path in its package). */
  PAGETRACK_IP_COUNTRY: z.optional(z.string()),
});

export type LambdaConfig = z.infer<typeof lambdaSettings>;

/** The Lambda functions' configuration, checked once at cold start. */
export function configFromEnv(env: NodeJS.ProcessEnv): LambdaConfig {
  return parseEnv(lambdaSettings, env);
}
