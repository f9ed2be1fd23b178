/**
 * What only the server's log tells, as the store answers it over a range: crawlers, missing pages
 * and feeds (downloads are a dimension of /breakdown). Each reads a few partitions a day of the
 * range, as a breakdown does, never views or files.
 */
import { splitLinkKey, splitReaderKey } from "../aggregate/normalise.js";
import type { Crawlers, Feeds, NotFound } from "../contract/answers.js";
import { splitUnionKey } from "../counters/union.js";
import { UserError } from "../errors.js";
import { categoryOf } from "../pageview/crawler.js";
import { readBreakdown } from "../store/counts.js";
import type { Store } from "../store/store.js";
import { MAX_BREAKDOWN_DAYS, readDayHours, siteDaysIn, sumHours } from "./breakdown.js";
import { isoInZone, isValidZone } from "./zone.js";

export interface RangeQuery {
  /** Epoch seconds; `from` inclusive, `to` exclusive. */
  from: number;
  to: number;
  tz: string;
}

/** Every crawler's requests, pages, bytes and last request in the range, most requests first. */
export async function crawlers(store: Store, site: string, q: RangeQuery): Promise<Crawlers> {
  checkRange(q);
  const [days, pages, bytes] = await Promise.all([
    readDayHours(store, site, "crawler", q),
    readDayHours(store, site, "crawlerPages", q).then((days) => sumHours(days, q)),
    readDayHours(store, site, "crawlerBytes", q).then((days) => sumHours(days, q)),
  ]);
  const requests = sumHours(days, q);
  // Each crawler's last request: the latest of its hours in the range.
  const last = new Map<string, number>();
  for (const { day, lasts } of days) {
    const dayStart = Date.parse(`${day}T00:00:00Z`) / 1000;
    for (const [name, hours] of lasts ?? [])
      hours.forEach((time, h) => {
        const t = dayStart + h * 3600;
        if (time > 0 && t >= q.from && t < q.to) last.set(name, Math.max(last.get(name) ?? 0, time));
      });
  }
  return {
    ...range(q),
    crawlers: ranked(requests).map(([name, n]) => ({
      name,
      category: categoryOf(name),
      requests: n,
      pages: pages.get(name) ?? 0,
      bytes: bytes.get(name) ?? 0,
      last: new Date((last.get(name) ?? 0) * 1000).toISOString().replace(".000Z", "Z"),
    })),
  };
}

/** The missing paths asked for in the range, most requests first, each with where its links are. */
export async function notFound(
  store: Store,
  site: string,
  q: RangeQuery & { limit: number },
): Promise<NotFound> {
  checkRange(q);
  const [requests, links] = await Promise.all([
    readDayHours(store, site, "notfound", q).then((days) => sumHours(days, q)),
    readDayHours(store, site, "notfoundFrom", q).then((days) => sumHours(days, q)),
  ]);
  const paths = new Map(
    ranked(requests).map(([path, n]) => [
      path,
      { path, requests: n, internal: [], external: [], none: 0 } as NotFound["paths"][number],
    ]),
  );
  for (const [key, count] of ranked(links)) {
    const { path, link } = splitLinkKey(key);
    const entry = paths.get(path);
    if (entry === undefined) continue;
    if (link.kind === "internal") entry.internal.push({ page: link.page, count });
    else if (link.kind === "external") entry.external.push({ referrer: link.referrer, count });
    else entry.none = count;
  }
  const all = [...paths.values()];
  return {
    ...range(q),
    total: all.reduce((sum, p) => sum + p.requests, 0),
    paths: all.slice(0, q.limit),
  };
}

/**
 * Each feed's subscribers on the last day of the site in the range that it was fetched: the largest
 * count each reader reported that day plus its other distinct clients. A level, never a sum of days.
 */
export async function feeds(store: Store, site: string, q: RangeQuery): Promise<Feeds> {
  checkRange(q);
  const days = await siteDaysIn(store, site, q);
  const inRange = new Set(days);
  const [clients, readerHours] = await Promise.all([
    readBreakdown(store, site, "feedClients", days),
    // The readers' levels are kept by UTC hour: the UTC days around the site's.
    readDayHours(store, site, "feedReaders", { from: q.from - 86400, to: q.to + 86400 }),
  ]);
  /** feed → day → its subscribers and readers */
  const byFeed = new Map<string, Map<string, { subscribers: number; readers: Map<string, number> }>>();
  const dayOf = (feed: string, day: string) => {
    const ofFeed = byFeed.get(feed) ?? new Map();
    byFeed.set(feed, ofFeed);
    const counts = ofFeed.get(day) ?? { subscribers: 0, readers: new Map<string, number>() };
    ofFeed.set(day, counts);
    return counts;
  };
  for (const { day, values } of clients.days)
    for (const [feed, hours] of values) dayOf(feed, day).subscribers += hours[0];
  for (const { values } of readerHours)
    for (const [dayKey, hours] of values) {
      const [day, key] = splitUnionKey(dayKey);
      if (!inRange.has(day)) continue;
      const { feed, reader } = splitReaderKey(key);
      const counts = dayOf(feed, day);
      const level = Math.max(...hours);
      const before = counts.readers.get(reader) ?? 0;
      if (level > before) {
        counts.readers.set(reader, level);
        counts.subscribers += level - before;
      }
    }
  const answer = [...byFeed].map(([path, ofFeed]) => {
    const day = [...ofFeed.keys()].sort().at(-1) as string;
    const counts = ofFeed.get(day) as { subscribers: number; readers: Map<string, number> };
    return {
      path,
      subscribers: counts.subscribers,
      day,
      readers: ranked(counts.readers).map(([name, subscribers]) => ({ name, subscribers })),
    };
  });
  answer.sort((a, b) => b.subscribers - a.subscribers || (a.path < b.path ? -1 : 1));
  return { ...range(q), feeds: answer };
}

function checkRange(q: RangeQuery): void {
  if (!isValidZone(q.tz))
    throw new UserError(`unknown time zone "${q.tz}"; use an IANA name such as Europe/Paris or UTC`);
  if (!(q.to > q.from)) throw new UserError("the range is empty: `to` must be after `from`");
  if ((q.to - q.from) / 86400 > MAX_BREAKDOWN_DAYS)
    throw new UserError(`a range covers at most ${MAX_BREAKDOWN_DAYS} days here; narrow it`);
}

function range(q: RangeQuery): { from: string; to: string } {
  return { from: isoInZone(q.from, q.tz), to: isoInZone(q.to, q.tz) };
}

/** Largest first; ties by key, so that answers are stable. */
function ranked(counts: Map<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
