import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateHourlyLogs } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";
import { ensureChromium, launch } from "./support/browser.js";
import { runCli } from "./support/cli.js";
import { ROOT, tempDir } from "./support/paths.js";

const OUTPUT = join(ROOT, "test-output/dashboard");
const TZ = "Europe/Paris";
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const DIMENSIONS = ["source", "campaign", "entry", "browser", "os", "device", "country"] as const;
type Dimension = (typeof DIMENSIONS)[number];
const COUNTS: Record<Dimension, string> = {
  source: "entries",
  campaign: "entries",
  entry: "entries",
  browser: "page views",
  os: "page views",
  device: "page views",
  country: "page views",
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
  let countries: Awaited<ReturnType<typeof serve>>;
  let expected: Expected;
  let page: Page;

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
  const breakdown = async (
    dimension: Dimension,
    { from, to }: { from: string; to: string },
    limit = 10,
    base = server.base,
  ): Promise<BreakdownAnswer> =>
    (
      await fetch(`${base}/breakdown?dimension=${dimension}&from=${from}&to=${to}&tz=${TZ}&limit=${limit}`)
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
    const total = `${answer.total.toLocaleString("en-US")} ${COUNTS[dimension]}`;
    expect(await page.textContent(`#breakdown-${dimension} .total`)).toBe(
      answer.total === 1 ? total.replace(/entries$/, "entry").replace(/views$/, "view") : total,
    );
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

  beforeAll(async () => {
    ensureChromium();
    await mkdir(OUTPUT, { recursive: true });
    const dir = await tempDir();
    // The 14 UTC days up to yesterday: all inside the last 30 days in Paris at any hour (today's last
    // UTC hours are tomorrow there), so the range's figures are the generator's.
    const today = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.parse(today) - 14 * 86400000).toISOString().slice(0, 10);
    const logs = await generateHourlyLogs(join(dir, "logs"), {
      requests: 8000,
      start,
      days: 14,
      posts: 10,
      seed: 5,
      perDay: true,
    });
    expected = logs.expected;
    const data = ["--data", join(dir, "data")];
    expect((await runCli(["ingest", ...logs.files, ...data])).code).toBe(0);
    server = await serve(data);
    empty = await serve([...data, "--site", "nothing-yet"]);
    // The same logs, their countries named by an IP-to-country database.
    const database = join(dir, "dbip-country-lite-test.csv");
    await writeFile(database, IP_COUNTRIES);
    const named = ["--data", join(dir, "countries")];
    expect((await runCli(["ingest", ...logs.files, ...named, "--ip-country", database])).code).toBe(0);
    countries = await serve(named);
    browser = await launch();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    server?.process.kill();
    empty?.process.kill();
    countries?.process.kill();
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`shows the API's totals (${scheme})`, async () => {
      page = await browser.newPage({
        colorScheme: scheme,
        timezoneId: TZ,
        viewport: { width: 1200, height: 900 },
      });
      await page.goto(`${server.base}/`);
      await ready();
      const { from, to } = await range();
      const site = await api(`/pageviews?from=${from}&to=${to}&tz=${TZ}&interval=day`);
      expect(await page.textContent("#views")).toBe(site.total.toLocaleString("en-US"));
      const pages = await api(`/pages?from=${from}&to=${to}&tz=${TZ}`);
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
      expect(await chartRows()).toEqual(site.points);
      expect((await legend()).map((s) => s.label)).toEqual(["Views", "Visitors"]);
      expect(await page.isHidden("#chart-note")).toBe(true);
      // Under the cursor, the legend shows both values of the point: the busiest day's.
      const points: { t: string; views: number; visitors: number }[] = site.points;
      const busiest = points.reduce((a, b) => (b.views > a.views ? b : a));
      expect(busiest.visitors).toBeLessThan(busiest.views);
      const over = await page.locator("#chart .u-over").boundingBox();
      if (!over) throw new Error("the chart has no plot area");
      const [first, last] = [points[0], points[points.length - 1]].map((p) => Date.parse(p.t));
      const x = over.x + (over.width * (Date.parse(busiest.t) - first)) / (last - first);
      await page.mouse.move(x, over.y + over.height / 2);
      await expect
        .poll(async () => (await legend()).map((s) => s.value))
        .toEqual([fmt(busiest.views), fmt(busiest.visitors)]);
      await accessible();
      await shot(`ready-${scheme}`);
      await page.close();
    });
  }

  it("shows the audience of the range as the API breaks it down, entry pages beside the pages", async () => {
    page = await browser.newPage({ timezoneId: TZ, viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    const shown = await range();
    const titles: Record<Dimension, string> = {
      source: "Sources",
      campaign: "Campaigns",
      entry: "Entry pages",
      browser: "Browsers",
      os: "Operating systems",
      device: "Devices",
      country: "Countries",
    };
    for (const dimension of DIMENSIONS) {
      const answer = await breakdown(dimension, shown);
      const panel = `#breakdown-${dimension}`;
      expect(await page.textContent(`${panel} :is(h2, h3)`)).toBe(titles[dimension]);
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
    page = await browser.newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    const shown = await range();
    const more: Dimension[] = [];
    for (const dimension of DIMENSIONS) {
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
    page = await browser.newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    const unknown = await breakdown("country", await range());
    expect(unknown.values.map((v) => v.value)).toEqual(["(unknown)"]);
    expect(await page.isHidden("#breakdown-country")).toBe(true);
    await page.close();

    page = await browser.newPage({ timezoneId: TZ, viewport: { width: 1280, height: 900 } });
    await page.goto(`${countries.base}/?preset=30d`);
    await ready();
    const named = await breakdown("country", await range(), 10, countries.base);
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
    page = await browser.newPage({ timezoneId: TZ });
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
    page = await browser.newPage({
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
    await page.reload();
    await ready();
    await noSidewaysScroll(390);
    const long = LONG_VALUES.source?.[4] as string;
    const cell = await page.locator(`#breakdown-source tr[data-value="${long}"] .label`).boundingBox();
    expect(cell && cell.x + cell.width).toBeLessThanOrEqual(390);
    await accessible();
    await shot("phone-long-values");
    await page.close();
  });

  it("says when a panel has nothing in the range, or could not load it", async () => {
    page = await browser.newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/?from=2021-01-01&to=2021-01-31`);
    await ready();
    for (const dimension of DIMENSIONS) {
      const panel = `#breakdown-${dimension}`;
      if (dimension === "country") {
        expect(await page.isHidden(panel)).toBe(true);
        continue;
      }
      expect(await page.getAttribute(panel, "data-state")).toBe("empty");
      expect(await page.textContent(`${panel} .message`)).toBe(
        dimension === "campaign"
          ? "No entries with a utm_campaign in this range."
          : `No ${COUNTS[dimension]} in this range.`,
      );
      expect(await page.textContent(`${panel} .total`)).toBe(`0 ${COUNTS[dimension]}`);
    }
    await accessible();
    await shot("audience-empty");
    await page.route(
      (url) => url.pathname === "/breakdown" && url.searchParams.get("dimension") === "campaign",
      (route) => route.fulfill({ status: 500, json: { error: "internal error" } }),
    );
    await page.goto(`${server.base}/?preset=30d`);
    await ready();
    expect(await page.getAttribute("#breakdown-campaign", "data-state")).toBe("error");
    expect(await page.textContent("#breakdown-campaign .message")).toBe(
      "Could not load the campaigns: internal error",
    );
    expect(await page.getAttribute("#breakdown-source", "data-state")).toBe("ready");
    await accessible();
    await shot("audience-error");
    await page.close();
  });

  it("follows the range and the interval as the API does", async () => {
    page = await browser.newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/`);
    await ready();
    await page.click("[data-preset='7d']");
    await ready();
    let { from, to } = await range();
    const week = await api(`/pageviews?from=${from}&to=${to}&tz=${TZ}&interval=day`);
    expect(week.points).toEqual(await chartRows());
    expect(await chartRows()).toHaveLength(7);
    // Visitors beside views, compared with the 7 days before as views are.
    const day = (d: string, n: number) => new Date(Date.parse(d) + n * 86400000).toISOString().slice(0, 10);
    const before = await api(`/pageviews?from=${day(from, -7)}&to=${day(from, -1)}&tz=${TZ}&interval=day`);
    expect(week.visitors).toBe(expectedVisitors(from, to));
    expect(before.visitors).toBe(expectedVisitors(day(from, -7), day(from, -1)));
    expect(before.visitors).toBeGreaterThan(0);
    expect(await page.textContent("#visitors")).toBe(fmt(week.visitors));
    const percent = ((week.visitors - before.visitors) / before.visitors) * 100;
    expect(await page.textContent("#visitors-change")).toBe(
      `${percent >= 0 ? "+" : "−"}${Math.abs(percent).toFixed(1)}% on the previous period (${fmt(before.visitors)})`,
    );
    expect(await page.getAttribute("#visitors-change", "class")).toBe(
      `change ${percent >= 0 ? "up" : "down"}`,
    );
    for (const dimension of ["source", "entry", "browser"] as const)
      await showsAnswer(dimension, await breakdown(dimension, { from, to }));
    await page.selectOption("#interval", "hour");
    await ready();
    expect((await api(`/pageviews?from=${from}&to=${to}&tz=${TZ}&interval=hour`)).points).toEqual(
      await chartRows(),
    );
    expect((await chartRows()).length).toBeGreaterThanOrEqual(7 * 24 - 1);
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
    expect((await api(`/pageviews?from=${from}&to=${to}&tz=${TZ}&interval=month`)).points).toEqual(
      await chartRows(),
    );
    // Too long for a breakdown: the audience says so instead of failing.
    expect(await page.textContent("#audience-message")).toContain("at most 1,098 days");
    expect(await page.getAttribute("#breakdown-entry", "data-state")).toBe("unavailable");
    expect(await page.isHidden("#audience-grid")).toBe(true);
    await page.close();
  });

  it("shows a page's series when it is clicked, and keeps the state in the URL", async () => {
    page = await browser.newPage({ timezoneId: TZ });
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
    const post = await api(`/pageviews?page=/blog/post-2/&from=${from}&to=${to}&tz=${TZ}&interval=day`);
    expect(post.points).toEqual(await chartRows());
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
    page = await browser.newPage();
    await page.goto(`${empty.base}/`);
    await page.waitForSelector("body[data-state=empty]");
    expect(await page.textContent("#status")).toContain("npx pagetrack ingest path/to/logs");
    expect(await page.isHidden("#content")).toBe(true);
    await accessible();
    await shot("empty");
    await page.close();
  });

  it("explains an API it cannot reach", async () => {
    page = await browser.newPage();
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
    page = await browser.newPage();
    await page.route("**/pagetotals*", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.goto(`${server.base}/`);
    await page.waitForSelector("body[data-state=loading]");
    expect(await page.textContent("#status")).toBe("Loading…");
    await shot("loading");
    await ready();
    await page.close();
  });

  it("shows the audience panels loading while the API answers", async () => {
    page = await browser.newPage();
    await page.route(
      (url) => url.pathname === "/breakdown",
      async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await route.continue();
      },
    );
    await page.goto(`${server.base}/`);
    await page.waitForFunction(() => document.querySelector("#views")?.textContent !== "–");
    expect(await page.getAttribute("body", "data-state")).toBe("loading");
    expect(await page.getAttribute("#breakdown-source", "data-state")).toBe("loading");
    expect(await page.textContent("#breakdown-source .message")).toBe("Loading…");
    await shot("loading-audience");
    await ready();
    expect(await page.getAttribute("#breakdown-source", "data-state")).toBe("ready");
    await page.close();
  });
});
