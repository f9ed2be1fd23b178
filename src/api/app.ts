import { Hono, type MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { compress } from "hono/compress";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import * as z from "zod/mini";
import type { PageCount, PageList, SiteSettings } from "../contract/answers.js";
import { DIMENSIONS } from "../counters/registry.js";
import { UserError } from "../errors.js";
import { breakdown } from "../query/breakdown.js";
import { cleanPage } from "../query/pages.js";
import { resolveRange } from "../query/range.js";
import { siteSettings } from "../query/site.js";
import { listPages, pageTotals, TOTALS_PAGE_LIMIT, WHOLE_TOTALS_PAGES } from "../query/totals.js";
import { INTERVALS, viewsOverTime } from "../query/views.js";
import { visitList } from "../query/visits.js";
import { isValidZone } from "../query/zone.js";
import { readSeriesSpan } from "../store/counts.js";
import type { Store } from "../store/store.js";

export interface ApiConfig {
  store: Store;
  site: string;
  /** Allowed CORS origins; `["*"]` allows any. */
  corsOrigins: string[];
  /** When set, every route but /health needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Seconds that answers may be cached, by browsers and CDNs (Cache-Control) and in this process. */
  cacheSeconds: number;
  /**
   * Seconds that `/count` answers may be cached (default 60); caches may serve a stale one for ten
   * times as long while they fetch a new one (stale-while-revalidate).
   */
  countCacheSeconds?: number;
  /** Called with one line per request (`pagetrack serve` prints them). */
  log?: (line: string) => void;
  /** Serves the dashboard's files at / and /assets/ (`pagetrack serve`); public, even with a token. */
  assets?: MiddlewareHandler;
}

// zod/mini keeps the Lambda bundles small; every check carries its own message.
const path = z
  .string()
  .check(z.maxLength(2048, "is too long"), z.startsWith("/", 'must be a path starting with "/"'));
const moment = z.optional(z.string().check(z.maxLength(40, "is too long")));
const zone = z.string().check(z.refine(isValidZone, "must be an IANA time zone such as Europe/Paris"));
const limit = "must be a whole number from 1 to 1000";
const pageLimit = `must be a whole number from 1 to ${TOTALS_PAGE_LIMIT}`;
const pagesLimit = z.optional(
  z.coerce
    .number(pageLimit)
    .check(z.int(pageLimit), z.minimum(1, pageLimit), z.maximum(TOTALS_PAGE_LIMIT, pageLimit)),
);

const schemas = {
  breakdown: z.object({
    dimension: z.enum(DIMENSIONS, {
      error: (issue) =>
        `${issue.input === undefined ? "is required:" : "must be"} one of ${DIMENSIONS.join(", ")}`,
    }),
    from: moment,
    to: moment,
    tz: z.optional(zone),
    limit: z._default(
      z.coerce.number(limit).check(z.int(limit), z.minimum(1, limit), z.maximum(1000, limit)),
      10,
    ),
  }),
  totals: z.object({
    prefix: z.optional(path),
    limit: pagesLimit,
    cursor: z.optional(z.string().check(z.maxLength(4096, "is too long"))),
  }),
  pages: z.object({
    prefix: z.optional(path),
    from: moment,
    to: moment,
    tz: z.optional(zone),
    limit: pagesLimit,
  }),
  count: z.object({
    page: z
      .string("is required: the page whose views to count")
      .check(z.maxLength(2048, "is too long"), z.startsWith("/", 'must be a path starting with "/"')),
  }),
  views: z.object({
    page: z.optional(path),
    bots: z.optional(z.literal("true", "must be true, or left out")),
    from: moment,
    to: moment,
    interval: z._default(z.enum(INTERVALS, `must be one of ${INTERVALS.join(", ")}`), "day"),
    tz: z.optional(zone),
  }),
  visits: z.object({
    page: z
      .string("is required: the page whose views to list")
      .check(z.startsWith("/", 'must be a path starting with "/"')),
    from: moment,
    to: moment,
    cursor: z.optional(z.string().check(z.maxLength(4096, "is too long"))),
    limit: z._default(
      z.coerce.number(limit).check(z.int(limit), z.minimum(1, limit), z.maximum(1000, limit)),
      100,
    ),
  }),
};

/** Reads the query string with a schema; a bad parameter is a 400 that names it. */
function query<T extends z.ZodMiniType>(schema: T, params: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = issue.path.join(".") || "query";
  throw new HTTPException(400, { message: `${name}: ${issue.message}` });
}

/**
 * The HTTP API: one Hono app for `pagetrack serve` and for AWS Lambda. Every route reads through the
 * same query functions as the CLI, so `pagetrack totals --json` and `/pagetotals` answer alike.
 */
export function createApp(config: ApiConfig): Hono {
  const { store, site } = config;
  const app = new Hono();
  const cache = answerCache(config.cacheSeconds);
  const log = config.log;
  if (log) {
    app.use("*", async (c, next) => {
      const started = performance.now();
      await next();
      log(
        `${new Date().toISOString()} ${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`,
      );
    });
  }

  // gzip or deflate when the client accepts it (a 110,000-page /pagetotals is ~10 times smaller). On
  // Lambda, hono/aws-lambda sends an encoded body base64 with isBase64Encoded, as API Gateway needs.
  app.use("*", compress());

  if (config.assets) {
    app.get("/", config.assets);
    app.get("/assets/*", config.assets);
  }
  app.use(
    "*",
    cors({
      origin: config.corsOrigins.includes("*") ? "*" : config.corsOrigins,
      allowMethods: ["GET", "OPTIONS"],
      maxAge: 86400,
    }),
  );
  app.get("/health", (c) => c.json({ ok: true }));
  if (config.token) {
    const auth = bearerAuth({
      token: config.token,
      noAuthenticationHeader: {
        message: { error: "this API needs a token: send Authorization: Bearer <token>" },
      },
      invalidAuthenticationHeader: {
        message: { error: "malformed Authorization header: send Authorization: Bearer <token>" },
      },
      invalidToken: { message: { error: "the token is not valid" } },
    });
    app.use("*", async (c, next) => (c.req.method === "OPTIONS" ? next() : auth(c, next)));
  }
  // With a token, an answer is for its reader alone: a shared cache (CloudFront, a proxy) must not keep
  // it and hand it to someone without the token, so it is `private` (the browser's own cache only).
  const cacheControl =
    config.cacheSeconds <= 0
      ? "no-store"
      : `${config.token ? "private" : "public"}, max-age=${config.cacheSeconds}`;
  app.use("*", async (c, next) => {
    await next();
    if (c.res.status === 200 && !c.res.headers.has("Cache-Control")) c.header("Cache-Control", cacheControl);
  });

  app.get("/pagetotals", async (c) => {
    const q = query(schemas.totals, c.req.query());
    const paging = { limit: q.limit, cursor: q.cursor, maxPages: WHOLE_TOTALS_PAGES };
    const key = `totals ${JSON.stringify([q.prefix, q.limit, q.cursor])}`;
    return c.json(await cache(key, () => pageTotals(store, site, q.prefix, paging)));
  });

  // A hit counter ("145 views") on every page: one small item read, cacheable by CloudFront and browsers.
  const countSeconds = config.countCacheSeconds ?? 60;
  const countCacheControl =
    countSeconds <= 0
      ? "no-store"
      : config.token
        ? `private, max-age=${countSeconds}`
        : `public, max-age=${countSeconds}, stale-while-revalidate=${countSeconds * 10}`;
  app.get("/count", async (c) => {
    const q = query(schemas.count, c.req.query());
    const page = cleanPage(q.page) ?? q.page;
    const span = await cache(`count ${page}`, () => readSeriesSpan(store, site, "page", page));
    c.header("Cache-Control", countCacheControl);
    return c.json({ page, views: span?.views ?? 0 } satisfies PageCount);
  });

  // The site's settings: its time zone (the default `tz`, and the one visitor days are counted in)
  // and its own hosts.
  const settings = () => siteSettings(store, site);
  app.get("/site", async (c) => c.json({ site, ...(await settings()) } satisfies SiteSettings));

  app.get("/pages", async (c) => {
    const q = query(schemas.pages, c.req.query());
    const tz = q.tz ?? (await settings()).timeZone;
    const range = q.from || q.to ? resolveRange(q.from, q.to, "day", tz, "") : undefined;
    const key = `pages ${JSON.stringify([q.prefix, range, q.limit])}`;
    const { pages, omitted } = await cache(key, () => listPages(store, site, q.prefix, range, q.limit));
    return c.json({ pages, ...(omitted > 0 ? { omitted } : {}) } satisfies PageList);
  });

  app.get("/pageviews", async (c) => {
    const q = query(schemas.views, c.req.query());
    const { timeZone } = await settings();
    const tz = q.tz ?? timeZone;
    const series = {
      // A page is cleaned as the logs' paths are: `/x/index.html` is `/x/`, `%C3%A9` is `é`.
      page: q.page === undefined ? undefined : cleanPage(q.page),
      bots: q.bots === "true",
      interval: q.interval,
      tz,
      siteTimeZone: timeZone,
      ...resolveRange(q.from, q.to, q.interval, tz, ""),
    };
    return c.json(await cache(`views ${JSON.stringify(series)}`, () => viewsOverTime(store, site, series)));
  });

  app.get("/breakdown", async (c) => {
    const q = query(schemas.breakdown, c.req.query());
    const tz = q.tz ?? (await settings()).timeZone;
    const asked = {
      dimension: q.dimension,
      limit: q.limit,
      tz,
      ...resolveRange(q.from, q.to, "day", tz, ""),
    };
    return c.json(await cache(`breakdown ${JSON.stringify(asked)}`, () => breakdown(store, site, asked)));
  });

  app.get("/pagevisitlist", async (c) => {
    const q = query(schemas.visits, c.req.query());
    const range = resolveRange(q.from, q.to, "day", "UTC", "");
    const page = cleanPage(q.page) ?? q.page;
    return c.json(await visitList(store, site, { page, cursor: q.cursor, limit: q.limit, ...range }));
  });

  app.notFound((c) => c.json({ error: `no such route: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      const status = error.status;
      if (error.res && status === 401) return error.res;
      return c.json({ error: error.message }, status);
    }
    if (error instanceof UserError) return c.json({ error: error.message }, 400);
    console.error(`pagetrack: ${c.req.method} ${c.req.path}: ${error.stack ?? error}`);
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}

/** Answers kept for a few seconds: many readers of a busy page cost one query. */
function answerCache(seconds: number) {
  const answers = new Map<string, { until: number; value: Promise<unknown> }>();
  return <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    if (seconds <= 0) return compute();
    const now = Date.now();
    const hit = answers.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    if (answers.size > 1000) answers.clear();
    const value = compute();
    answers.set(key, { until: now + seconds * 1000, value });
    value.catch(() => answers.delete(key));
    return value;
  };
}
