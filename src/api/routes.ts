/**
 * The routes of the HTTP API, one function each: its parameters (checked with the pieces of
 * src/contract/params.ts; a bad one is a 400 that names it) and the query function that answers it,
 * the same one the CLI calls, so that `pagetrack totals --json` and `/pagetotals` answer alike.
 */
import type { Hono } from "hono";
import * as z from "zod/mini";
import type { PageCount, PageList, SiteSettings } from "../contract/answers.js";
import {
  checkRange,
  cursor,
  dimension,
  interval,
  limitParam,
  moment,
  pagesLimit,
  pathParam,
  readQuery,
  requiredPage,
  text,
  zone,
} from "../contract/params.js";
import { BREAKDOWN_LIMIT, MAX_RANGE_DAYS, VISIT_LIMIT, WHOLE_TOTALS_PAGES } from "../contract/rules.js";
import { breakdown } from "../query/breakdown.js";
import { cleanPage, seriesSpan } from "../query/pages.js";
import { resolveRange } from "../query/range.js";
import { crawlers, feeds, notFound } from "../query/server.js";
import type { siteSettings } from "../query/site.js";
import { listPages, pageTotals } from "../query/totals.js";
import { viewList } from "../query/view-list.js";
import { viewsOverTime } from "../query/views.js";
import type { Store } from "../store/store.js";
import type { AnswerCache } from "./cache.js";

/** What every route reads with. */
export interface Reader {
  store: Store;
  site: string;
  /** Answers kept for the API's cache seconds. */
  cache: AnswerCache;
  /** The site's settings: its time zone is the default `tz`. */
  settings: () => ReturnType<typeof siteSettings>;
}

const tz = z.optional(text(zone));

/** Every page's total, paged with limit and cursor, from one small item per page. */
export function pageTotalsRoute(app: Hono, { store, site, cache }: Reader): void {
  const params = z.object({ prefix: z.optional(pathParam), limit: pagesLimit, cursor });
  app.get("/pagetotals", async (c) => {
    const q = readQuery(params, c.req.query());
    const paging = { limit: q.limit, cursor: q.cursor, maxPages: WHOLE_TOTALS_PAGES };
    const key = `totals ${JSON.stringify([q.prefix, q.limit, q.cursor])}`;
    return c.json(await cache(key, () => pageTotals(store, site, q.prefix, paging)));
  });
}

/** A hit counter ("145 views") on every page: one small item read, cacheable by CloudFront and browsers. */
export function countRoute(app: Hono, { store, site, cache }: Reader, cacheControl: string): void {
  const params = z.object({ page: requiredPage("the page whose views to count") });
  app.get("/count", async (c) => {
    const q = readQuery(params, c.req.query());
    const page = cleanPage(q.page) ?? q.page;
    const span = await cache(`count ${page}`, () => seriesSpan(store, site, { page }));
    c.header("Cache-Control", cacheControl);
    return c.json({ page, views: span?.views ?? 0 } satisfies PageCount);
  });
}

/** The site's settings: its time zone (the default `tz`, and the one visitor days are counted in) and its own hosts. */
export function siteRoute(app: Hono, { site, settings }: Reader): void {
  app.get("/site", async (c) => c.json({ site, ...(await settings()) } satisfies SiteSettings));
}

/** The pages with views; with from or to, each one's views in the range too (a query per page and day). */
export function pagesRoute(app: Hono, { store, site, cache, settings }: Reader): void {
  const params = z.object({ prefix: z.optional(pathParam), from: moment, to: moment, tz, limit: pagesLimit });
  app.get("/pages", async (c) => {
    const q = readQuery(params, c.req.query());
    let range: { from: number; to: number } | undefined;
    if (q.from || q.to) {
      range = resolveRange(q.from, q.to, "day", q.tz ?? (await settings()).timeZone, "");
      // A page's day items exist only for days with views: what a range reads grows with those, not
      // with its length, so it may be as long as a monthly series (the dashboard's "all time").
      checkRange(range, MAX_RANGE_DAYS.month, "/pages with from or to");
    }
    const key = `pages ${JSON.stringify([q.prefix, range, q.limit])}`;
    const { pages, omitted } = await cache(key, () => listPages(store, site, q.prefix, range, q.limit));
    return c.json({ pages, ...(omitted > 0 ? { omitted } : {}) } satisfies PageList);
  });
}

/** A page's (or the site's, or its bots') views over time; viewsOverTime checks the range. */
export function pageViewsRoute(app: Hono, { store, site, cache, settings }: Reader): void {
  const params = z.object({
    page: z.optional(pathParam),
    bots: z.optional(z.literal("true", "must be true, or left out")),
    from: moment,
    to: moment,
    interval: z._default(text(interval), "day"),
    tz,
  });
  app.get("/pageviews", async (c) => {
    const q = readQuery(params, c.req.query());
    const { timeZone } = await settings();
    const zone = q.tz ?? timeZone;
    const series = {
      // A page is cleaned as the logs' paths are: `/x/index.html` is `/x/`, `%C3%A9` is `é`.
      page: q.page === undefined ? undefined : cleanPage(q.page),
      bots: q.bots === "true",
      interval: q.interval,
      tz: zone,
      siteTimeZone: timeZone,
      ...resolveRange(q.from, q.to, q.interval, zone, ""),
    };
    return c.json(await cache(`views ${JSON.stringify(series)}`, () => viewsOverTime(store, site, series)));
  });
}

/** The largest values of an audience dimension in a range; breakdown checks the range. */
export function breakdownRoute(app: Hono, { store, site, cache, settings }: Reader): void {
  const params = z.object({
    dimension,
    from: moment,
    to: moment,
    tz,
    limit: limitParam(BREAKDOWN_LIMIT),
    page: z.optional(pathParam),
  });
  app.get("/breakdown", async (c) => {
    const q = readQuery(params, c.req.query());
    const zone = q.tz ?? (await settings()).timeZone;
    const asked = {
      dimension: q.dimension,
      ...(q.page !== undefined ? { page: cleanPage(q.page) ?? q.page } : {}),
      limit: q.limit,
      tz: zone,
      ...resolveRange(q.from, q.to, "day", zone, ""),
    };
    return c.json(await cache(`breakdown ${JSON.stringify(asked)}`, () => breakdown(store, site, asked)));
  });
}

/** Crawlers, missing pages and feeds over a range (the site's zone by default), as `pagetrack crawlers|notfound|feeds --json`. */
export function serverRoutes(app: Hono, { store, site, cache, settings }: Reader): void {
  const ranged = z.object({ from: moment, to: moment, tz });
  const asked = async (q: { from?: string; to?: string; tz?: string }) => {
    const zone = q.tz ?? (await settings()).timeZone;
    return { tz: zone, ...resolveRange(q.from, q.to, "day", zone, "") };
  };
  app.get("/crawlers", async (c) => {
    const q = await asked(readQuery(ranged, c.req.query()));
    return c.json(await cache(`crawlers ${JSON.stringify(q)}`, () => crawlers(store, site, q)));
  });
  const limited = z.object({ from: moment, to: moment, tz, limit: limitParam(BREAKDOWN_LIMIT) });
  app.get("/notfound", async (c) => {
    const params = readQuery(limited, c.req.query());
    const q = { ...(await asked(params)), limit: params.limit };
    return c.json(await cache(`notfound ${JSON.stringify(q)}`, () => notFound(store, site, q)));
  });
  app.get("/feeds", async (c) => {
    const q = await asked(readQuery(ranged, c.req.query()));
    return c.json(await cache(`feeds ${JSON.stringify(q)}`, () => feeds(store, site, q)));
  });
}

/**
 * The views of one page in time order, a page of them at a time (the original tracker's list). An
 * answer reads at most `limit` views whatever the range, so the range may be as long as a series'.
 */
export function viewListRoute(app: Hono, { store, site }: Reader): void {
  const params = z.object({
    page: requiredPage("the page whose views to list"),
    from: moment,
    to: moment,
    cursor,
    limit: limitParam(VISIT_LIMIT),
  });
  app.get("/pagevisitlist", async (c) => {
    const q = readQuery(params, c.req.query());
    const range = resolveRange(q.from, q.to, "day", "UTC", "");
    checkRange(range, MAX_RANGE_DAYS.month, "/pagevisitlist");
    const page = cleanPage(q.page) ?? q.page;
    return c.json(await viewList(store, site, { page, cursor: q.cursor, limit: q.limit, ...range }));
  });
}
