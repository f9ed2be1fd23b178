import * as z from "zod/mini";
import { seconds, splitList, text } from "../contract/params.js";

/** Settings of the HTTP API, from environment variables (Lambda and `pagetrack serve` alike). */
export const apiSettings = z.object({
  PAGETRACK_CORS_ORIGINS: z._default(z.pipe(z.string(), z.transform(splitList)), ["*"]),
  PAGETRACK_API_TOKEN: z.optional(z.string().check(z.minLength(16, "must be at least 16 characters"))),
  PAGETRACK_CACHE_SECONDS: z._default(text(seconds(0, 3600)), 10),
});
