import * as z from "zod/mini";
import { apiSettings, flag, list, parseEnv, seconds } from "../api/settings.js";
import { FORMATS } from "../formats/record.js";
import { isValidZone } from "../query/zone.js";
import { assertSiteId } from "../store/keys.js";

/** Settings of the Lambda functions: environment variables only. */
const lambdaSettings = z.extend(apiSettings, {
  TARGET_DYNAMO_TABLE: z
    .string({ error: "is required: the name of the pagetrack table" })
    .check(z.minLength(3, "must be a table name of 3 characters or more")),
  PAGETRACK_SITE: z._default(
    z.string().check(
      z.refine((s) => {
        try {
          return assertSiteId(s) === s;
        } catch {
          return false;
        }
      }, "must be 1 to 64 letters, digits, '_', '.' or '-'"),
    ),
    "default",
  ),
  PAGETRACK_FORMAT: z._default(
    z.enum(["auto", ...FORMATS], `must be auto or one of ${FORMATS.join(", ")}`),
    "auto",
  ),
  PAGETRACK_RAW: z._default(flag, true),
  PAGETRACK_RETENTION_DAYS: z.optional(seconds(1, 36500)),
  PAGETRACK_INCLUDE_BOTS: z._default(flag, false),
  PAGETRACK_PREFIXES: z._default(z.pipe(z.string(), z.transform(list)), []),
  PAGETRACK_EXCLUDES: z._default(z.pipe(z.string(), z.transform(list)), []),
  /** The site's hosts besides the one each request names: referrals from them are not entries. */
  PAGETRACK_OWN_HOSTS: z._default(z.pipe(z.string(), z.transform(list)), []),
  /** The site's time zone for visitor days, taken at the site's first ingest (an IANA name). */
  PAGETRACK_TIME_ZONE: z.optional(
    z.string().check(z.refine(isValidZone, "must be an IANA time zone name such as Europe/Paris or UTC")),
  ),
  /** An IP-to-country database shipped with the function (a path in its package). */
  PAGETRACK_IP_COUNTRY: z.optional(z.string()),
});

export type LambdaConfig = z.infer<typeof lambdaSettings>;

/** The Lambda functions' configuration, checked once at cold start. */
export function configFromEnv(env: NodeJS.ProcessEnv): LambdaConfig {
  return parseEnv(lambdaSettings, env);
}
