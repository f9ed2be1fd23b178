import { z } from "zod";

export const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Settings of the HTTP API, from environment variables (Lambda and `pagetrack serve` alike). */
export const apiSettings = z.object({
  PAGETRACK_CORS_ORIGINS: z.string().default("*").transform(list),
  PAGETRACK_API_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  PAGETRACK_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
});

/** Reads settings with a schema; every problem is named in one message. Empty variables count as unset. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
  throw new Error(`bad configuration: ${problems.join("; ")}`);
}
