import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { breakdownSpec, DIMENSIONS, type Dimension, dimensionsOn } from "../src/counters/registry.js";
import { generateHourlyLogs } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";
import { ensureChromium, launch } from "./support/browser.js";
import { runCli } from "./support/cli.js";
import { ROOT, tempDir } from "./support/paths.js";

const OUTPUT = join(ROOT, "test-output/dashboard");
/** The browser's zone in most tests; the dashboard shows the site's (UTC, the default). */
const TZ = "Europe/Paris";
const ZONE = "UTC";
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
/** A point of GET /pageviews and a page of GET /pages, as the tests read them. */
interface Point {
  t: string;
  views: number;
  visitors?: number;
  /** The whole site's bytes served in the bucket (not charted). */
  bytes?: number;
}
/** Points as the chart shows them: views and visitors (the bytes are the headline's). */
const charted = (points: Point[]) => points.map(({ bytes: _, ...p }) => p);
/**
 * The dimensions shown as breakdown panels (`#breakdown-<dimension>`): all but the crawlers and the
 * missing pages, which have panels of their own (`#crawlers`, `#notfound`).
 */
const BREAKDOWN_PANELS = DIMENSIONS.filter((d) => d !== "crawler" && d !== "notfound");
interface PageAnswer {
  page: string;
  views: number;
  visitors: number;
  first: string;
  last: string;
  viewsInRange: number;
}
/** What a panel's total counts, as the registry names it: "entries from outside the site", "page views". */
const counted = (dimension: Dimension, n: number) => {
  const noun = breakdownSpec(dimension).total;
  return `${n.toLocaleString("en-US")} ${n === 1 ? noun.one : noun.many}`;
};
/** An IP-to-country database covering every address (named like DB-IP's, so credited to DB-IP). */
const IP_COUNTRIES = [
  "0.0.0.0,9.255.255.255,US",
  "10.0.0.0,10.63.255.255,DE",
  "10.64.0.0,10.127.255.255,FR",
  "10.128.0.0,10.255.255.255,JP",
  "11.0.0.0,255.255.255.255,US",
  "::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,NL",
].join("\n");

/** Values that could widen a phone's page: long hosts, long utm values, long paths. */
const LONG_VALUES: Partial<Record<Dimension, string[]>> = {
  source: [
    "(direct)",
    "Google",
    "Hacker News",
    "news.example.com",
    "a-very-long-subdomain-name-for-testing-wrapping.some-really-long-registered-domain-name.example.org",
    "spring_sale_2025_newsletter_header_banner_variant_b_with_a_really_long_name_that_never_ends",
    "newsletter",
    "Newsletter.Example",
    "org.example.reader",
    "t.co",
    "xn--bcher-kva.example",
  ],
  campaign: [
    "spring-sale-2025-newsletter-header-banner-variant-b-with-a-really-long-name-that-never-ends",
    "may",
  ],
  entry: [
    "/blog/2025/05/an-extremely-long-post-title-that-goes-on-and-on-without-any-end-in-sight/and/more/segments/",
    "/",
  ],
};

interface BreakdownAnswer {
  total: number;
  values: { value: string; count: number }[];
  attribution?: string;
}

/** How the dashboard should treat a source: a link to its host, or a name (family, utm value, app id). */
function expectedLink(value: string): string | null {
  const host =
    value.includes(".") && /^[a-z0-9_.-]+$/.test(value) && !/^(com|org|net|io)\.[^.]+\./.test(value);
  return host ? `https://${value}/` : null;
}

/** A promise that the test resolves: requests routed through it wait until then. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** `pagetrack serve` on a data directory, until stopped. */
async function serve(args: string[]): Promise<{ base: string; process: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, "bin/pagetrack.js"), "serve", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const base = await new Promise<string>((resolve) =>
    child.stdout?.on("data", (d) => resolve(/(http:\/\/\S+)\//.exec(String(d))?.[1] ?? "")),
  );
  return { base, process: child };
}

/** The dashboard in headless Chromium: what it shows must be what the API says. */
describe("dashboard", () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serve>>;
  let empty: Awaited<ReturnType<typeof serve>>;
  let expected: Expected;
  /** Logs of 2005 and 2015 only: nothing in the last 30 days, and more than 10 years from first to last. */
  let old: Awaited<ReturnType<typeof serve>>;
  let page: Page;
  let emptyData: string;

  const api = async (path: string) => (await fetch(`${server.base}${path}`)).json();
  /** The chart's numbers, as the API gives its points: visitors only when the chart has them. */
  const chartRows = () =>
    page.$$eval("#chart-data tbody tr", (rows) =>
      rows.map((r) => {
        const { t, views, visitors } = (r as HTMLElement).dataset;
        return { t, views: Number(views), ...(visitors === undefined ? {} : { visitors: Number(visitors) }) };
      }),
    );
  /** The chart's series as its legend names them, with their values under the cursor (the x series left out). */
  const legend = () =>
    page.$$eval("#chart .u-legend .u-series", (rows) =>
      rows.slice(1).map((r) => ({
        label: r.querySelector(".u-label")?.textContent,
        value: r.querySelector(".u-value")?.textContent,
      })),
    );
  /** The generator's visitors of the whole site on the UTC days from..to (YYYY-MM-DD). */
  const expectedVisitors = (from: string, to: string) =>
    Object.entries(expected.dailyVisitors)
      .filter(([day]) => day >= from && day <= to)
      .reduce((sum, [, n]) => sum + n, 0);
  const fmt = (n: number) => n.toLocaleString("en-US");
  const ready = () => page.waitForSelector("body[data-state=ready]");
  const range = async () => ({ from: await page.inputValue("#from"), to: await page.inputValue("#to") });
  /** The local date in the site's zone of an ISO time. */
  const localDay = (iso: string) =>
    new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(new Date(iso));
  /** The buckets a chart draws: none after now. */
  const drawn = (points: Point[]) => points.filter((p) => Date.parse(p.t) <= Date.now());
  const addDays = (date: string, n: number) =>
    new Date(Date.parse(`${date}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
  /** The first day of the month n months after the month of a date. */
  const addMonths = (date: string, n: number) => {
    const d = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() + n);
    return d.toISOString().slice(0, 10);
  };
  /** Dates as the dashboard's notes write them, in the browser's locale ("Mar 1, 2005", "Apr 16 – May 15, 2015"). */
  const dateText = (from: string, to = from) =>
    page.evaluate(
      ([f, t]) => {
        const format = new Intl.DateTimeFormat(undefined, {
          day: "numeric",
          month: "short",
          year: "numeric",
          timeZone: "UTC",
        });
        const at = (d: string) => new Date(`${d}T12:00:00Z`);
        return f === t ? format.format(at(f)) : format.formatRange(at(f), at(t));
      },
      [from, to],
    );
  /** The ticks of the chart's axes: times (epoch seconds) and counts. */
  const ticks = async () => {
    const data = await page.$eval("#chart", (c) => ({ ...(c as HTMLElement).dataset }));
    return { x: (data.xTicks ?? "").split(",").map(Number), y: (data.yTicks ?? "").split(",").map(Number) };
  };
  /** A file the dashboard offers for download, as text. */
  async function downloaded(button: string): Promise<{ name: string; text: string }> {
    const [file] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
    const path = await file.path();
    return { name: file.suggestedFilename(), text: await readFile(path, "utf8") };
  }
  const breakdown = async (
    dimension: Dimension,
    { from, to }: { from: string; to: string },
    limit = 10,
    base = server.base,
  ): Promise<BreakdownAnswer> =>
    (
      await fetch(`${base}/breakdown?dimension=${dimension}&from=${from}&to=${to}&tz=${ZONE}&limit=${limit}`)
    ).json();
  const panelRows = (dimension: Dimension) =>
    page.$$eval(`#breakdown-${dimension} tbody tr`, (rows) =>
      rows.map((r) => ({
        value: (r as HTMLElement).dataset.value,
        count: Number((r as HTMLElement).dataset.count),
        shown: [...r.children].slice(1).map((c) => c.textContent),
      })),
    );
  /** A panel shows the API's answer: its values in order, their counts and shares, and its total. */
  async function showsAnswer(dimension: Dimension, answer: BreakdownAnswer): Promise<void> {
    const rows = await panelRows(dimension);
    expect(rows.map(({ value, count }) => ({ value, count }))).toEqual(answer.values);
    for (const [i, row] of rows.entries()) {
      const share = (answer.values[i].count / answer.total) * 100;
      expect(row.shown).toEqual([
        answer.values[i].count.toLocaleString("en-US"),
        share < 0.05 ? "<0.1%" : `${share.toFixed(1)}%`,
      ]);
    }
    expect(await page.textContent(`#breakdown-${dimension} .total`)).toBe(counted(dimension, answer.total));
  }
  const sourceLinks = () =>
    page.$$eval("#breakdown-source tbody tr", (rows) =>
      rows.map((r) => {
        const a = r.querySelector("a");
        return {
          value: (r as HTMLElement).dataset.value as string,
          href: a?.getAttribute("href") ?? null,
          rel: a?.rel ?? null,
          target: a?.target ?? null,
        };
      }),
    );
  async function linksHosts(): Promise<void> {
    for (const link of await sourceLinks()) {
      expect(link.href, link.value).toBe(expectedLink(link.value));
      if (link.href) expect([link.rel, link.target]).toEqual(["noopener noreferrer", "_blank"]);
    }
  }
  /** Long paths and referrers under missing pages, and long crawler names: none may widen a phone's page. */
  const LONG_PATH = LONG_VALUES.entry?.[0] as string;
  const LONG_HOST = LONG_VALUES.source?.[4] as string;
  const mockLongServer = async () => {
    await page.route(
      (url) => url.pathname === "/notfound",
      (route) =>
        route.fulfill({
          json: {
            from: "2026-01-01T00:00:00Z",
            to: "2026-01-31T00:00:00Z",
            total: 40,
            paths: [
              {
                path: `${LONG_PATH}missing/`,
                requests: 30,
                internal: [{ page: LONG_PATH, count: 20 }],
                external: [{ referrer: `${LONG_HOST}${LONG_PATH}`, count: 6 }],
                none: 4,
              },
            ],
          },
        }),
    );
    await page.route(
      (url) => url.pathname === "/crawlers",
      (route) =>
        route.fulfill({
          json: {
            from: "2026-01-01T00:00:00Z",
            to: "2026-01-31T00:00:00Z",
            crawlers: [
              {
                name: "An-Extremely-Long-Crawler-Name-Without-Any-Space-In-It-Whatsoever-Bot",
                category: "ai",
                requests: 12,
                pages: 10,
                bytes: 1000,
                last: "2026-01-30T10:00:00Z",
              },
            ],
          },
        }),
    );
  };
  /** Answers of /breakdown with long values (and a few of each kind of source) instead of the API's. */
  const mockLongValues = () =>
    page.route(
      (url) => url.pathname === "/breakdown",
      async (route) => {
        const q = new URL(route.request().url()).searchParams;
        const values = LONG_VALUES[q.get("dimension") as Dimension];
        if (!values) return route.continue();
        const listed = values.map((value, i) => ({ value, count: 1000 - i * 90 }));
        await route.fulfill({
          json: {
            dimension: q.get("dimension"),
            from: `${q.get("from")}T00:00:00+02:00`,
            to: `${q.get("to")}T00:00:00+02:00`,
            total: listed.reduce((sum, v) => sum + v.count, 0) + 37,
            values: listed.slice(0, Number(q.get("limit") ?? 10)),
          },
        });
      },
    );
  /** The page does not scroll sideways: neither wider than the window, nor the window wider than the screen. */
  async function noSidewaysScroll(width: number): Promise<void> {
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    // A phone's browser widens its layout viewport (innerWidth) to fit a page that is too wide.
    expect(innerWidth).toBe(width);
  }
  const shot = (name: string) => page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
  async function accessible(): Promise<void> {
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const result = await (
        window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }
      ).axe.run();
      return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
    });
    expect(violations).toEqual([]);
  }

  /**
   * The API's answers of the served data sets, by URL, shared by every page: each distinct question
   * is answered by the server once (the data does not change while the tests run), and every page
   * still shows what the API answered. A test's own routes come first (later routes win).
   */
  const answers = new Map<string, Promise<{ status: number; body: Buffer }>>();
  const API = new Set([
    "/pageviews",
    "/pages",
    "/pagetotals",
    "/breakdown",
    "/site",
    "/crawlers",
    "/notfound",
    "/feeds",
  ]);
  async function newPage(options?: Parameters<Browser["newPage"]>[0]): Promise<Page> {
    const opened = await browser.newPage(options);
    const served = [server.base, old.base];
    await opened.route(
      (url) => served.includes(url.origin) && API.has(url.pathname),
      async (route) => {
        const url = route.request().url();
        let answer = answers.get(url);
        if (!answer) {
          answer = route.fetch().then(async (r) => ({ status: r.status(), body: await r.body() }));
          answers.set(url, answer);
        }
        try {
          const got = await answer.catch(() => undefined);
          if (got)
            await route.fulfill({ status: got.status, contentType: "application/json", body: got.body });
          else {
            // A connection the server had closed (kept alive too long): the browser asks itself.
            answers.delete(url);
            await route.continue();
          }
        } catch (error) {
          // A page closed while its request was out has nobody to answer.
          if (!opened.isClosed()) throw error;
        }
      },
    );
    return opened;
  }

  beforeAll(async () => {
    ensureChromium();
    await mkdir(OUTPUT, { recursive: true });
    const dir = await tempDir();
    // The 14 UTC days up to yesterday: all inside the last 30 days in Paris at any hour (today's last
    // UTC hours are tomorrow there), so the range's figures are the generator's.
    const today = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.parse(today) - 14 * 86400000).toISOString().slice(0, 10);
    const logs = await generateHourlyLogs(join(dir, "logs"), {
      requests: 4000,
      start,
      days: 14,
      posts: 10,
      seed: 5,
      perDay: true,
    });
    expected = logs.expected;
    // Their countries named by an IP-to-country database (the old logs below name none).
    const database = join(dir, "dbip-country-lite-test.csv");
    await writeFile(database, IP_COUNTRIES);
    const data = ["--data", join(dir, "data")];
    expect((await runCli(["ingest", ...logs.files, ...data, "--ip-country", database])).code).toBe(0);
    server = await serve(data);
    empty = await serve([...data, "--site", "nothing-yet"]);
    emptyData = data[1];
    // Old logs: a few days of 2005 and two weeks of 2015, ingested together.
    const oldLogs = [
      await generateHourlyLogs(join(dir, "old-2005"), {
        requests: 600,
        start: "2005-03-01",
        days: 4,
        posts: 4,
        seed: 11,
        perDay: true,
      }),
      await generateHourlyLogs(join(dir, "old-2015"), {
        requests: 3000,
        start: "2015-05-01",
        days: 14,
        posts: 6,
        seed: 12,
        perDay: true,
      }),
    ];
    const oldData = ["--data", join(dir, "old")];
    expect((await runCli(["ingest", ...oldLogs.flatMap((l) => l.files), ...oldData])).code).toBe(0);
    old = await serve(oldData);
    browser = await launch();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    server?.process.kill();
    empty?.process.kill();
    old?.process.kill();
  });

  it("shows the API's totals, in light and dark", async () => {
    page = await newPage({
      colorScheme: "light",
      timezoneId: TZ,
      viewport: { width: 1200, height: 900 },
    });
    await page.goto(`${server.base}/`);
    await ready();
    const { from, to } = await range();
    const site = await api(`/pageviews?from=${from}&to=${to}&tz=${ZONE}&interval=day`);
    expect(await page.textContent("#views")).toBe(site.total.toLocaleString("en-US"));
    const pages = await api(`/pages?from=${from}&to=${to}&tz=${ZONE}`);
    const viewed = pages.pages.filter((p: { viewsInRange: number }) => p.viewsInRange > 0).length;
    expect(await page.textContent("#pages-viewed")).toBe(String(viewed));
    expect(await page.textContent("#bots")).toBe(expected.bots.toLocaleString("en-US"));
    // Visitors of the range: the API's, and those the generator made (a local day in Paris holds its
    // UTC day's noon, so the local dates are the UTC days counted).
    expect(site.visitors).toBe(expectedVisitors(from, to));
    expect(site.visitors).toBeGreaterThan(0);
    expect(await page.textContent("#visitors")).toBe(fmt(site.visitors));
    const rows = await page.$$eval("#pages tbody tr", (trs) =>
      trs.map((tr) => [
        (tr as HTMLElement).dataset.page,
        tr.children[2].textContent,
        tr.children[3].textContent,
      ]),
    );
    expect(Object.fromEntries(rows.map(([p, views]) => [p, views]))).toEqual(
      Object.fromEntries(Object.entries(expected.pages).map(([p, n]) => [p, n.toLocaleString("en-US")])),
    );
    expect(Object.fromEntries(rows.map(([p, , visitors]) => [p, visitors]))).toEqual(
      Object.fromEntries(Object.entries(expected.visitors).map(([p, n]) => [p, fmt(n)])),
    );
    expect(await chartRows()).toEqual(charted(site.points));
    expect((await legend()).map((s) => s.label)).toEqual(["Views", "Visitors"]);
    expect(await page.isHidden("#chart-note")).toBe(true);
    // Under the cursor, the legend shows both values of the point: the busiest day's.
    const points: { t: string; views: number; visitors: number }[] = site.points;
    const busiest = points.reduce((a, b) => (b.views > a.views ? b : a));
    expect(busiest.visitors).toBeLessThan(busiest.views);
    // Away from the cursor, the legend has the range and its totals (not "--").
    const totals = [
      { label: "Views", value: fmt(site.total) },
      { label: "Visitors", value: fmt(site.visitors) },
    ];
    expect(await legend()).toEqual(totals);
    const legendTime = () => page.textContent("#chart .u-legend .u-series:first-child .u-value");
    expect(await legendTime()).toBe(await dateText(from, to));
    const over = await page.locator("#chart .u-over").boundingBox();
    if (!over) throw new Error("the chart has no plot area");
    const [first, last] = [points[0], points[points.length - 1]].map((p) => Date.parse(p.t));
    const x = over.x + (over.width * (Date.parse(busiest.t) - first)) / (last - first);
    await page.mouse.move(x, over.y + over.height / 2);
    await expect
      .poll(async () => (await legend()).map((s) => s.value))
      .toEqual([fmt(busiest.views), fmt(busiest.visitors)]);
    expect(await legendTime()).not.toBe(await dateText(from, to));
    await page.mouse.move(1, 1);
    await expect.poll(legend).toEqual(totals);
    await accessible();
    await shot("ready-light");
    // The same page in dark: the chart is drawn again in its colours, and stays readable.
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await legend()).toEqual(totals);
    await accessible();
    await shot("ready-dark");
    await page.close();
  });

  it("shows the audience of the range as the API breaks it down, entry pages beside the pages", async () => {
    page = await newPage({ timezoneId: TZ, viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    const shown = await range();
    // Each panel where the registry puts it, in the registry's order.
    const placed = (parent: string) =>
      page.$$eval(`${parent} > section.breakdown`, (panels) =>
        panels.map((p) => (p as HTMLElement).dataset.dimension),
      );
    expect(await placed("#pair")).toEqual(dimensionsOn("pages"));
    expect(await placed("#audience-grid")).toEqual(dimensionsOn("audience"));
    // What only the server's log tells, below: crawlers, missing pages, downloads, feeds.
    expect(await page.$$eval("#server-grid > section", (panels) => panels.map((p) => p.id))).toEqual([
      "crawlers",
      "notfound",
      "breakdown-download",
      "feeds",
    ]);
    for (const dimension of BREAKDOWN_PANELS) {
      const answer = await breakdown(dimension, shown);
      const panel = `#breakdown-${dimension}`;
      expect(await page.textContent(`${panel} :is(h2, h3)`)).toBe(breakdownSpec(dimension).title);
      if (["source", "entry", "browser", "os", "device"].includes(dimension))
        expect(answer.values.length, `${dimension} has values`).toBeGreaterThan(0);
      if (dimension === "country" && answer.values.every((v) => v.value === "(unknown)")) {
        expect(await page.isHidden(panel)).toBe(true);
        continue;
      }
      expect(await page.isVisible(panel)).toBe(true);
      if (answer.values.length === 0) {
        expect(await page.getAttribute(panel, "data-state")).toBe("empty");
        continue;
      }
      await showsAnswer(dimension, answer);
    }
    const pages = await page.locator("section[aria-labelledby=pages-title]").boundingBox();
    const entry = await page.locator("#breakdown-entry").boundingBox();
    expect(pages && entry).toBeTruthy();
    if (!pages || !entry) return;
    expect(entry.x).toBeGreaterThanOrEqual(pages.x + pages.width);
    expect(Math.abs(entry.y - pages.y)).toBeLessThan(1);
    await noSidewaysScroll(1280);
    await accessible();
    await shot("audience-desktop");
    await page.close();
  });

  it("lists more values of a panel when asked, with the keyboard", async () => {
    page = await newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    const shown = await range();
    const more: Dimension[] = [];
    for (const dimension of BREAKDOWN_PANELS) {
      const answer = await breakdown(dimension, shown);
      const listed = answer.values.reduce((sum, v) => sum + v.count, 0);
      if (listed < answer.total) more.push(dimension);
      if (dimension === "country" && (await page.isHidden("#breakdown-country"))) continue;
      expect(await page.isVisible(`#breakdown-${dimension} button.more`)).toBe(listed < answer.total);
    }
    expect(more.length, "a panel with more than 10 values").toBeGreaterThan(0);
    const dimension = more.includes("source") ? "source" : more[0];
    const panel = `#breakdown-${dimension}`;
    // Tab reaches the button, as it does every control.
    const onButton = (p: string) => !!document.activeElement?.matches(`${p} button.more`);
    for (let i = 0; i < 400 && !(await page.evaluate(onButton, panel)); i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(onButton, panel)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Show more/);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${panel}[data-limit="100"][data-state=ready]`);
    const hundred = await breakdown(dimension, shown, 100);
    await showsAnswer(dimension, hundred);
    expect((await panelRows(dimension)).length).toBeGreaterThan(10);
    // The focus stays in the panel: on "Show more" if more remain, else on "Show the top 10".
    expect(await page.evaluate((p) => !!document.activeElement?.closest(p), panel)).toBe(true);
    await page.focus(`${panel} button.fewer`);
    await page.keyboard.press("Enter");
    await showsAnswer(dimension, await breakdown(dimension, shown));
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("more");
    await accessible();
    await page.close();
  });

  it("shows countries only when the logs or a database name them, and credits the database", async () => {
    // The old logs name no country, and no database named them.
    page = await newPage({ timezoneId: TZ });
    await page.goto(`${old.base}/`);
    await ready();
    const unknown = await breakdown("country", await range(), 10, old.base);
    expect(unknown.values.map((v) => v.value)).toEqual(["(unknown)"]);
    expect(await page.isHidden("#breakdown-country")).toBe(true);
    await page.close();

    page = await newPage({ timezoneId: TZ, viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    const named = await breakdown("country", await range());
    expect(named.values.length).toBeGreaterThan(1);
    expect(await page.isVisible("#breakdown-country")).toBe(true);
    await showsAnswer("country", named);
    expect(await page.textContent("#breakdown-country tr[data-value=DE] .label")).toBe("Germany DE");
    expect(named.attribution).toMatch(/DB-IP/);
    expect(await page.textContent("#breakdown-country .attribution")).toBe(named.attribution);
    expect(await page.getAttribute("#breakdown-country .attribution a", "href")).toBe("https://db-ip.com");
    await accessible();
    await shot("countries");
    await page.close();
  });

  it("links the sources that are hosts, and only them", async () => {
    page = await newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    await linksHosts();
    await mockLongValues();
    await page.reload();
    await ready();
    const links = await sourceLinks();
    expect(links.map((l) => l.value)).toEqual(LONG_VALUES.source?.slice(0, 10));
    await linksHosts();
    expect(links.filter((l) => l.href).map((l) => l.href)).toEqual([
      "https://news.example.com/",
      `https://${LONG_VALUES.source?.[4]}/`,
      "https://t.co/",
    ]);
    await page.close();
  });

  it("fits a phone: one column, no sideways scroll, long values wrap", async () => {
    page = await newPage({
      timezoneId: TZ,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    await noSidewaysScroll(390);
    const boxes = await page.$$eval("#pair > section, .breakdown:not([hidden])", (panels) =>
      panels.map((p) => p.getBoundingClientRect().toJSON() as DOMRect),
    );
    expect(boxes.length).toBeGreaterThanOrEqual(6);
    for (const [i, box] of boxes.entries()) {
      expect(box.x).toBe(boxes[0].x);
      expect(box.right).toBeLessThanOrEqual(390);
      if (i > 0) expect(box.y).toBeGreaterThan(boxes[i - 1].y);
    }
    for (const selector of [".headline", "#pages-scroll"]) {
      const box = await page.locator(selector).boundingBox();
      expect(box && box.x + box.width, selector).toBeLessThanOrEqual(390);
    }
    await shot("phone");
    await mockLongValues();
    await mockLongServer();
    await page.reload();
    await ready();
    await noSidewaysScroll(390);
    const long = LONG_VALUES.source?.[4] as string;
    const cell = await page.locator(`#breakdown-source tr[data-value="${long}"] .label`).boundingBox();
    expect(cell && cell.x + cell.width).toBeLessThanOrEqual(390);
    // What only the server's log tells: its panels in the same column, long paths and names wrapped.
    for (const selector of ["#crawlers", "#notfound", "#breakdown-download", "#feeds", "#notfound .links"]) {
      const box = await page.locator(selector).boundingBox();
      expect(box && box.x + box.width, selector).toBeLessThanOrEqual(390);
    }
    await accessible();
    await shot("phone-long-values");
    await page.close();
  });

  it("says when a panel has nothing in the range, or could not load it", async () => {
    page = await newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/?from=2021-01-01&to=2021-01-31`);
    await ready();
    for (const dimension of BREAKDOWN_PANELS) {
      const panel = `#breakdown-${dimension}`;
      if (dimension === "country") {
        expect(await page.isHidden(panel)).toBe(true);
        continue;
      }
      expect(await page.getAttribute(panel, "data-state")).toBe("empty");
      expect(await page.textContent(`${panel} .message`)).toBe(
        `No ${breakdownSpec(dimension).total.many} in this range.`,
      );
      expect(await page.textContent(`${panel} .total`)).toBe(counted(dimension, 0));
    }
    for (const [panel, message, total] of [
      ["#crawlers", "No requests from crawlers in this range.", "0 requests from crawlers"],
      ["#notfound", "No requests of missing pages in this range.", "0 requests of missing pages"],
      ["#feeds", "No feed was fetched in this range.", "0 feeds"],
    ]) {
      expect(await page.getAttribute(panel, "data-state")).toBe("empty");
      expect(await page.textContent(`${panel} .message`)).toBe(message);
      expect(await page.textContent(`${panel} .total`)).toBe(total);
    }
    await accessible();
    await shot("audience-empty");
    await page.route(
      (url) =>
        (url.pathname === "/breakdown" && url.searchParams.get("dimension") === "campaign") ||
        url.pathname === "/crawlers",
      (route) => route.fulfill({ status: 500, json: { error: "internal error" } }),
    );
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    expect(await page.getAttribute("#breakdown-campaign", "data-state")).toBe("error");
    expect(await page.textContent("#breakdown-campaign .message")).toBe(
      "Could not load the campaigns: internal error",
    );
    expect(await page.getAttribute("#breakdown-source", "data-state")).toBe("ready");
    expect(await page.getAttribute("#crawlers", "data-state")).toBe("error");
    expect(await page.textContent("#crawlers .message")).toBe("Could not load the crawlers: internal error");
    expect(await page.getAttribute("#notfound", "data-state")).toBe("ready");
    await accessible();
    await shot("audience-error");
    await page.close();
  });

  /** The dates from..to (YYYY-MM-DD), both included. */
  const daysOf = (from: string, to: string) => {
    const days: string[] = [];
    for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
    return days;
  };

  it("shows what only the server's log tells as the API answers it: crawlers (AI ones marked), missing pages and their links, downloads, feeds and bytes", async () => {
    page = await newPage({ timezoneId: TZ, viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    const { from, to } = await range();
    const q = `from=${from}&to=${to}&tz=${ZONE}`;

    // Crawlers: the API's, most requests first, each with its category as a badge in words.
    const { crawlers } = await api(`/crawlers?${q}`);
    const total = crawlers.reduce((sum: number, c: { requests: number }) => sum + c.requests, 0);
    expect(crawlers.length).toBeGreaterThan(10);
    const crawlerRows = () =>
      page.$$eval("#crawlers tbody tr", (rows) =>
        rows.map((r) => ({
          name: (r as HTMLElement).dataset.value,
          category: (r as HTMLElement).dataset.category,
          requests: Number((r as HTMLElement).dataset.count),
          badge: r.querySelector(".badge")?.textContent,
          shown: [...r.children].slice(1).map((c) => c.textContent),
        })),
      );
    const badges: Record<string, string> = {
      ai: "AI",
      search: "Search",
      seo: "SEO",
      social: "Social",
      monitor: "Monitor",
      feed: "Feed reader",
      other: "Other",
    };
    const asShown = (c: { name: string; category: string; requests: number }) => ({
      name: c.name,
      category: c.category,
      requests: c.requests,
      badge: badges[c.category],
      shown: [fmt(c.requests), `${((c.requests / total) * 100).toFixed(1)}%`],
    });
    expect(await crawlerRows()).toEqual(crawlers.slice(0, 10).map(asShown));
    expect(await page.textContent("#crawlers .total")).toBe(`${fmt(total)} requests from crawlers`);
    // AI crawlers stand out: the generator's GPTBot, ClaudeBot and PerplexityBot, a badge of their
    // own colour, and a line with their requests and share.
    const ai = crawlers.filter((c: { category: string }) => c.category === "ai");
    expect(ai.map((c: { name: string }) => c.name).sort()).toEqual(["ClaudeBot", "GPTBot", "PerplexityBot"]);
    const aiRequests = ai.reduce((sum: number, c: { requests: number }) => sum + c.requests, 0);
    expect(await page.textContent("#crawlers .ai-summary")).toBe(
      `AI ${fmt(aiRequests)} requests from AI crawlers (${((aiRequests / total) * 100).toFixed(1)}%)`,
    );
    const colours = await page.$$eval("#crawlers tbody .badge", (list) => [
      ...new Set(
        list.map((b) => `${(b as HTMLElement).dataset.category} ${getComputedStyle(b).backgroundColor}`),
      ),
    ]);
    const aiColour = colours.filter((c) => c.startsWith("ai ")).map((c) => c.slice(3));
    expect(aiColour).toHaveLength(1);
    expect(colours.filter((c) => !c.startsWith("ai ")).every((c) => !c.endsWith(aiColour[0]))).toBe(true);
    // Every crawler, on request.
    await page.click("#crawlers button.more");
    expect(await crawlerRows()).toEqual(crawlers.map(asShown));
    expect(await page.textContent("#crawlers button.more")).toBe("Show the top 10");

    // Missing pages: the API's, each with where its links are: the site's own pages first (broken
    // links), then other sites, then no referrer.
    const missing = await api(`/notfound?${q}&limit=10`);
    expect(missing.paths.length).toBeGreaterThan(0);
    expect(await page.textContent("#notfound .total")).toBe(
      `${fmt(missing.total)} requests of missing pages`,
    );
    const missingRows = await page.$$eval("#notfound tbody tr[data-value]", (rows) =>
      rows.map((r) => ({
        path: (r as HTMLElement).dataset.value,
        requests: Number((r as HTMLElement).dataset.count),
        links: [
          ...(r.nextElementSibling?.matches(".links-row") ? r.nextElementSibling.querySelectorAll("li") : []),
        ].map((li) => `${li.className}: ${li.textContent}`),
      })),
    );
    type Missing = {
      path: string;
      requests: number;
      internal: { page: string; count: number }[];
      external: { referrer: string; count: number }[];
      none: number;
    };
    const linksOf = (p: Missing) => [
      ...p.internal.slice(0, 5).map((l) => `internal: linked from ${l.page} (${fmt(l.count)})`),
      ...p.external.slice(0, 5).map((l) => `external: from ${l.referrer} (${fmt(l.count)})`),
      ...(p.none > 0 ? [`none: no referrer (${fmt(p.none)})`] : []),
    ];
    const more = (p: Missing) => p.internal.length > 5 || p.external.length > 5;
    expect(missingRows.filter((_, i) => !more(missing.paths[i]))).toEqual(
      missing.paths
        .filter((p: Missing) => !more(p))
        .map((p: Missing) => ({ path: p.path, requests: p.requests, links: linksOf(p) })),
    );
    // The generator's missing pages linked from the site's own pages: shown first under them.
    const linked = missing.paths.find((p: Missing) => p.internal.length > 0);
    expect(linked, "a missing page linked from the site").toBeTruthy();
    expect(await page.textContent(`#notfound tr.links-row[data-path="${linked.path}"] li:first-child`)).toBe(
      `linked from ${linked.internal[0].page} (${fmt(linked.internal[0].count)})`,
    );
    expect(await page.textContent("#notfound .broken-summary")).toMatch(
      /^Broken link \d+ pages? of the site links? to a missing page/,
    );
    expect(await page.isHidden("#notfound .no-referrer")).toBe(true);

    // Downloads: a breakdown panel of the download dimension.
    await showsAnswer("download", await breakdown("download", { from, to }));
    expect((await panelRows("download")).length).toBeGreaterThan(0);

    // Feeds: each feed's subscribers on the last day it was fetched, its readers, and its trend: the
    // level of each day of the range, as /feeds answers for that day.
    const { feeds } = await api(`/feeds?${q}`);
    expect(feeds.map((f: { path: string }) => f.path)).toContain("/feed.xml");
    const shownFeeds = await page.$$eval("#feeds li.feed", (items) =>
      items.map((li) => {
        const { path, subscribers, day, readers } = (li as HTMLElement).dataset;
        return { path, subscribers: Number(subscribers), day, readers: JSON.parse(readers ?? "[]") };
      }),
    );
    expect(shownFeeds).toEqual(
      feeds.map(({ path, subscribers, day, readers }: (typeof shownFeeds)[number]) => ({
        path,
        subscribers,
        day,
        readers,
      })),
    );
    await page.waitForSelector("#feeds .trend-box[data-trend]");
    const trend = JSON.parse(
      (await page.getAttribute("#feeds li[data-path='/feed.xml'] .trend-box", "data-trend")) ?? "[]",
    );
    const levels = [];
    for (const day of daysOf(from, to)) {
      const answer = await api(`/feeds?from=${day}&to=${day}&tz=${ZONE}`);
      levels.push({
        day,
        subscribers: answer.feeds.find((f: { path: string }) => f.path === "/feed.xml")?.subscribers ?? null,
      });
    }
    expect(trend).toEqual(levels);
    expect(levels.filter((l) => l.subscribers !== null).length).toBeGreaterThan(1);
    expect(await page.textContent("#feeds li[data-path='/feed.xml'] .trend-text")).toMatch(
      /^From \d+ on .* fetched on \d+ of 30 days\.$/,
    );

    // Bytes served: the whole site's, from /pageviews.
    const site = await api(`/pageviews?${q}&interval=day`);
    expect(site.bytes).toBeGreaterThan(0);
    expect(await page.isVisible("#bytes-card")).toBe(true);
    expect(await page.getAttribute("#bytes", "data-bytes")).toBe(String(site.bytes));
    expect(await page.getAttribute("#bytes", "title")).toBe(`${fmt(site.bytes)} bytes`);
    expect(await page.textContent("#bytes")).toMatch(/^\d+(\.\d)? (kB|MB|GB)$/);
    await noSidewaysScroll(1280);
    await accessible();
    await page.locator("#server").screenshot({ path: join(OUTPUT, "server-desktop.png") });
    await page.close();
  });

  it("says when the logs record no referrer, and shows no bytes card for an API without them", async () => {
    page = await newPage({ timezoneId: TZ });
    // ALB and ELB logs: every link of a missing page is `none`.
    await page.route(
      (url) => url.pathname === "/notfound",
      async (route) => {
        const answer = await (await route.fetch()).json();
        const paths = answer.paths.map((p: { path: string; requests: number }) => ({
          path: p.path,
          requests: p.requests,
          internal: [],
          external: [],
          none: p.requests,
        }));
        await route.fulfill({ json: { ...answer, paths } });
      },
    );
    // An API older than bytes: /pageviews without them.
    await page.route(
      (url) => url.pathname === "/pageviews",
      async (route) => {
        const { bytes: _, ...series } = await (await route.fetch()).json();
        await route.fulfill({ json: { ...series, points: charted(series.points) } });
      },
    );
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    expect(await page.textContent("#notfound .no-referrer")).toBe(
      "These logs record no referrer (ALB and ELB logs do not): where the links to these pages are cannot be told.",
    );
    expect(await page.$$("#notfound tr.links-row")).toHaveLength(0);
    expect(await page.isHidden("#notfound .broken-summary")).toBe(true);
    expect(await page.isHidden("#bytes-card")).toBe(true);
    await accessible();
    await page.close();
  });

  it("shows a page's audience when the page is selected, in the URL, and the site's again on the way back", async () => {
    page = await newPage({ timezoneId: TZ, viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    const shown = await range();
    const post = "/blog/post-2/";
    const audienceDimensions = dimensionsOn("audience");
    const forPage = async (dimension: Dimension, of?: string): Promise<BreakdownAnswer> =>
      (
        await fetch(
          `${server.base}/breakdown?dimension=${dimension}&from=${shown.from}&to=${shown.to}&tz=${ZONE}&limit=10${of ? `&page=${encodeURIComponent(of)}` : ""}`,
        )
      ).json();
    /** Every audience panel shows the answer for `of` (the whole site when undefined), titled for it. */
    async function audienceOf(of?: string): Promise<void> {
      for (const dimension of audienceDimensions) {
        const answer = await forPage(dimension, of);
        const title = breakdownSpec(dimension).title;
        expect(await page.textContent(`#breakdown-${dimension} h3`)).toBe(of ? `${title} of ${of}` : title);
        if (dimension === "country" && answer.values.every((v) => v.value === "(unknown)")) continue;
        if (answer.values.length === 0) {
          expect(await page.getAttribute(`#breakdown-${dimension}`, "data-state")).toBe("empty");
          continue;
        }
        await showsAnswer(dimension, answer);
      }
      expect(await page.textContent("#audience-title")).toBe(of ? `Audience of ${of}` : "Audience");
      expect(await page.isVisible("#audience-whole-site")).toBe(of !== undefined);
      // Entry pages stay the whole site's, and say so while a page is selected.
      await showsAnswer("entry", await breakdown("entry", shown));
      expect(await page.textContent("#breakdown-entry h2")).toBe(
        of ? "Entry pages of the whole site" : "Entry pages",
      );
    }
    await audienceOf();
    // The page's row clicked: every audience panel turns to it, and the URL says so.
    await page.click(`#pages tr[data-page="${post}"] td:nth-child(2)`);
    await ready();
    expect(page.url()).toContain(`page=${encodeURIComponent(post)}`);
    await audienceOf(post);
    // The page's answers are its own: its page views are its views in the range.
    const views = await api(
      `/pageviews?page=${encodeURIComponent(post)}&from=${shown.from}&to=${shown.to}&tz=${ZONE}`,
    );
    expect(Number(await page.getAttribute("#breakdown-browser .total", "data-total"))).toBe(views.total);
    expect(views.total).toBeLessThan((await breakdown("browser", shown)).total);
    await accessible();
    await shot("page-audience");
    // A shared link opens with it.
    await page.reload();
    await ready();
    await audienceOf(post);
    // Back: the whole site; forward: the page again.
    await page.goBack();
    await ready();
    expect(page.url()).not.toContain("page=");
    await audienceOf();
    await page.goForward();
    await ready();
    await audienceOf(post);
    // The audience's own button returns to the whole site.
    await page.click("#audience-whole-site");
    await ready();
    expect(page.url()).not.toContain("page=");
    await audienceOf();
    await page.close();
  });

  it("follows the range and the interval as the API does", async () => {
    page = await newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/`);
    await ready();
    await page.click("[data-preset='7d']");
    await ready();
    let { from, to } = await range();
    const week = await api(`/pageviews?from=${from}&to=${to}&tz=${ZONE}&interval=day`);
    expect(charted(week.points)).toEqual(await chartRows());
    expect(await chartRows()).toHaveLength(7);
    // Visitors beside views, compared with the 7 days before as views are.
    const day = (d: string, n: number) => new Date(Date.parse(d) + n * 86400000).toISOString().slice(0, 10);
    const before = await api(`/pageviews?from=${day(from, -7)}&to=${day(from, -1)}&tz=${ZONE}&interval=day`);
    expect(week.visitors).toBe(expectedVisitors(from, to));
    expect(before.visitors).toBe(expectedVisitors(day(from, -7), day(from, -1)));
    expect(before.visitors).toBeGreaterThan(0);
    expect(await page.textContent("#visitors")).toBe(fmt(week.visitors));
    // The 7 days run until now: views are compared up to the same hour, visitors (whole days) not.
    expect(await page.textContent("#change")).toMatch(/ vs the previous 7 days until /);
    expect(await page.textContent("#visitors-change")).toBe(
      "Not compared while the range runs: visitors count whole days.",
    );
    for (const dimension of ["source", "entry", "browser"] as const)
      await showsAnswer(dimension, await breakdown(dimension, { from, to }));
    await page.selectOption("#interval", "hour");
    await ready();
    expect(
      charted(drawn((await api(`/pageviews?from=${from}&to=${to}&tz=${ZONE}&interval=hour`)).points)),
    ).toEqual(await chartRows());
    // Six whole days of hours and today's until now: the hours to come are not drawn.
    expect((await chartRows()).length).toBeGreaterThan(6 * 24);
    // Hours have no visitors: the chart shows views only and says why; the headline keeps the range's.
    expect((await chartRows()).every((r) => !("visitors" in r))).toBe(true);
    expect((await legend()).map((s) => s.label)).toEqual(["Views"]);
    expect(await page.textContent("#chart-title")).toBe("Views of the whole site per hour");
    expect(await page.isVisible("#chart-note")).toBe(true);
    expect(await page.textContent("#chart-note")).toMatch(/^Visitors are counted per day/);
    expect(await page.textContent("#visitors")).toBe(fmt(week.visitors));
    await shot("hourly");
    await page.fill("#from", "2020-01-01");
    await page.dispatchEvent("#from", "change");
    await ready();
    ({ from, to } = await range());
    // Almost seven years: too long for hours, days and weeks.
    expect(await page.inputValue("#interval")).toBe("month");
    expect(await page.isDisabled("option[value=week]")).toBe(true);
    expect(charted((await api(`/pageviews?from=${from}&to=${to}&tz=${ZONE}&interval=month`)).points)).toEqual(
      await chartRows(),
    );
    // Too long for a breakdown: the audience says so instead of failing.
    expect(await page.textContent("#audience-message")).toContain("at most 1,098 days");
    expect(await page.getAttribute("#breakdown-entry", "data-state")).toBe("unavailable");
    expect(await page.isHidden("#audience-grid")).toBe(true);
    await page.close();
  });

  it("shows a page's series when it is clicked, and keeps the state in the URL", async () => {
    page = await newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    await page.fill("#prefix", "/blog/");
    await page.fill("#search", "post-1");
    const listed = await page.$$eval("#pages tbody tr", (trs) =>
      trs.map((tr) => (tr as HTMLElement).dataset.page),
    );
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((p) => p?.startsWith("/blog/") && p.includes("post-1"))).toBe(true);
    await page.fill("#search", "");
    await page.click("#pages th[data-sort=page] button");
    const sorted = await page.$$eval("#pages tbody tr", (trs) =>
      trs.map((tr) => (tr as HTMLElement).dataset.page as string),
    );
    expect(sorted).toEqual([...sorted].sort());
    expect(await page.getAttribute("#pages th[data-sort=page]", "aria-sort")).toBe("ascending");
    await page.click("#pages tr[data-page='/blog/post-2/'] button");
    await ready();
    expect(await page.textContent("#chart-title")).toBe("Views and visitors of /blog/post-2/ per day");
    const { from, to } = await range();
    const post = await api(`/pageviews?page=/blog/post-2/&from=${from}&to=${to}&tz=${ZONE}&interval=day`);
    expect(charted(post.points)).toEqual(await chartRows());
    // The page's visitors: the 30 days hold every generated day.
    expect(post.visitors).toBe(expected.visitors["/blog/post-2/"]);
    expect(await page.textContent("#visitors-title")).toBe("Visitors of /blog/post-2/");
    expect(await page.textContent("#visitors")).toBe(fmt(post.visitors));
    const url = page.url();
    expect(url).toContain("page=%2Fblog%2Fpost-2%2F");
    await page.goto(url);
    await ready();
    expect(await page.textContent("#chart-title")).toBe("Views and visitors of /blog/post-2/ per day");
    expect(await page.inputValue("#prefix")).toBe("/blog/");
    await shot("page-selected");
    await page.click("#whole-site");
    await ready();
    expect(await page.textContent("#chart-title")).toBe("Views and visitors of the whole site per day");
    await page.close();
  });

  it("says how to ingest logs when there are none", async () => {
    page = await newPage();
    await page.goto(`${empty.base}/`);
    await page.waitForSelector("body[data-state=empty]");
    // The command that fills the store this server reads: its --data and --site.
    expect(await page.textContent("#status")).toContain(
      `npx pagetrack ingest path/to/logs --data ${emptyData} --site nothing-yet`,
    );
    expect(await page.isHidden("#content")).toBe(true);
    await accessible();
    await shot("empty");
    await page.close();
  });

  it("explains an API it cannot reach", async () => {
    page = await newPage();
    await page.goto(`${server.base}/?api=http://127.0.0.1:9`);
    await page.waitForSelector("body[data-state=error]");
    expect(await page.textContent("#status")).toMatch(
      /^Could not load page views: cannot reach the pagetrack API at http:\/\/127\.0\.0\.1:9/,
    );
    await accessible();
    await shot("error");
    await page.close();
  });

  it("shows its loading state while the API answers", async () => {
    page = await newPage();
    // The site's totals are held until the loading state has been seen.
    const held = gate();
    await page.route("**/pagetotals*", async (route) => {
      await held.promise;
      await route.continue();
    });
    await page.goto(`${server.base}/`);
    await page.waitForSelector("body[data-state=loading]");
    expect(await page.textContent("#status")).toBe("Loading…");
    await shot("loading");
    held.open();
    await ready();
    await page.close();
  });

  it("shows the audience panels loading while the API answers", async () => {
    page = await newPage();
    // The breakdowns are held until the panels' loading state has been seen.
    const held = gate();
    await page.route(
      (url) => url.pathname === "/breakdown",
      async (route) => {
        await held.promise;
        await route.continue();
      },
    );
    await page.goto(`${server.base}/`);
    await page.waitForFunction(() => document.querySelector("#views")?.textContent !== "–");
    expect(await page.getAttribute("body", "data-state")).toBe("loading");
    expect(await page.getAttribute("#breakdown-source", "data-state")).toBe("loading");
    expect(await page.textContent("#breakdown-source .message")).toBe("Loading…");
    await shot("loading-audience");
    held.open();
    await ready();
    expect(await page.getAttribute("#breakdown-source", "data-state")).toBe("ready");
    await page.close();
  });
  it("opens where the views are when the last 30 days have none, and charts all time however long", async () => {
    page = await newPage({ timezoneId: TZ, viewport: { width: 1200, height: 900 } });
    const listed: { first: string; last: string }[] = (await (await fetch(`${old.base}/pages`)).json()).pages;
    const first = localDay(listed.map((p) => p.first).sort()[0]);
    const last = localDay(listed.map((p) => p.last).sort()[listed.length - 1]);
    expect([first.slice(0, 4), last.slice(0, 7)]).toEqual(["2005", "2015-05"]);
    const series = async (from: string, to: string, interval: string, base = old.base) =>
      (await fetch(`${base}/pageviews?from=${from}&to=${to}&tz=${ZONE}&interval=${interval}`)).json();

    // The default (no range in the URL): the last 30 days are empty, so the 30 days up to the last view.
    await page.goto(`${old.base}/`);
    await ready();
    const landing = { from: addDays(last, -29), to: last };
    expect(await range()).toEqual(landing);
    expect(await page.inputValue("#interval")).toBe("day");
    const days = await series(landing.from, landing.to, "day");
    expect(days.total).toBeGreaterThan(0);
    expect(await page.textContent("#views")).toBe(fmt(days.total));
    expect(await chartRows()).toEqual(charted(days.points));
    expect(await page.textContent("#range-note-text")).toBe(
      `No views in the last 30 days; showing ${await dateText(landing.from, landing.to)}, the last 30 days with views.`,
    );
    expect(await page.isHidden("#range-note-action")).toBe(true);
    await accessible();
    await shot("old-logs");
    // An API whose /pagetotals has neither `site` nor a last view: the pages' last views tell it.
    const totalsRoute = (url: URL) => url.pathname === "/pagetotals";
    await page.route(totalsRoute, async (route) => {
      const { last: _, site: __, ...totals } = await (await route.fetch()).json();
      await route.fulfill({ json: totals });
    });
    await page.reload();
    await ready();
    expect(await range()).toEqual(landing);
    await page.unroute(totalsRoute);

    // All time: from the first view (2005) to the last (2015), in months, without a note.
    await page.click("[data-preset=all]");
    await ready();
    const firstMonth = `${first.slice(0, 7)}-01`;
    expect(await range()).toEqual({ from: first, to: last });
    expect(await page.inputValue("#interval")).toBe("month");
    const months = await series(first, last, "month");
    expect(months.points[0].t.slice(0, 10)).toBe(firstMonth);
    // Every view of the site, 2005's too.
    expect(months.total).toBe((await (await fetch(`${old.base}/pagetotals`)).json()).total);
    expect(await chartRows()).toEqual(charted(months.points));
    expect(await page.textContent("#views")).toBe(fmt(months.total));
    expect(await page.isVisible("#range-note-text")).toBe(false);
    expect(page.url()).toContain("preset=all");
    // The bookmark opens the same.
    await page.goto(page.url());
    await ready();
    expect(await range()).toEqual({ from: first, to: last });
    expect(await chartRows()).toEqual(charted(months.points));
    await shot("old-logs-all-time");

    // A range typed longer than 50 years of months keeps the last 50 years, and says so.
    const start = addMonths(last, -599);
    await page.goto(`${old.base}/?from=1950-01-01&to=${last}`);
    await ready();
    expect(await range()).toEqual({ from: start, to: last });
    expect(await page.textContent("#range-note-text")).toBe(
      `The range is longer than the chart can cover (50 years of months): showing ${await dateText(start, last)}; the range asked for starts on ${await dateText("1950-01-01")}.`,
    );

    // A range asked for that has no views says where they are, and goes there on request.
    await page.goto(`${old.base}/?preset=30d`);
    await ready();
    expect(await page.textContent("#views")).toBe("0");
    expect(await page.textContent("#range-note-text")).toBe(
      `No views in this range; the site's views run from ${await dateText(first)} to ${await dateText(last)}.`,
    );
    await page.click("#range-note-action");
    await ready();
    expect(await range()).toEqual(landing);
    expect(await page.textContent("#views")).toBe(fmt(days.total));
    expect(await page.isHidden("#range-note")).toBe(true);
    await accessible();

    // A site with recent views opens on the last 30 days, and all time is its first to its last view.
    await page.goto(`${server.base}/`);
    await ready();
    expect(await page.isHidden("#range-note")).toBe(true);
    await page.goto(`${server.base}/?preset=all`);
    await ready();
    const recent: { first: string; last: string }[] = (await api("/pages")).pages;
    const span = {
      from: localDay(recent.map((p) => p.first).sort()[0]),
      to: localDay(recent.map((p) => p.last).sort()[recent.length - 1]),
    };
    expect(await range()).toEqual(span);
    expect(await page.inputValue("#interval")).toBe("day");
    expect(await chartRows()).toEqual(charted((await series(span.from, span.to, "day", server.base)).points));
    await page.close();
  });

  it("is comfortable on a phone: no sideways scroll (also once turned upright), paths wrap at slashes, short dates", async () => {
    const LONG_PAGES = [
      "/",
      "/blog/2025/05/an-extremely-long-post-title-that-goes-on-and-on-without-any-end-in-sight/and/more/segments/",
      "/docs/reference/configuration/environment-variables/PAGETRACK_CORS_ORIGINS/",
      "/a-single-name-much-wider-than-the-column-of-paths-on-a-phone-abcdefghijklmnopqrstuvwxyz0123456789",
      "/blog/café-crème/",
    ];
    page = await newPage({
      timezoneId: TZ,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await page.route(
      (url) => url.pathname === "/pages",
      (route) =>
        route.fulfill({
          json: {
            pages: LONG_PAGES.map((p, i) => ({
              page: p,
              views: 12345 - i,
              visitors: 2345 - i,
              first: "2024-12-31T23:59:59.000Z",
              last: "2026-11-26T08:05:00.000Z",
              viewsInRange: 1000 - i,
            })),
          },
        }),
    );
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    const scroll = () =>
      page.evaluate(() => ({
        scrollWidth: (document.scrollingElement as Element).scrollWidth,
        innerWidth: window.innerWidth,
      }));
    expect(await scroll()).toEqual({ scrollWidth: 390, innerWidth: 390 });
    await noSidewaysScroll(390);
    const paths = await page.$$eval("#pages tbody tr", (rows) =>
      rows.map((row) => {
        const button = row.querySelector("button") as HTMLButtonElement;
        const cell = row.children[0].getBoundingClientRect();
        // The character before each line break of the path.
        const breaks: string[] = [];
        let top: number | undefined;
        let before = "";
        const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
          for (let i = 0; i < node.data.length; i++) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const at = range.getBoundingClientRect().top;
            if (top !== undefined && at > top + 2) breaks.push(before);
            top = at;
            before = node.data[i];
          }
        }
        const box = button.getBoundingClientRect();
        return {
          page: (row as HTMLElement).dataset.page,
          text: button.textContent,
          title: button.title,
          breaks,
          inside: box.left >= cell.left - 0.5 && box.right <= cell.right + 0.5,
          dates: [...row.querySelectorAll("td.date")].map((td) => ({
            text: td.textContent ?? "",
            lines: (td.querySelector("time") as HTMLElement).getClientRects().length,
            title: (td.querySelector("time") as HTMLElement).title,
          })),
        };
      }),
    );
    expect(paths.map((p) => p.page).sort()).toEqual([...LONG_PAGES].sort());
    for (const path of paths) {
      expect(path.text).toBe(path.page);
      expect(path.title).toContain(path.page);
      expect(path.inside, path.page).toBe(true);
      // Lines end after a slash only, never inside a name.
      expect(
        path.breaks.every((c) => c === "/"),
        `${path.page}: ${path.breaks}`,
      ).toBe(true);
      for (const date of path.dates) {
        expect(date.lines, date.text).toBe(1);
        expect(date.text).not.toMatch(/\d:\d\d/);
        expect(date.title).toMatch(/\d:\d\d/);
      }
    }
    expect(paths.find((p) => p.page === LONG_PAGES[1])?.breaks.length).toBeGreaterThan(0);
    await accessible();
    await shot("phone-long-paths");
    await page.close();

    // Opened turned sideways, then turned upright: the chart drawn for the wide window must not widen the page.
    page = await newPage({
      timezoneId: TZ,
      viewport: { width: 844, height: 390 },
      isMobile: true,
      hasTouch: true,
    });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(scroll).toEqual({ scrollWidth: 390, innerWidth: 390 });
    const chart = await page.locator("#chart canvas").boundingBox();
    expect(chart && chart.x + chart.width).toBeLessThanOrEqual(390);
    await page.close();
  });

  it("draws whole counts, ticks no finer than the buckets, and 12 points for 12 months", async () => {
    page = await newPage({ timezoneId: TZ, viewport: { width: 1200, height: 900 } });
    const localTimes = (ts: number[]) =>
      page.evaluate(
        (list) =>
          list.map((t) => {
            const d = new Date(t * 1000);
            return { date: d.getUTCDate(), hours: d.getUTCHours(), minutes: d.getUTCMinutes() };
          }),
        ts,
      );
    // 5 days of days: every tick on a local midnight, none on an hour.
    const to = addDays(localDay(new Date().toISOString()), -1);
    const from = addDays(to, -4);
    await page.goto(`${server.base}/?from=${from}&to=${to}&interval=day`);
    await ready();
    expect(await chartRows()).toHaveLength(5);
    let { x, y } = await ticks();
    expect(x.length).toBeGreaterThan(1);
    for (const t of await localTimes(x)) expect([t.hours, t.minutes]).toEqual([0, 0]);
    expect(y.every(Number.isInteger), `${y}`).toBe(true);
    // An empty range: a flat zero, with 0 and 1 as ticks, not 0.2, 0.4…
    await page.goto(`${server.base}/?from=2021-01-01&to=2021-01-31`);
    await ready();
    ({ x, y } = await ticks());
    expect(y.length).toBeGreaterThan(1);
    expect(y.every(Number.isInteger), `${y}`).toBe(true);
    // A page of few views: whole counts as well.
    const few = (await api(`/pages?from=${from}&to=${to}&tz=${ZONE}`)).pages
      .filter((p: { viewsInRange: number }) => p.viewsInRange > 0)
      .sort((a: { viewsInRange: number }, b: { viewsInRange: number }) => a.viewsInRange - b.viewsInRange)[0];
    await page.goto(
      `${server.base}/?from=${from}&to=${to}&interval=day&page=${encodeURIComponent(few.page)}`,
    );
    await ready();
    ({ y } = await ticks());
    expect(y.every(Number.isInteger), `${y}`).toBe(true);
    // 12 months: this month and the 11 before, each tick on the first of a month.
    await page.goto(`${server.base}/?preset=12m`);
    await ready();
    const rows = await chartRows();
    expect(rows).toHaveLength(12);
    const thisMonth = localDay(new Date().toISOString());
    expect(rows[0].t?.slice(0, 7)).toBe(addMonths(thisMonth, -11).slice(0, 7));
    expect(rows[11].t?.slice(0, 7)).toBe(thisMonth.slice(0, 7));
    expect(await range()).toEqual({ from: addMonths(thisMonth, -11), to: thisMonth });
    ({ x, y } = await ticks());
    for (const t of await localTimes(x)) expect([t.date, t.hours, t.minutes]).toEqual([1, 0, 0]);
    expect(y.every(Number.isInteger), `${y}`).toBe(true);
    await page.close();
  });

  it("selects a page from anywhere in its row, with the keyboard too, and brings the chart into view", async () => {
    page = await newPage({ timezoneId: TZ, viewport: { width: 1200, height: 700 } });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    const rows = await page.$$eval("#pages tbody tr", (trs) =>
      trs.map((tr) => (tr as HTMLElement).dataset.page),
    );
    const low = rows[rows.length - 1] as string;
    const chartInView = () =>
      page.evaluate(() => {
        const box = (document.getElementById("chart-section") as HTMLElement).getBoundingClientRect();
        return box.top >= -1 && box.top < window.innerHeight / 2;
      });
    // The last row, clicked on its views (not on the path): its series, and the chart in view.
    const cell = page.locator(`#pages tr[data-page="${low}"] td:nth-child(3)`);
    await cell.scrollIntoViewIfNeeded();
    expect(await chartInView()).toBe(false);
    await cell.click();
    await ready();
    expect(await page.textContent("#chart-title")).toBe(`Views and visitors of ${low} per day`);
    expect(await page.getAttribute(`#pages tr[data-page="${low}"]`, "aria-selected")).toBe("true");
    // The chart scrolls into view smoothly: wait for it to get there.
    await page.waitForFunction(() => {
      const box = (document.getElementById("chart-section") as HTMLElement).getBoundingClientRect();
      return box.top >= -1 && box.top < window.innerHeight / 2;
    });
    expect(await chartInView()).toBe(true);
    await shot("row-selected");
    // The keyboard: Tab reaches a row's path, the arrows go from row to row, Enter selects; the
    // focus stays on the row.
    await page.focus(`#pages tr[data-page="${rows[0]}"] button`);
    await page.keyboard.press("ArrowDown");
    const focused = () =>
      page.evaluate(() => (document.activeElement?.closest("tr") as HTMLElement | null)?.dataset.page);
    expect(await focused()).toBe(rows[1]);
    await page.keyboard.press("Enter");
    await ready();
    expect(await page.textContent("#chart-title")).toBe(`Views and visitors of ${rows[1]} per day`);
    expect(await focused()).toBe(rows[1]);
    await accessible();
    await page.close();
  });

  it("shows the presets as a segmented control", async () => {
    for (const viewport of [
      { width: 1200, height: 900 },
      { width: 390, height: 844 },
    ]) {
      page = await newPage({ timezoneId: TZ, viewport, isMobile: viewport.width < 500 });
      await page.goto(`${server.base}/`);
      await ready();
      const look = await page.$eval("fieldset.presets", (set) => {
        const style = getComputedStyle(set);
        return {
          border: style.borderTopWidth,
          padding: style.paddingLeft,
          buttons: [...set.querySelectorAll("button")].map((b) => {
            const box = b.getBoundingClientRect();
            return {
              left: box.left,
              right: box.right,
              top: box.top,
              pressed: b.getAttribute("aria-pressed"),
            };
          }),
        };
      });
      expect([look.border, look.padding]).toEqual(["0px", "0px"]);
      expect(look.buttons).toHaveLength(5);
      // One row of joined buttons (each shares its neighbour's border), the 30 days pressed.
      for (const [i, b] of look.buttons.entries()) {
        expect(b.top).toBe(look.buttons[0].top);
        if (i > 0) expect(Math.abs(b.left - look.buttons[i - 1].right)).toBeLessThanOrEqual(1);
      }
      expect(look.buttons.map((b) => b.pressed)).toEqual(["false", "false", "true", "false", "false"]);
      expect(look.buttons[4].right).toBeLessThanOrEqual(viewport.width);
      await page.close();
    }
  });

  it("downloads what it shows as CSV: the chart's points and the pages listed", async () => {
    page = await newPage({ timezoneId: TZ, viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.base}/?preset=7d`);
    await ready();
    const { from, to } = await range();
    const week = await api(`/pageviews?from=${from}&to=${to}&tz=${ZONE}&interval=day`);
    const chartFile = await downloaded("#download-chart");
    expect(chartFile.name).toBe(`pagetrack-site-${from}-${to}-day.csv`);
    expect(chartFile.text).toBe(
      ["time,views,visitors", ...week.points.map((p: Point) => `${p.t},${p.views},${p.visitors}`), ""].join(
        "\r\n",
      ),
    );
    // The pages as listed: filtered and sorted as the table shows them, times in ISO 8601.
    await page.fill("#prefix", "/blog/");
    await page.click("#pages th[data-sort=page] button");
    const listed: PageAnswer[] = (await api(`/pages?from=${from}&to=${to}&tz=${ZONE}`)).pages;
    const shown = await page.$$eval("#pages tbody tr", (trs) =>
      trs.map((tr) => (tr as HTMLElement).dataset.page),
    );
    expect(shown.length).toBeGreaterThan(1);
    const pagesFile = await downloaded("#download-pages");
    expect(pagesFile.name).toBe(`pagetrack-pages-${from}-${to}.csv`);
    const line = (p: PageAnswer) => [p.page, p.viewsInRange, p.views, p.visitors, p.first, p.last].join(",");
    expect(pagesFile.text).toBe(
      [
        "page,views_in_range,views,visitors,first_view,last_view",
        ...shown.map((page) => line(listed.find((p) => p.page === page) as PageAnswer)),
        "",
      ].join("\r\n"),
    );
    // An hourly chart has views only.
    await page.selectOption("#interval", "hour");
    await ready();
    const hours = await api(`/pageviews?from=${from}&to=${to}&tz=${ZONE}&interval=hour`);
    const hourly = await downloaded("#download-chart");
    expect(hourly.text.split("\r\n").slice(0, 2)).toEqual([
      "time,views",
      `${hours.points[0].t},${hours.points[0].views}`,
    ]);
    expect(hourly.text.split("\r\n")).toHaveLength(drawn(hours.points).length + 2);
    await page.close();

    // RFC 4180 quoting, and no formula for a spreadsheet to run, whatever the API answers.
    page = await newPage({ timezoneId: TZ });
    const odd = ['/a,b/"c"/', "/line\nbreak/", '=HYPERLINK("http://example.com")', "+1", "-2", "@SUM(A1)"];
    await page.route(
      (url) => url.pathname === "/pages",
      (route) =>
        route.fulfill({
          json: {
            pages: odd.map((p, i) => ({
              page: p,
              views: 10 - i,
              visitors: 5,
              first: "2026-01-01T00:00:00.000Z",
              last: "2026-01-02T00:00:00.000Z",
              viewsInRange: 10 - i,
            })),
          },
        }),
    );
    await page.goto(`${server.base}/?preset=7d`);
    await ready();
    const tricky = await downloaded("#download-pages");
    const times = "2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z";
    expect(tricky.text).toBe(
      [
        "page,views_in_range,views,visitors,first_view,last_view",
        `"/a,b/""c""/",10,10,5,${times}`,
        `"/line\nbreak/",9,9,5,${times}`,
        `"'=HYPERLINK(""http://example.com"")",8,8,5,${times}`,
        `'+1,7,7,5,${times}`,
        `'-2,6,6,5,${times}`,
        `'@SUM(A1),5,5,5,${times}`,
        "",
      ].join("\r\n"),
    );
    await page.close();
  });

  /** The figures shown, as numbers ("–" is undefined). */
  const figure = async (selector: string) => {
    const text = (await page.textContent(selector)) ?? "";
    return text === "–" ? undefined : Number(text.replaceAll(",", ""));
  };
  /** Visitors are never above views: the headline, each bucket of the chart and each page. */
  async function visitorsWithinViews(): Promise<void> {
    const [views, visitors] = [await figure("#views"), await figure("#visitors")];
    if (visitors !== undefined) expect(visitors).toBeLessThanOrEqual(views as number);
    for (const row of await chartRows())
      if (row.visitors !== undefined) expect(row.visitors, row.t).toBeLessThanOrEqual(row.views);
    const rows = await page.$$eval("#pages tbody tr", (trs) =>
      trs.map((tr) => [tr.children[2].textContent, tr.children[3].textContent]),
    );
    for (const [all, seen] of rows)
      if (seen !== "–")
        expect(Number(seen?.replaceAll(",", ""))).toBeLessThanOrEqual(Number(all?.replaceAll(",", "")));
  }
  /** No bucket after now is drawn, and the one that holds now is marked as so far. */
  async function noFutureAndPartialMarked(): Promise<void> {
    const rows = await chartRows();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => Date.parse(r.t as string) > Date.now())).toEqual([]);
    const partial = await page.$$eval("#chart-data tr[data-partial]", (trs) =>
      trs.map((tr) => (tr as HTMLElement).dataset.t),
    );
    expect(partial).toEqual([rows[rows.length - 1].t]);
    expect(await page.getAttribute("#chart", "data-partial")).toBe(
      String(Date.parse(partial[0] as string) / 1000),
    );
  }

  for (const [zone, viewport] of [
    ["America/New_York", { width: 1280, height: 900 }],
    ["Asia/Tokyo", { width: 1280, height: 900 }],
    ["Australia/Lord_Howe", { width: 390, height: 844 }],
  ] as const) {
    it(`shows the site's days in ${zone} at ${viewport.width} px: visitors never above views, now marked, like compared with like`, async () => {
      page = await newPage({ timezoneId: zone, viewport, isMobile: viewport.width < 500 });
      const site = await api("/site");
      expect(site.timeZone).toBe(ZONE);
      // Today, in the site's zone: hours up to now, the last one so far, compared with yesterday up to the same hour.
      await page.goto(`${server.base}/?preset=today`);
      await ready();
      expect(await page.inputValue("#tz")).toBe(ZONE);
      expect(await range()).toEqual({
        from: localDay(new Date().toISOString()),
        to: localDay(new Date().toISOString()),
      });
      await noFutureAndPartialMarked();
      expect(await page.textContent("#change")).toMatch(
        /vs yesterday until \d|^Compared from the end of the range's first hour/,
      );
      await visitorsWithinViews();
      if (viewport.width < 500) await noSidewaysScroll(viewport.width);
      await shot(`zone-${zone.replace("/", "-")}-today`);
      // 30 days of days, visitors beside views.
      await page.click("[data-preset='30d']");
      await ready();
      await noFutureAndPartialMarked();
      expect((await chartRows()).every((r) => r.visitors !== undefined)).toBe(true);
      expect(await page.textContent("#change")).toMatch(/vs the previous 30 days until /);
      await visitorsWithinViews();
      await shot(`zone-${zone.replace("/", "-")}-30d`);
      // The browser's own zone: visitors are not in its days, so they are not shown, and it says why.
      await page.selectOption("#tz", zone);
      await ready();
      expect(page.url()).toContain(`tz=${encodeURIComponent(zone)}`);
      expect(await page.textContent("#visitors")).toBe("–");
      expect(await page.textContent("#visitors-change")).toBe(`Visitors are counted in days of ${ZONE}.`);
      expect((await chartRows()).every((r) => r.visitors === undefined)).toBe(true);
      expect(await page.textContent("#chart-note")).toContain(`Visitors are counted in days of ${ZONE}.`);
      await visitorsWithinViews();
      // All time has no previous period.
      await page.click("[data-preset='all']");
      await ready();
      expect(await page.textContent("#previous")).toBe("–");
      expect(await page.textContent("#change")).toBe("All time has no previous period.");
      if (viewport.width < 500) await noSidewaysScroll(viewport.width);
      await accessible();
      await page.close();
    });
  }

  it("pages the pages table, every column in view at 1280 px and on a phone", async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      page: `/blog/a-rather-long-post-name-${i}/`,
      views: 1000 - i,
      visitors: 500 - i,
      first: "2025-01-01T00:00:00.000Z",
      last: "2026-11-26T08:05:00.000Z",
      viewsInRange: 100 - i,
    }));
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 390, height: 844 },
    ]) {
      page = await newPage({ timezoneId: TZ, viewport, isMobile: viewport.width < 500 });
      await page.route(
        (url) => url.pathname === "/pages",
        (route) => route.fulfill({ json: { pages: many } }),
      );
      await page.goto(`${server.base}/?preset=30d`);
      await ready();
      const listed = () =>
        page.$$eval("#pages tbody tr", (trs) => trs.map((tr) => (tr as HTMLElement).dataset.page));
      expect(await listed()).toEqual(many.slice(0, 25).map((p) => p.page));
      expect(await page.textContent("#pages-note")).toBe("1–25 of 60 pages");
      // No heading or cell is cut: each shows all it holds, inside the panel.
      const cut = await page.$$eval("#pages th button, #pages td", (cells) =>
        cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent),
      );
      expect(cut).toEqual([]);
      const panel = await page.locator("section[aria-labelledby=pages-title]").boundingBox();
      const table = await page.locator("#pages").boundingBox();
      expect(table && panel && table.x + table.width <= panel.x + panel.width).toBe(true);
      if (viewport.width < 500) await noSidewaysScroll(390);
      await shot(`pages-paged-${viewport.width}`);
      await page.click("#pages-next");
      expect(await listed()).toEqual(many.slice(25, 50).map((p) => p.page));
      await page.click("#pages-next");
      expect(await listed()).toEqual(many.slice(50).map((p) => p.page));
      expect(await page.textContent("#pages-note")).toBe("51–60 of 60 pages");
      expect(await page.isDisabled("#pages-next")).toBe(true);
      await page.click("#pages-previous");
      expect(await page.textContent("#pages-note")).toBe("26–50 of 60 pages");
      await accessible();
      await page.close();
    }
  });

  it("says when a selected page's views were, when the range has none", async () => {
    page = await newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/?from=2021-01-01&to=2021-01-31&page=%2F`);
    await ready();
    const home: PageAnswer = (await api("/pages")).pages.find((p: PageAnswer) => p.page === "/");
    expect(await page.textContent("#views")).toBe("0");
    expect(await page.textContent("#range-note-text")).toBe(
      `No views of / in this range; its views run from ${await dateText(localDay(home.first))} to ${await dateText(localDay(home.last))}.`,
    );
    await page.click("#range-note-action");
    await ready();
    expect(await range()).toEqual({ from: addDays(localDay(home.last), -29), to: localDay(home.last) });
    expect(Number((await page.textContent("#views"))?.replaceAll(",", ""))).toBeGreaterThan(0);
    await page.close();
  });
});
