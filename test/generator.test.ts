/**
 * The traffic generator itself (not pagetrack): reproducible, its expected counts consistent with
 * each other and with the rules of DESIGN.md applied to what it writes, and every writer writing the
 * referrers, queries, user agents, hosts and countries the intents chose.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { isbot } from "isbot";
import { describe, expect, it } from "vitest";
import { parserFor } from "../src/formats/detect.js";
import { SITE_HOST, USER_AGENTS, visitorPool } from "../src/generator/audience.js";
import {
  type GenerateOptions,
  generateHourlyLogs,
  generateLogFile,
  writerFor,
} from "../src/generator/files.js";
import { CRAWLERS, FEED, FEED_READERS } from "../src/generator/server.js";
import {
  BOT_AGENTS,
  type Expected,
  emptyExpected,
  random,
  type TrafficEvent,
  type TrafficOptions,
  traffic,
  type ViewIntent,
} from "../src/generator/traffic.js";
import { CLOUDFRONT_V2_FIELDS } from "../src/generator/writers.js";
import { tempDir } from "./support/paths.js";

type UaResult = { browser: { name?: string }; os: { name?: string }; device: { type?: string } };
const UAParser = createRequire(import.meta.url)("ua-parser-js") as new (
  ua: string,
) => { getResult(): UaResult };

const TRAFFIC: TrafficOptions = { requests: 20_000, start: "2024-03-30", days: 4, posts: 25, seed: 7 };

interface Generated {
  events: TrafficEvent[];
  /** The intents of the page views, by request id. */
  views: Map<string, ViewIntent>;
  expected: Expected;
}

function generate(options: TrafficOptions): Generated {
  const expected = emptyExpected();
  const views = new Map<string, ViewIntent>();
  const events = [...traffic(options, expected, (event, view) => views.set(event.requestId, { ...view }))];
  return { events, views, expected };
}

const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
const dayOf = (time: number) => new Date(time * 1000).toISOString().slice(0, 10);

// A small, independent statement of DESIGN.md's audience rules, to check the generator's labels.
const FAMILIES: [RegExp, string][] = [
  [/^google\.([a-z]+|co\.[a-z]+|com\.[a-z]+)$/, "Google"],
  [/^bing\.com$/, "Bing"],
  [/^duckduckgo\.com$/, "DuckDuckGo"],
  [/^(search\.)?yahoo\.com$/, "Yahoo"],
  [/^yandex\.(ru|com)$/, "Yandex"],
  [/^baidu\.com$/, "Baidu"],
  [/^ecosia\.org$/, "Ecosia"],
  [/^(t\.co|twitter\.com|x\.com)$/, "Twitter"],
  [/^((m|l|lm)\.)?facebook\.com$/, "Facebook"],
  [/^(linkedin\.com|lnkd\.in)$/, "LinkedIn"],
  [/^((old|out)\.)?reddit\.com$/, "Reddit"],
  [/^news\.ycombinator\.com$/, "Hacker News"],
  [/^github\.com$/, "GitHub"],
  [/^stackoverflow\.com$/, "Stack Overflow"],
  [/^(m\.)?youtube\.com$/, "YouTube"],
  [/^com\.google\.android\.gm$/, "Gmail"],
];
function hostOf(referrer: string): string {
  const host = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(referrer)?.[1] ?? "";
  return host
    .toLowerCase()
    .replace(/:\d+$/, "")
    .replace(/^www\./, "");
}
function ruleEntry(referrer: string, ownHost: string): boolean {
  return referrer === "-" || hostOf(referrer) !== hostOf(`https://${ownHost}/`);
}
function ruleSource(referrer: string, query: string): string {
  const params = new URLSearchParams(query);
  for (const name of ["utm_source", "source", "ref"]) {
    const value = params.get(name);
    if (value) return value;
  }
  if (referrer === "-") return "(direct)";
  const host = hostOf(referrer);
  return FAMILIES.find(([pattern]) => pattern.test(host))?.[1] ?? host;
}
function rulePage(path: string): string {
  return decodeURIComponent(path).replace(/\/index\.html$/, "/");
}
const BROWSER_NAMES: Record<string, string> = { "Mobile Safari": "Safari" };
const OS_NAMES: Record<string, string> = { "Mac OS": "macOS", "Chromium OS": "ChromeOS" };

interface FeedDay {
  readers: Map<string, number>;
  clients: Set<string>;
}

/** The crawler a bot's user agent names: the generator's own tables, by the user agent written. */
function crawlerNamed(userAgent: string): { name: string; category: string } {
  const reader = FEED_READERS.find((r) => userAgent.startsWith(`${r.name}/`));
  if (reader) return { name: reader.name, category: "feed" };
  const crawler = CRAWLERS.find((c) => c.userAgent === userAgent);
  if (crawler === undefined) throw new Error(`no crawler writes ${userAgent}`);
  return crawler;
}

/**
 * DESIGN.md's "Beyond page views" applied to one written request: crawlers (every request of a bot),
 * missing pages by where their link was, distinct downloaders a day, feeds' subscribers as a level.
 */
function countServerFromFields(
  want: Expected,
  e: TrafficEvent,
  seen: { downloads: Set<string>; feedDays: Map<string, Map<string, FeedDay>> },
): void {
  const day = dayOf(e.time);
  const client = `${e.clientIp} ${e.userAgent}`;
  const add = (record: Record<string, number>, key: string) => {
    record[key] = (record[key] ?? 0) + 1;
  };
  if (e.intent === "bot" || (e.intent === "feed" && e.clientIp.startsWith("203.0.113."))) {
    const { name, category } = crawlerNamed(e.userAgent);
    const last = new Date(e.time * 1000).toISOString().replace(".000Z", "Z");
    want.crawlers[name] ??= { category: category as never, requests: 0, pages: 0, bytes: 0, last };
    const c = want.crawlers[name];
    c.requests++;
    if (e.status === 200 && e.contentType === "text/html") c.pages++;
    c.bytes += e.bytes;
    if (last > c.last) c.last = last;
    add(want.breakdowns.crawler, name);
  }
  if (e.intent === "notFound") {
    want.notFound[e.path] ??= { requests: 0, internal: {}, external: {}, none: 0 };
    const n = want.notFound[e.path];
    n.requests++;
    add(want.breakdowns.notfound, e.path);
    if (e.referrer === "-") n.none++;
    else if (hostOf(e.referrer) === hostOf(`https://${e.host}/`))
      add(n.internal, rulePage(new URL(e.referrer).pathname));
    else add(n.external, `${hostOf(e.referrer)}${new URL(e.referrer).pathname}`);
  }
  if (e.intent === "download" && !seen.downloads.has(`${day} ${e.path} ${client}`)) {
    seen.downloads.add(`${day} ${e.path} ${client}`);
    add(want.downloads, e.path);
  }
  if (e.path === FEED.path && (e.status === 200 || e.status === 304)) {
    const days = seen.feedDays.get(e.path) ?? new Map<string, FeedDay>();
    seen.feedDays.set(e.path, days);
    const today = days.get(day) ?? { readers: new Map(), clients: new Set() };
    days.set(day, today);
    const reported = / (\d+) subscribers/.exec(e.userAgent);
    if (reported) {
      const name = crawlerNamed(e.userAgent).name;
      today.readers.set(name, Math.max(today.readers.get(name) ?? 0, Number(reported[1])));
    } else today.clients.add(client);
    const last = [...days.keys()].sort().at(-1) as string;
    const of = days.get(last) as FeedDay;
    const subscribers = of.clients.size + [...of.readers.values()].reduce((a, b) => a + b, 0);
    want.feeds[e.path] = { subscribers, day: last, readers: Object.fromEntries(of.readers) };
  }
}

/** What DESIGN.md makes of the page views among `events`, computed from the written fields. */
function expectedFromEvents(events: TrafficEvent[], views: Map<string, ViewIntent>): Expected {
  const want = emptyExpected();
  const seen = { downloads: new Set<string>(), feedDays: new Map<string, Map<string, FeedDay>>() };
  const pageDay = new Set<string>();
  const siteDay = new Set<string>();
  const add = (record: Record<string, number>, key: string) => {
    record[key] = (record[key] ?? 0) + 1;
  };
  for (const e of events) {
    want.lines++;
    want.bytes += e.bytes;
    // A bot's page request (not its robots.txt, feed or missing page) is what `bots` counts.
    if (e.intent === "bot" && e.status === 200 && e.contentType === "text/html") want.bots++;
    countServerFromFields(want, e, seen);
    const view = views.get(e.requestId);
    if (e.intent !== "view" || view === undefined) continue;
    const page = rulePage(e.path);
    const day = dayOf(e.time);
    const visitor = `${e.clientIp} ${e.userAgent}`;
    want.views++;
    add(want.pages, page);
    want.daily[page] ??= {};
    add(want.daily[page], day);
    if (ruleEntry(e.referrer, e.host)) {
      want.entries++;
      add(want.breakdowns.source, ruleSource(e.referrer, e.query));
      const campaign = new URLSearchParams(e.query).get("utm_campaign");
      if (campaign !== null) add(want.breakdowns.campaign, campaign);
      add(want.breakdowns.entry, page);
    }
    const agent = USER_AGENTS.find((a) => a.userAgent === e.userAgent);
    add(want.breakdowns.browser, agent?.browser ?? "?");
    add(want.breakdowns.os, agent?.os ?? "?");
    add(want.breakdowns.device, agent?.device ?? "?");
    add(want.breakdowns.country, e.country);
    if (!siteDay.has(`${day} ${visitor}`)) {
      siteDay.add(`${day} ${visitor}`);
      add(want.dailyVisitors, day);
      want.visitorsTotal++;
    }
    if (!pageDay.has(`${day} ${page} ${visitor}`)) {
      pageDay.add(`${day} ${page} ${visitor}`);
      add(want.visitors, page);
    }
  }
  return want;
}

describe("traffic generator", () => {
  const base = generate(TRAFFIC);

  it.each([
    { name: "default", options: TRAFFIC },
    { name: "sparse", options: { requests: 300, start: "2024-05-01", days: 1, seed: 22 } },
    { name: "many visitors", options: { ...TRAFFIC, requests: 30_000, visitors: 100_000, seed: 3 } },
    { name: "few visitors", options: { ...TRAFFIC, visitors: 5, seed: 11 } },
  ])("is reproducible from its seed ($name)", ({ options }) => {
    const a = generate(options);
    const b = generate(options);
    expect(b.events).toEqual(a.events);
    expect(b.expected).toEqual(a.expected);
    expect([...b.views]).toEqual([...a.views]);
    const other = generate({ ...options, seed: (options.seed ?? 1) + 1 });
    expect(other.events.map((e) => e.requestId)).not.toEqual(a.events.map((e) => e.requestId));
  });

  it.each([
    { name: "default", options: TRAFFIC },
    { name: "sparse", options: { requests: 300, start: "2024-05-01", days: 1, seed: 22 } },
    { name: "dense", options: { requests: 60_000, start: "2024-01-31", days: 2, posts: 80, seed: 5 } },
    { name: "many visitors", options: { ...TRAFFIC, requests: 30_000, visitors: 100_000, seed: 3 } },
    { name: "few visitors", options: { ...TRAFFIC, visitors: 5, seed: 11 } },
    { name: "another host", options: { ...TRAFFIC, host: "blog.example.io", seed: 13 } },
  ])("gives expected counts consistent with each other ($name)", ({ options }) => {
    const { events, expected: x } = generate(options);
    expect(x.lines).toBe(options.requests);
    expect(events.length).toBe(options.requests);
    expect(sum(x.pages)).toBe(x.views);
    const { browser, os, device, country, source, campaign, entry } = x.breakdowns;
    for (const counts of [browser, os, device, country]) expect(sum(counts)).toBe(x.views);
    for (const counts of [source, entry]) expect(sum(counts)).toBe(x.entries);
    expect(sum(campaign)).toBeLessThanOrEqual(x.entries);
    expect(x.entries).toBeLessThanOrEqual(x.views);
    for (const [page, n] of Object.entries(entry)) expect(n).toBeLessThanOrEqual(x.pages[page]);
    expect(sum(x.dailyVisitors)).toBe(x.visitorsTotal);
    expect(Object.keys(x.visitors).sort()).toEqual(Object.keys(x.pages).sort());
    for (const [page, n] of Object.entries(x.visitors)) {
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(x.pages[page]);
    }
    const viewsPerDay: Record<string, number> = {};
    for (const byDay of Object.values(x.daily)) {
      for (const [day, n] of Object.entries(byDay)) viewsPerDay[day] = (viewsPerDay[day] ?? 0) + n;
    }
    expect(Object.keys(x.dailyVisitors).sort()).toEqual(Object.keys(viewsPerDay).sort());
    for (const [day, n] of Object.entries(x.dailyVisitors)) expect(n).toBeLessThanOrEqual(viewsPerDay[day]);
    // A day's site visitors are at most the sum of its pages' visitors.
    expect(x.visitorsTotal).toBeLessThanOrEqual(sum(x.visitors));
    expect(Object.keys(device).every((d) => ["desktop", "mobile", "tablet"].includes(d))).toBe(true);
    expect(Object.keys(country).every((c) => /^[A-Z]{2}$/.test(c))).toBe(true);
    if (options.visitors !== undefined) {
      for (const n of Object.values(x.dailyVisitors)) expect(n).toBeLessThanOrEqual(options.visitors);
    }
  });

  it.each([
    { name: "default", options: TRAFFIC },
    { name: "sparse", options: { requests: 300, start: "2024-05-01", days: 1, seed: 22 } },
    { name: "another host", options: { ...TRAFFIC, host: "blog.example.io", seed: 13 } },
  ])("labels every page view as DESIGN.md's rules read its fields ($name)", ({ options }) => {
    const { events, views, expected } = generate(options);
    expect(views.size).toBe(expected.views);
    for (const e of events) {
      const view = views.get(e.requestId);
      expect(view !== undefined).toBe(e.intent === "view");
      if (view === undefined) continue;
      expect(view.page).toBe(rulePage(e.path));
      expect(view.visitor).toBe(`${e.clientIp} ${e.userAgent}`);
      expect(view.country).toBe(e.country);
      expect(view.entry).toBe(ruleEntry(e.referrer, e.host));
      expect(view.source).toBe(view.entry ? ruleSource(e.referrer, e.query) : undefined);
      const campaign = new URLSearchParams(e.query).get("utm_campaign") ?? undefined;
      expect(view.campaign).toBe(view.entry ? campaign : undefined);
    }
    expect(expectedFromEvents(events, views)).toEqual(expected);
  });

  it("covers the arrivals, queries and readers the audience counts must survive", () => {
    const { events, views, expected: x } = base;
    const { source, campaign, browser, os, device } = x.breakdowns;
    for (const name of [
      "(direct)",
      "Google",
      "Bing",
      "DuckDuckGo",
      "Twitter",
      "Facebook",
      "Reddit",
      "Hacker News",
      "LinkedIn",
      "GitHub",
      "Stack Overflow",
      "blog.example.org",
      "friend.example.net",
      "example.net",
      "org.example.reader",
      "newsletter",
      "news letter",
      "partner-site",
      "twitter",
    ]) {
      expect(source[name], name).toBeGreaterThan(0);
    }
    expect(Object.keys(campaign).sort()).toEqual(["autumn", "launch", "spring-sale"]);
    expect(Object.keys(browser).sort()).toEqual([
      "Chrome",
      "Edge",
      "Firefox",
      "Opera",
      "Safari",
      "Samsung Internet",
    ]);
    expect(Object.keys(os).sort()).toEqual(
      ["ChromeOS", "Android", "Linux", "Windows", "iOS", "macOS"].sort(),
    );
    expect(Object.keys(device).sort()).toEqual(["desktop", "mobile", "tablet"]);
    const viewEvents = events.filter((e) => e.intent === "view");
    const referrers = new Set(viewEvents.map((e) => e.referrer));
    for (const referrer of [
      "https://www.google.co.uk/",
      "https://www.google.com.au/",
      "https://t.co/AbC123",
      "https://WWW.Example.Net/",
      "http://friend.example.net:8080/",
      "android-app://com.google.android.gm/",
      "android-app://org.example.reader/",
    ]) {
      expect(referrers.has(referrer), referrer).toBe(true);
    }
    // Internal referrers in the forms own hosts must be recognised in: www-less, with a port, upper case.
    const internal = viewEvents.filter((e) => !views.get(e.requestId)?.entry).map((e) => e.referrer);
    expect(internal.some((r) => r.startsWith("https://example.com/"))).toBe(true);
    expect(internal.some((r) => r.startsWith("https://www.example.com:443/"))).toBe(true);
    expect(internal.some((r) => r.startsWith("https://WWW.EXAMPLE.COM/"))).toBe(true);
    // A query on a view that is not an entry changes nothing, even utm_source.
    expect(
      viewEvents.some((e) => !views.get(e.requestId)?.entry && e.query.includes("utm_source=newsletter")),
    ).toBe(true);
    // The query never changes the page: pages have no `?`.
    expect(Object.keys(x.pages).some((page) => page.includes("?"))).toBe(false);
    expect(viewEvents.some((e) => e.query !== "")).toBe(true);
    // Realistic proportions: about one line in seven is a page view, bots a twentieth.
    expect(x.views / x.lines).toBeGreaterThan(0.12);
    expect(x.views / x.lines).toBeLessThan(0.16);
    expect(x.bots / x.lines).toBeGreaterThan(0.03);
    expect(x.entries / x.views).toBeGreaterThan(0.3);
    expect(x.entries / x.views).toBeLessThan(0.75);
  });

  it("has visitors who come back on other days and read several pages in one visit", () => {
    const { events, views, expected: x } = base;
    const daysOf = new Map<string, Set<string>>();
    for (const e of events) {
      const view = views.get(e.requestId);
      if (view === undefined) continue;
      const days = daysOf.get(view.visitor) ?? new Set();
      daysOf.set(view.visitor, days);
      days.add(dayOf(e.time));
    }
    const returning = [...daysOf.values()].filter((days) => days.size > 1).length;
    expect(returning).toBeGreaterThan(20);
    expect(x.visitorsTotal).toBeGreaterThan(daysOf.size);
    // A visit: an entry, then a view by the same visitor whose referrer is the page it entered on.
    const entered = new Map<string, string>();
    let visits = 0;
    for (const e of events) {
      const view = views.get(e.requestId);
      if (view === undefined) continue;
      const last = entered.get(view.visitor);
      if (!view.entry && last !== undefined && e.referrer.endsWith(last)) visits++;
      if (view.entry) entered.set(view.visitor, e.query === "" ? e.path : `${e.path}?${e.query}`);
    }
    expect(visits).toBeGreaterThan(100);
    // Several views per visitor and day: fewer visitors than views.
    expect(x.visitorsTotal).toBeLessThan(x.views * 0.6);
    // Visitors' requests for the page's assets come from the same client; bots never do.
    const visitors = new Set([...views.values()].map((v) => v.visitor));
    for (const e of events) {
      if (e.intent === "bot") expect(visitors.has(`${e.clientIp} ${e.userAgent}`)).toBe(false);
    }
    expect(events.some((e) => e.intent === "asset" && visitors.has(`${e.clientIp} ${e.userAgent}`))).toBe(
      true,
    );
  });

  it("draws visitors from a pool of up to 100,000 distinct (IP, user agent) pairs", () => {
    const pool = visitorPool(100_000, random(5));
    expect(new Set(pool.map((v) => v.key)).size).toBe(100_000);
    const ips = pool.map((v) => v.clientIp);
    expect(ips.every((ip) => isIP(ip) !== 0)).toBe(true);
    const v6 = ips.filter((ip) => isIP(ip) === 6);
    expect(v6.every((ip) => ip.startsWith("2001:db8:"))).toBe(true);
    expect(v6.length / ips.length).toBeGreaterThan(0.08);
    expect(ips.filter((ip) => isIP(ip) === 4).every((ip) => ip.startsWith("10."))).toBe(true);
    // Some share an address (a household, an office) with another user agent.
    const distinctIps = new Set(ips).size;
    expect(distinctIps).toBeLessThan(100_000);
    expect(distinctIps).toBeGreaterThan(90_000);
    // A view's visitor is its own pool's, whatever the pool size.
    const few = generate({ ...TRAFFIC, visitors: 5, seed: 11 });
    expect(new Set([...few.views.values()].map((v) => v.visitor)).size).toBeLessThanOrEqual(5);
  });

  it("uses real user agents that ua-parser-js 1.x and isbot read as the table says", () => {
    for (const agent of USER_AGENTS) {
      const { browser, os, device } = new UAParser(agent.userAgent).getResult();
      const name = browser.name ?? "";
      expect(BROWSER_NAMES[name] ?? name, agent.userAgent).toBe(agent.browser);
      expect(OS_NAMES[os.name ?? ""] ?? os.name, agent.userAgent).toBe(agent.os);
      expect(device.type ?? "desktop", agent.userAgent).toBe(agent.device);
      expect(isbot(agent.userAgent), agent.userAgent).toBe(false);
    }
    for (const agent of BOT_AGENTS) expect(agent === "-" || isbot(agent), agent).toBe(true);
  });
});

// ---- Reading written lines back, with plain string splitting. ----

interface Read {
  clientIp: string;
  userAgent: string;
  referrer: string;
  query: string;
  host: string | undefined;
  country: string | undefined;
  requestId: string | undefined;
}

/** The 33 fields of a CloudFront standard log, from the CloudFront Developer Guide, in order. */
const CLOUDFRONT_33 =
  "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end".split(
    " ",
  );

/**
 * A W3C file (CloudFront legacy and v2): the #Fields header names the columns; without one, the
 * CloudFront fields as many as a line has.
 */
function readW3c(lines: string[], decodeTimes: number): Read[] {
  const fieldsLine = lines.find((l) => l.startsWith("#Fields: "));
  const header = fieldsLine?.slice(9).split(" ");
  const decode = (value: string) => {
    let v = value;
    for (let i = 0; i < decodeTimes; i++) v = decodeURIComponent(v);
    return v;
  };
  return lines
    .filter((l) => !l.startsWith("#"))
    .map((line) => {
      const values = line.split(line.includes("\t") ? "\t" : " ");
      const names = header ?? CLOUDFRONT_33.slice(0, values.length);
      expect(values.length).toBe(names.length);
      const get = (name: string) => {
        const i = names.indexOf(name);
        return i === -1 ? undefined : values[i];
      };
      const referrer = get("cs(Referer)") ?? "-";
      const query = get("cs-uri-query") ?? "-";
      return {
        clientIp: get("c-ip") ?? "",
        userAgent: decode(get("cs(User-Agent)") ?? ""),
        referrer: referrer === "-" ? "-" : decode(referrer),
        query: query === "-" ? "" : query,
        host: get("x-host-header"),
        country: get("c-country"),
        requestId: get("x-edge-request-id"),
      };
    });
}

/** CloudFront v2 as JSON lines: the v2 field names are the keys. */
function readJson(lines: string[]): Read[] {
  return lines.map((line) => {
    const record = JSON.parse(line) as Record<string, string>;
    const value = (name: string) => (record[name] === "-" ? "-" : decodeURIComponent(record[name]));
    return {
      clientIp: record["c-ip"],
      userAgent: value("cs(User-Agent)"),
      referrer: value("cs(Referer)"),
      query: record["cs-uri-query"] === "-" ? "" : record["cs-uri-query"],
      host: record["x-host-header"],
      country: record["c-country"],
      requestId: record["x-edge-request-id"],
    };
  });
}

/** IIS: space-separated, named by #Fields, `+` for a space. */
function readIis(lines: string[]): Read[] {
  const names = (lines.find((l) => l.startsWith("#Fields: ")) ?? "").slice(9).split(" ");
  expect(lines[0]).toBe("#Software: Microsoft Internet Information Services 10.0");
  return lines
    .filter((l) => !l.startsWith("#"))
    .map((line) => {
      const values = line.split(" ");
      expect(values.length).toBe(names.length);
      const get = (name: string) => {
        const i = names.indexOf(name);
        return i === -1 ? undefined : values[i];
      };
      const query = get("cs-uri-query") ?? "-";
      return {
        clientIp: get("c-ip") ?? "",
        userAgent: (get("cs(User-Agent)") ?? "").replaceAll("+", " "),
        referrer: (get("cs(Referer)") ?? "").replaceAll("+", " "),
        query: query === "-" ? "" : query,
        host: get("cs-host"),
        country: undefined,
        requestId: undefined,
      };
    });
}

/** Classic Load Balancer: time elb client:port backend:port 3 times 2 statuses 2 sizes "request" "agent" ... */
function readElb(lines: string[]): Read[] {
  return lines.map((line) => {
    const m =
      /^\S+Z \S+ (\S+):\d+ \S+ \S+ \S+ \S+ (\d{3}|-) (\d{3}|-) \d+ \d+ "\S+ https:\/\/([^/]+):443([^ ?]*)(?:\?(\S*))? HTTP\/1\.1" "([^"]*)" \S+ \S+$/.exec(
        line,
      );
    expect(m, line).not.toBeNull();
    const [, clientIp, , , host, , query, userAgent] = m as RegExpExecArray;
    return {
      clientIp,
      userAgent,
      referrer: "-",
      query: query ?? "",
      host,
      country: undefined,
      requestId: undefined,
    };
  });
}

function readS3(lines: string[]): Read[] {
  return lines.map((line) => {
    // bucket-owner bucket [time] ip requester request-id operation key "request" status ...
    const quoted = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    const [, bucket] = line.split(" ");
    const afterTime = line.slice(line.indexOf("]") + 2).split(" ");
    const target = quoted[0].split(" ")[1];
    return {
      clientIp: afterTime[0],
      userAgent: quoted[2],
      referrer: quoted[1],
      query: target.includes("?") ? target.slice(target.indexOf("?") + 1) : "",
      host: bucket,
      country: undefined,
      requestId: undefined,
    };
  });
}

function readCombined(lines: string[]): Read[] {
  return lines.map((line) => {
    const m = /^(?:(\S+) )?(\S+) - - \[[^\]]+\] "\S+ (\S+) HTTP\/1\.1" \d+ \d+ "([^"]*)" "([^"]*)"$/.exec(
      line,
    );
    expect(m, line).not.toBeNull();
    const [, vhost, clientIp, target, referrer, userAgent] = m as RegExpExecArray;
    return {
      clientIp,
      userAgent,
      referrer,
      query: target.includes("?") ? target.slice(target.indexOf("?") + 1) : "",
      host: vhost,
      country: undefined,
      requestId: undefined,
    };
  });
}

const SMALL: TrafficOptions = { requests: 6000, start: "2024-02-28", days: 2, posts: 12, seed: 3 };

describe.each<{
  name: string;
  options: Partial<GenerateOptions>;
  read: (lines: string[]) => Read[];
  hostKnown: boolean;
  /** The log tells the referrer (all but ELB). */
  referrers?: boolean;
}>([
  { name: "cloudfront", options: {}, read: (l) => readW3c(l, 1), hostKnown: true },
  { name: "cloudfront legacy", options: { legacy: true }, read: (l) => readW3c(l, 2), hostKnown: true },
  { name: "cloudfront, 24 fields", options: { columns: 24 }, read: (l) => readW3c(l, 1), hostKnown: true },
  { name: "cloudfront, 26 fields", options: { columns: 26 }, read: (l) => readW3c(l, 1), hostKnown: true },
  {
    name: "cloudfront without header lines",
    options: { headerless: true },
    read: (l) => readW3c(l, 1),
    hostKnown: true,
  },
  {
    name: "cloudfront-v2",
    options: { format: "cloudfront-v2" },
    read: (l) => readW3c(l, 1),
    hostKnown: true,
  },
  {
    name: "cloudfront-v2, space-separated, fields chosen and reordered",
    options: {
      format: "cloudfront-v2",
      delimiter: " ",
      fields: [
        "date",
        "time",
        "c-ip",
        "c-country",
        "cs-method",
        "cs-uri-stem",
        "cs-uri-query",
        "sc-status",
        "x-host-header",
        "cs(Referer)",
        "x-edge-request-id",
        "cs(User-Agent)",
      ],
    },
    read: (l) => readW3c(l, 1),
    hostKnown: true,
  },
  { name: "cloudfront-json", options: { format: "cloudfront-json" }, read: readJson, hostKnown: true },
  { name: "s3", options: { format: "s3" }, read: readS3, hostKnown: true },
  { name: "elb", options: { format: "elb" }, read: readElb, hostKnown: true, referrers: false },
  { name: "iis", options: { format: "iis" }, read: readIis, hostKnown: false },
  { name: "iis with cs-host", options: { format: "iis", vhost: true }, read: readIis, hostKnown: true },
  { name: "combined", options: { format: "combined" }, read: readCombined, hostKnown: false },
  {
    name: "combined with vhost",
    options: { format: "combined", vhost: true },
    read: readCombined,
    hostKnown: true,
  },
])("$name writer", ({ name, options, read, hostKnown, referrers = true }) => {
  const { events, views } = generate(SMALL);
  const writer = writerFor({ ...SMALL, ...options });
  const lines = [...writer.header, ...events.map((e) => writer.line(e))];
  const records = read(lines);
  const v2 = options.format === "cloudfront-v2" || options.format === "cloudfront-json";
  // IIS writes a space as `+`, and has no escape for a `+` itself (bots' agents have some).
  const asRead = (value: string) => (options.format === "iis" ? value.replaceAll("+", " ") : value);

  it("writes what the intents chose: referrer, query, user agent, client IP, host, country", () => {
    expect(records.length).toBe(events.length);
    records.forEach((r, i) => {
      const e = events[i];
      expect(r.clientIp).toBe(e.clientIp);
      expect(r.userAgent).toBe(asRead(e.userAgent));
      expect(r.referrer).toBe(referrers ? asRead(e.referrer) : "-");
      expect(r.query).toBe(e.query);
      expect(r.host).toBe(hostKnown ? SITE_HOST : undefined);
      expect(r.country).toBe(v2 ? e.country : undefined);
      if (r.requestId !== undefined) expect(r.requestId).toBe(e.requestId);
    });
  });

  it("writes the page views' audience so that the rules read it back as intended", () => {
    let checked = 0;
    records.forEach((r, i) => {
      const view = views.get(events[i].requestId);
      if (view === undefined) return;
      checked++;
      expect(`${r.clientIp} ${r.userAgent}`).toBe(view.visitor);
      if (!referrers) return;
      // Without the host in the log, the reader needs it as --own-host.
      expect(ruleEntry(r.referrer, r.host ?? SITE_HOST)).toBe(view.entry);
      if (view.entry) expect(ruleSource(r.referrer, r.query)).toBe(view.source);
      if (v2) expect(r.country).toBe(view.country);
    });
    expect(checked).toBeGreaterThan(500);
  });

  const named = name.startsWith("cloudfront") && !options.headerless && options.format !== "cloudfront-json";
  it(`names its columns${named ? "" : " (or not)"}${v2 ? ", c-country among them" : ""}`, () => {
    const fields = lines.find((l) => l.startsWith("#Fields:"));
    if (named) expect(fields).toBeDefined();
    if (!named && name.startsWith("cloudfront")) expect(fields).toBeUndefined();
    if (fields === undefined) return;
    expect(fields.split(" ").includes("c-country")).toBe(v2);
    if (v2 && options.fields === undefined) {
      expect(fields).toBe(`#Fields: ${CLOUDFRONT_V2_FIELDS.join(" ")}`);
    }
    if (options.columns !== undefined) expect(fields.split(" ").length).toBe(options.columns + 1);
  });
});

describe("generated files", () => {
  it.each<GenerateOptions["format"]>([
    "cloudfront",
    "cloudfront-v2",
    "cloudfront-json",
    "s3",
    "elb",
    "iis",
    "combined",
  ])(
    "are the same bytes for the same seed, with the same expected counts in every format (%s)",
    async (format) => {
      const dir = await tempDir();
      const options = { ...SMALL, format, vhost: true };
      const a = await generateLogFile(join(dir, "a.log"), options);
      const b = await generateLogFile(join(dir, "b.log"), options);
      // Compared as strings: a deep comparison of Buffers goes byte by byte, slowly.
      expect(await readFile(join(dir, "b.log"), "utf8")).toBe(await readFile(join(dir, "a.log"), "utf8"));
      expect(b).toEqual(a);
      expect(a).toEqual(generate(SMALL).expected);
    },
  );

  it.each<Partial<GenerateOptions>>([
    { format: "cloudfront" },
    { format: "cloudfront", headerless: true, columns: 24 },
    { format: "cloudfront-v2" },
    { format: "cloudfront-json" },
    { format: "s3" },
    { format: "elb" },
    { format: "iis" },
    { format: "combined", vhost: true },
  ])("write the expected bytes where pagetrack's parsers read them (%o)", async (options) => {
    const dir = await tempDir();
    const expected = await generateLogFile(join(dir, "a.log"), { ...SMALL, ...options });
    const lines = (await readFile(join(dir, "a.log"), "utf8")).split("\n").filter((line) => line !== "");
    const parser = parserFor("auto", lines[0]);
    let records = 0;
    let bytes = 0;
    for (const line of lines) {
      const record = parser?.parse(line);
      if (typeof record === "string") throw new Error(`${record}: ${line}`);
      if (record == null) continue;
      records++;
      bytes += record.bytes;
    }
    expect(records).toBe(expected.lines);
    expect(expected.bytes).toBeGreaterThan(expected.lines * 2000);
    // IIS's default fields have no sc-bytes.
    expect(bytes).toBe(options.format === "iis" ? 0 : expected.bytes);
  });

  it("deliver CloudFront v2 hourly files with c-country, and combined files with the vhost", async () => {
    const dir = await tempDir();
    const v2 = await generateHourlyLogs(join(dir, "v2"), { ...SMALL, format: "cloudfront-v2" });
    expect(v2.expected).toEqual(generate(SMALL).expected);
    expect(v2.files.length).toBe(48);
    const text = gunzipSync(await readFile(v2.files[0])).toString("utf8");
    const [version, fields, first] = text.split("\n");
    expect(version).toBe("#Version: 1.0");
    expect(fields.split(" ")).toContain("c-country");
    expect(first.split("\t").length).toBe(CLOUDFRONT_V2_FIELDS.length);

    const combined = await generateHourlyLogs(join(dir, "combined"), {
      ...SMALL,
      format: "combined",
      vhost: true,
      perDay: true,
      gzip: false,
    });
    expect(combined.files.length).toBe(2);
    const line = (await readFile(combined.files[0], "utf8")).split("\n")[0];
    expect(line.startsWith(`${SITE_HOST} `)).toBe(true);
    expect(readCombined([line])[0].host).toBe(SITE_HOST);
  });
});
