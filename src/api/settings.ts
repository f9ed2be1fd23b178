import * as z from "zod/mini";

export const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Settings of the HTTP API, from environment variables (Lambda and `pagetrack serve` alike). */
export const apiSettings = z.object({
  PAGETRACK_CORS_ORIGINS: z._default(z.pipe(z.string(), z.transform(list)), ["*"]),
  PAGETRACK_API_TOKEN: z.optional(z.string().check(z.minLength(16, "must be at least 16 characters"))),
  PAGETRACK_CACHE_SECONDS: z._default(seconds(0, 3600), 10),
});

/** A whole number of (seconds, days, ...) between min and max, from an environment variable. */
export function seconds(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number(message).check(z.int(message), z.minimum(min, message), z.maximum(max, message));
}

/** `true` or `false`. */
export const flag = z.pipe(
  z.enum(["true", "false"], "must be true or false"),
  z.transform((v) => v === "true"),
);

/** Reads settings with a schema; every problem is named in one message. Empty variables count as unset. */
export function parseEnv<T extends z.ZodMiniType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
  throw new Error(`bad configuration: ${problems.join("; ")}`);
}
