import { z } from "zod";
import { apiSettings, list, parseEnv } from "../api/settings.js";
import { FORMATS } from "../formats/record.js";
import { assertSiteId } from "../store/keys.js";

const flag = z.enum(["true", "false"]).transform((v) => v === "true");

/** Settings of the Lambda functions: environment variables only. */
const lambdaSettings = apiSettings.extend({
  TARGET_DYNAMO_TABLE: z
    .string({ error: "is required: the name of the pagetrack table" })
    .min(3, "must be a table name of 3 characters or more"),
  PAGETRACK_SITE: z
    .string()
    .default("default")
    .refine((s) => {
      try {
        return assertSiteId(s) === s;
      } catch {
        return false;
      }
    }, "must be 1 to 64 letters, digits, '_', '.' or '-'"),
  PAGETRACK_FORMAT: z.enum(["auto", ...FORMATS]).default("auto"),
  PAGETRACK_RAW: flag.default(true),
  PAGETRACK_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  PAGETRACK_INCLUDE_BOTS: flag.default(false),
  PAGETRACK_PREFIXES: z.string().default("").transform(list),
  PAGETRACK_EXCLUDES: z.string().default("").transform(list),
});

export type LambdaConfig = z.infer<typeof lambdaSettings>;

/** The Lambda functions' configuration, checked once at cold start. */
export function configFromEnv(env: NodeJS.ProcessEnv): LambdaConfig {
  return parseEnv(lambdaSettings, env);
}
