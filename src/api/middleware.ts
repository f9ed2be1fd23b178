import type { Context, Hono, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { UserError } from "../errors.js";

/** One line per request: time, method, path, status and duration. */
export function requestLog(log: (line: string) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    log(
      `${new Date().toISOString()} ${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`,
    );
  };
}

/** `Authorization: Bearer <token>` on every request but CORS preflights, with errors that say what to send. */
export function tokenAuth(token: string): MiddlewareHandler {
  const auth = bearerAuth({
    token,
    noAuthenticationHeader: {
      message: { error: "this API needs a token: send Authorization: Bearer <token>" },
    },
    invalidAuthenticationHeader: {
      message: {
        error:
          "the API takes a bearer token, not this Authorization header: send Authorization: Bearer <token>",
      },
    },
    invalidToken: { message: { error: "the token is not valid" } },
  });
  return async (c, next) => (c.req.method === "OPTIONS" ? next() : auth(c, next));
}

/**
 * The Cache-Control of answers. With a token, an answer is for its reader alone: a shared cache
 * (CloudFront, a proxy) must not keep it and hand it to someone without the token, so it is
 * `private` (the browser's own cache only).
 */
export function cacheControl(seconds: number, token: boolean): string {
  return seconds <= 0 ? "no-store" : `${token ? "private" : "public"}, max-age=${seconds}`;
}

/**
 * The Cache-Control of `/count`: caches may also serve a stale answer for ten times as long while
 * they fetch a new one (stale-while-revalidate), unless it is private.
 */
export function countCacheControl(seconds: number, token: boolean): string {
  if (seconds <= 0) return "no-store";
  return token
    ? `private, max-age=${seconds}`
    : `public, max-age=${seconds}, stale-while-revalidate=${seconds * 10}`;
}

/** Sets `value` on 200 answers that have not set their own. */
export function defaultCacheControl(value: string): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.status === 200 && !c.res.headers.has("Cache-Control")) c.header("Cache-Control", value);
  };
}

/** Errors as `{"error": "..."}`: a user's mistake is a 400 that says it, anything else a 500 logged here. */
export function answerErrors(app: Hono): void {
  app.notFound((c) => c.json({ error: `no such route: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error: Error, c: Context) => {
    if (error instanceof HTTPException) {
      // The token's answers (401, and 400 for another scheme) carry their own message.
      if (error.res) return error.res;
      return c.json({ error: error.message }, error.status);
    }
    if (error instanceof UserError) return c.json({ error: error.message }, 400);
    console.error(`pagetrack: ${c.req.method} ${c.req.path}: ${error.stack ?? error}`);
    return c.json({ error: "internal error" }, 500);
  });
}
