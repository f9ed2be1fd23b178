import { Hono, type MiddlewareHandler } from "hono";
import { compress } from "hono/compress";
import { cors } from "hono/cors";
import { siteSettings } from "../query/site.js";
import type { Store } from "../store/store.js";
import { answerCache } from "./cache.js";
import {
  answerErrors,
  cacheControl,
  countCacheControl,
  defaultCacheControl,
  requestLog,
  tokenAuth,
} from "./middleware.js";
import {
  breakdownRoute,
  countRoute,
  pagesRoute,
  pageTotalsRoute,
  pageViewsRoute,
  type Reader,
  serverRoutes,
  siteRoute,
  viewListRoute,
} from "./routes.js";

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

/**
 * The HTTP API: one Hono app for `pagetrack serve` and for AWS Lambda. The order matters: the log
 * sees every request, the dashboard's files and /health need no token, and every answer past the
 * token check gets its Cache-Control.
 */
export function createApp(config: ApiConfig): Hono {
  const { store, site } = config;
  const app = new Hono();
  if (config.log) app.use("*", requestLog(config.log));
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
  if (config.token) app.use("*", tokenAuth(config.token));
  app.use("*", defaultCacheControl(cacheControl(config.cacheSeconds, Boolean(config.token))));

  const reader: Reader = {
    store,
    site,
    cache: answerCache(config.cacheSeconds),
    settings: () => siteSettings(store, site),
  };
  pageTotalsRoute(app, reader);
  countRoute(app, reader, countCacheControl(config.countCacheSeconds ?? 60, Boolean(config.token)));
  siteRoute(app, reader);
  pagesRoute(app, reader);
  pageViewsRoute(app, reader);
  breakdownRoute(app, reader);
  serverRoutes(app, reader);
  viewListRoute(app, reader);
  answerErrors(app);
  return app;
}
