import { type ChildProcess, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
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
  let page: Page;

  const api = async (path: string) => (await fetch(`${server.base}${path}`)).json();
  const chartRows = () =>
    page.$$eval("#chart-data tbody tr", (rows) =>
      rows.map((r) => ({ t: (r as HTMLElement).dataset.t, views: Number((r as HTMLElement).dataset.views) })),
    );
  const ready = () => page.waitForSelector("body[data-state=ready]");
  const range = async () => ({ from: await page.inputValue("#from"), to: await page.inputValue("#to") });
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
    const today = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.parse(today) - 13 * 86400000).toISOString().slice(0, 10);
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
    browser = await launch();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    server?.process.kill();
    empty?.process.kill();
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
      const rows = await page.$$eval("#pages tbody tr", (trs) =>
        trs.map((tr) => [(tr as HTMLElement).dataset.page, tr.children[2].textContent]),
      );
      expect(Object.fromEntries(rows)).toEqual(
        Object.fromEntries(Object.entries(expected.pages).map(([p, n]) => [p, n.toLocaleString("en-US")])),
      );
      expect(await chartRows()).toEqual(site.points);
      await accessible();
      await shot(`ready-${scheme}`);
      await page.close();
    });
  }

  it("follows the range and the interval as the API does", async () => {
    page = await browser.newPage({ timezoneId: TZ });
    await page.goto(`${server.base}/`);
    await ready();
    await page.click("[data-preset='7d']");
    await ready();
    let { from, to } = await range();
    expect((await api(`/pageviews?from=${from}&to=${to}&tz=${TZ}&interval=day`)).points).toEqual(
      await chartRows(),
    );
    expect(await chartRows()).toHaveLength(7);
    await page.selectOption("#interval", "hour");
    await ready();
    expect((await api(`/pageviews?from=${from}&to=${to}&tz=${TZ}&interval=hour`)).points).toEqual(
      await chartRows(),
    );
    expect((await chartRows()).length).toBeGreaterThanOrEqual(7 * 24 - 1);
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
    expect(await page.textContent("#chart-title")).toBe("Views of /blog/post-2/ per day");
    const { from, to } = await range();
    expect(
      (await api(`/pageviews?page=/blog/post-2/&from=${from}&to=${to}&tz=${TZ}&interval=day`)).points,
    ).toEqual(await chartRows());
    const url = page.url();
    expect(url).toContain("page=%2Fblog%2Fpost-2%2F");
    await page.goto(url);
    await ready();
    expect(await page.textContent("#chart-title")).toBe("Views of /blog/post-2/ per day");
    expect(await page.inputValue("#prefix")).toBe("/blog/");
    await shot("page-selected");
    await page.click("#whole-site");
    await ready();
    expect(await page.textContent("#chart-title")).toBe("Views of the whole site per day");
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
});
