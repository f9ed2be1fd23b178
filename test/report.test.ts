import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ReportJson } from "../src/cli/report.js";
import { generateLogFile, writerFor } from "../src/generator/files.js";
import { type Expected, emptyExpected, traffic } from "../src/generator/traffic.js";
import { runCli } from "./support/cli.js";
import { tempDir } from "./support/paths.js";
import { expectReportCounts } from "./support/report.js";

const TRAFFIC = { requests: 20_000, start: "2024-03-30", days: 4, posts: 25, seed: 7 };

async function report(args: string[], input?: Buffer): Promise<ReportJson> {
  const { code, stdout, stderr } = await runCli(["report", "--json", "--daily", ...args], { input });
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout);
}

describe("report on generated traffic", () => {
  let dir: string;
  let expected: Expected;
  beforeAll(async () => {
    dir = await tempDir();
    expected = await generateLogFile(join(dir, "cloudfront.gz"), { ...TRAFFIC, gzip: true });
    for (const format of ["s3", "combined"] as const) {
      await generateLogFile(join(dir, `${format}.log`), { ...TRAFFIC, format });
    }
    await generateLogFile(join(dir, "legacy.log"), { ...TRAFFIC, legacy: true });
    await generateLogFile(join(dir, "vhost.log"), { ...TRAFFIC, format: "combined", vhost: true });
    await generateLogFile(join(dir, "v2.log"), { ...TRAFFIC, format: "cloudfront-v2" });
  });

  it("covers what the counting must survive", () => {
    expect(Object.keys(expected.daily["/"]).length).toBe(4);
    expect(expected.pages["/blog/café-crème/"]).toBeGreaterThan(0);
    expect(expected.bots).toBeGreaterThan(0);
  });

  it("counts a gzipped CloudFront log exactly, per page and per UTC day", async () => {
    expectReportCounts(await report([join(dir, "cloudfront.gz")]), expected);
  });

  it.each(["s3.log", "combined.log", "legacy.log", "vhost.log", "v2.log"])(
    "gives the same counts from %s",
    async (file) => {
      // A plain combined log names no host: the links from the site's own pages look external.
      expectReportCounts(await report([join(dir, file)]), expected, { host: file === "combined.log" });
    },
  );

  /** What a log can tell of the audience: the country only where the format records it. */
  function expectAudience(json: ReportJson, expected: Expected, countries: boolean) {
    const breakdowns = {
      ...expected.breakdowns,
      country: countries ? expected.breakdowns.country : { "(unknown)": expected.views },
    };
    for (const [dimension, values] of Object.entries(breakdowns))
      expect(json.breakdowns[dimension as keyof typeof breakdowns], dimension).toEqual(values);
    expect(json.summary.entries).toBe(expected.entries);
    // Every value, largest first.
    for (const values of Object.values(json.breakdowns)) {
      const counts = Object.values(values);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    }
  }

  it.each([
    ["cloudfront.gz", [], false],
    ["legacy.log", [], false],
    ["s3.log", [], false],
    ["combined.log", ["--own-host", "www.example.com"], false],
    ["vhost.log", [], false],
    ["v2.log", [], true],
  ])("breaks %s down by every audience dimension", async (file, args, countries) => {
    expectAudience(await report([join(dir, file), ...args]), expected, countries);
  });

  it("names the countries from an IP-to-country database, here and in the store, and credits it", async () => {
    // What a database would say: each visitor's address with the country the generator meant for it.
    const countries = new Map<string, string>();
    for (const _ of traffic(TRAFFIC, emptyExpected(), (event, view) =>
      countries.set(event.clientIp, view.country),
    ));
    const db = join(dir, "dbip-country-lite-2024-03.csv");
    await writeFile(db, [...countries].map(([ip, country]) => `${ip},${ip},${country}`).join("\n"));
    const json = await report([join(dir, "cloudfront.gz"), "--ip-country", db]);
    expect(json.breakdowns.country).toEqual(expected.breakdowns.country);
    expect(json.countryAttribution).toBe("IP to country by DB-IP (https://db-ip.com), CC BY 4.0");
    const table = await runCli(["report", join(dir, "cloudfront.gz"), "--ip-country", db]);
    expect(table.stdout).toContain("(IP to country by DB-IP (https://db-ip.com), CC BY 4.0)");

    const store = ["--data", join(await tempDir(), "data")];
    expect((await runCli(["ingest", join(dir, "cloudfront.gz"), "--ip-country", db, ...store])).code).toBe(0);
    const top = JSON.parse(
      (
        await runCli([
          "top",
          "country",
          "--from",
          "2024-03-30",
          "--to",
          "2024-04-02",
          "--limit",
          "1000",
          "--json",
          ...store,
        ])
      ).stdout,
    );
    expect(
      Object.fromEntries(top.values.map((v: { value: string; count: number }) => [v.value, v.count])),
    ).toEqual(expected.breakdowns.country);
    expect(top.attribution).toBe(json.countryAttribution);
  });

  it("takes a combined log's own pages for entries without --own-host, and says so", async () => {
    const json = await report([join(dir, "combined.log")]);
    expect(json.summary.entries).toBeGreaterThan(expected.entries);
    const table = await runCli(["report", join(dir, "combined.log")]);
    expect(table.stdout).toContain("give it with --own-host HOST");
    const told = await runCli(["report", join(dir, "combined.log"), "--own-host", "www.example.com"]);
    expect(told.stdout).not.toContain("--own-host HOST");
  });

  it("gives every breakdown's shares of its own total, as top and the dashboard do", async () => {
    const { stdout } = await runCli(["report", join(dir, "cloudfront.gz")]);
    const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
    const campaigns = sum(expected.breakdowns.campaign);
    expect(campaigns).toBeLessThan(expected.entries);
    const n = (x: number) => x.toLocaleString("en-US");
    expect(stdout).toContain(`\nSources (of ${n(expected.entries)} entries from outside the site)\n`);
    expect(stdout).toContain(`\nEntry pages (of ${n(expected.entries)} entries from outside the site)\n`);
    expect(stdout).toContain(`\nCampaigns (of ${n(campaigns)} entries with a campaign)\n`);
    expect(stdout).toContain(`\nBrowsers (of ${n(expected.views)} page views)\n`);
    expect(stdout).toContain(
      `\n${n(expected.entries)} entries from outside the site (an entry is a page view that came from another site or directly; a reader who moves only within the site makes none, so there can be fewer entries than visitors)\n`,
    );
    const reported = stdout.split("\nCampaigns (")[1].split("\n")[1].trim().split(/\s+/);

    const store = ["--data", join(await tempDir(), "data")];
    expect((await runCli(["ingest", join(dir, "cloudfront.gz"), ...store])).code).toBe(0);
    const range = ["--from", "2024-03-30", "--to", "2024-04-02"];
    const top = await runCli(["top", "campaign", ...range, "--limit", "1", ...store]);
    const [header, first] = top.stdout.split("\n");
    expect(header.trim().split(/\s+/)).toEqual(["Entries", "Share", "Campaign"]);
    // The same count, share and value: the share of the entries with a campaign in both.
    expect(first.trim().split(/\s+/)).toEqual(reported);
    expect(Number(reported[1].replace("%", ""))).toBeCloseTo(
      (Number(reported[0].replace(/,/g, "")) / campaigns) * 100,
      1,
    );
    expect(top.stdout).toContain(
      `\n2024-03-30T00:00:00Z to 2024-04-03T00:00:00Z: ${n(campaigns)} entries with a campaign; the largest campaign shown\n(an entry is a page view`,
    );
  });

  it("prints only the problem and a hint when nothing was read, and no --own-host hint without entries", async () => {
    const missing = join(dir, "missing.log");
    const none = await runCli(["report", missing]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe("");
    expect(none.stderr).toMatch(
      /^pagetrack: .*missing\.log: .*\npagetrack: no request read from 1 file \(see above\): give access logs \(files, directories, gzip or plain, or - for stdin\), with --format FORMAT if their format is not recognised\n$/,
    );
    // A combined log without the host, read, but without a page view: no entries to mistake.
    const images = join(dir, "images.log");
    await writeFile(
      images,
      `192.0.2.1 - - [01/May/2024:10:00:00 +0000] "GET /logo.png HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux) Firefox/125.0"\n`,
    );
    const read = await runCli(["report", images]);
    expect(read.code).toBe(0);
    expect(read.stdout).toContain("0 page views by 0 visitors");
    expect(read.stdout).not.toContain("--own-host");
  });

  it("reads stdin", async () => {
    expectReportCounts(await report(["-"], await readFile(join(dir, "cloudfront.gz"))), expected);
  });

  it("adds up several files", async () => {
    const json = await report([join(dir, "cloudfront.gz"), join(dir, "s3.log")]);
    expect(json.summary.views).toBe(2 * expected.views);
    expect(json.pages["/"]).toBe(2 * expected.pages["/"]);
    expect(json.summary.files).toBe(2);
  });

  it("applies --prefix, --exclude and --include-bots", async () => {
    const file = join(dir, "cloudfront.gz");
    const blog = await report([file, "--prefix", "/blog/", "--exclude", "/blog/post-1/"]);
    const want = Object.entries(expected.pages).filter(
      ([p]) => p.startsWith("/blog/") && !p.startsWith("/blog/post-1/"),
    );
    expect(blog.pages).toEqual(Object.fromEntries(want));
    const withBots = await report([file, "--include-bots"]);
    expect(withBots.summary.views).toBe(expected.views + expected.bots);
  });

  it("prints a readable table of top pages and what was filtered", async () => {
    const { code, stdout } = await runCli(["report", join(dir, "cloudfront.gz"), "--top", "3"]);
    expect(code).toBe(0);
    const top = Object.entries(expected.pages).sort((a, b) => b[1] - a[1])[0];
    expect(stdout).toContain("Views  Visitors  Page");
    expect(stdout).toMatch(
      new RegExp(
        `${top[1].toLocaleString("en-US")} +${expected.visitors[top[0]].toLocaleString("en-US")}  ${top[0]}\n`,
      ),
    );
    expect(stdout).toMatch(/more pages/);
    expect(stdout).toContain(`${expected.views.toLocaleString("en-US")} page views`);
    expect(stdout).toMatch(/bots\s+[\d,]+/);
    expect(stdout).toMatch(/not HTML pages\s+[\d,]+/);
  });

  it("prints a table of UTC days with --daily: views and visitors of the whole site", async () => {
    const { code, stdout } = await runCli(["report", join(dir, "cloudfront.gz"), "--daily", "--top", "3"]);
    expect(code).toBe(0);
    const days = Object.keys(expected.dailyVisitors).sort();
    const viewsOf = (day: string) =>
      Object.values(expected.daily).reduce((sum, perDay) => sum + (perDay[day] ?? 0), 0);
    const rows = days.map(
      (day) =>
        `${day}  ${viewsOf(day).toLocaleString("en-US").padStart(5)}  ${expected.dailyVisitors[day].toLocaleString("en-US").padStart(8)}`,
    );
    expect(stdout).toContain(["Day (UTC)   Views  Visitors", ...rows].join("\n"));
    expect(days).toHaveLength(4);
    // A day without views shows zeros; a longer gap is one line.
    const later = join(dir, "later.log");
    const hit = (day: string) =>
      `192.0.2.1 - - [${day}/2024:10:00:00 +0000] "GET /later/ HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux) Firefox/125.0"\n`;
    await writeFile(later, hit("01/May") + hit("03/May"));
    const gaps = await runCli(["report", join(dir, "cloudfront.gz"), later, "--daily", "--own-host", "x"]);
    expect(gaps.stdout).toContain(
      `${rows.at(-1)}\n  (28 days without page views)\n2024-05-01      1         1\n2024-05-02      0         0\n2024-05-03      1         1\n`,
    );
    // Without --daily, no such table.
    expect((await runCli(["report", join(dir, "cloudfront.gz")])).stdout).not.toContain("Day (UTC)");
  });

  it.each(["-5", "0", "abc", "1.5", "2x"])(
    "rejects --top %s with a usage error saying what it takes",
    async (n) => {
      const { code, stdout, stderr } = await runCli(["report", join(dir, "s3.log"), "--top", n]);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      // One line, naming the option and what to give instead.
      expect(stderr).toBe(
        `pagetrack: --top "${n}" is not a number of pages: give a whole number of 1 or more, e.g. --top 10\n`,
      );
    },
  );

  it("prints the pages as CSV, every one unless --top, and each page's days with --daily", async () => {
    const file = join(dir, "cloudfront.gz");
    const ranked = Object.entries(expected.pages).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const pages = await runCli(["report", file, "--csv"]);
    expect(pages.code).toBe(0);
    const rows = pages.stdout.split("\r\n");
    expect(rows[0]).toBe("page,views,visitors");
    expect(rows.at(-1)).toBe("");
    expect(rows.slice(1, -1)).toEqual(ranked.map(([page, n]) => `${page},${n},${expected.visitors[page]}`));
    const top = await runCli(["report", file, "--csv", "--top", "2"]);
    expect(top.stdout.split("\r\n").slice(1, -1)).toEqual(rows.slice(1, 3));

    const daily = await runCli(["report", file, "--csv", "--daily"]);
    const dayRows = daily.stdout.split("\r\n").slice(0, -1);
    expect(dayRows[0]).toBe("day,page,views,visitors");
    const views: Record<string, Record<string, number>> = {};
    for (const row of dayRows.slice(1)) {
      const [day, page, n, visitors] = row.split(",");
      views[page] = { ...views[page], [day]: Number(n) };
      expect(Number(visitors)).toBeGreaterThan(0);
      expect(Number(visitors)).toBeLessThanOrEqual(Number(n));
    }
    expect(views).toEqual(expected.daily);
    // Days in order.
    const days = dayRows.slice(1).map((r) => r.split(",")[0]);
    expect(days).toEqual([...days].sort());
  });

  it("makes --csv with --json a usage error", async () => {
    const { code, stdout, stderr } = await runCli(["report", join(dir, "s3.log"), "--csv", "--json"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("pagetrack: --csv and --json cannot be used together: pick one\n");
  });

  it("says 1 file and 1 page view, and shows defaults as a reader would write them", async () => {
    const one = join(dir, "one.log");
    await writeFile(
      one,
      `192.0.2.1 - - [01/May/2024:10:00:00 +0000] "GET /one/ HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux) Firefox/125.0"\nnot a log line\n`,
    );
    const { code, stdout } = await runCli(["report", one, "--own-host", "example.com"]);
    expect(code).toBe(2);
    expect(stdout).toContain(
      "1 page view by 1 visitor (a reader counts once a day) on 1 page, from 1 request in 1 of 1 file\n",
    );
    expect(stdout).toContain("Sources (of 1 entry from outside the site)");
    expect(stdout).toContain("\n1 entry from outside the site (an entry is a page view that came from");
    const ingest = await runCli(["ingest", one, "--data", join(await tempDir(), "data")]);
    expect(ingest.stdout).toContain("1 of 1 file ingested");
    expect(ingest.stdout).toContain(
      "1 page view counted from 1 request; not counted: 0 from bots, 0 other requests, 1 rejected line\n",
    );
    for (const command of ["report", "ingest"]) {
      const help = (await runCli([command, "--help"])).stdout.replace(/\s+/g, " ");
      expect(help).toContain("(default: 200,304)");
      expect(help).not.toContain("(default: false)");
    }
    const help = (await runCli(["ingest", "--help"])).stdout.replace(/\s+/g, " ");
    expect(help).toContain('(default: $PAGETRACK_SITE if set, else "default")');
  });

  it("says once, on stderr and in --json, that a log of CloudFront's origin holds CloudFront's fetches", async () => {
    // An S3 access log of the bucket behind a distribution: every request is CloudFront's.
    const writer = writerFor({ ...TRAFFIC, format: "s3" });
    const lines = [...traffic({ ...TRAFFIC, requests: 3000 })].map((e) =>
      writer.line({ ...e, userAgent: "Amazon CloudFront" }),
    );
    const origin = join(dir, "origin-s3.log");
    await writeFile(origin, `${lines.join("\n")}\n`);
    const { code, stdout, stderr } = await runCli(["report", "--json", origin]);
    expect(code).toBe(0);
    const json: ReportJson = JSON.parse(stdout);
    expect(json.summary.views).toBe(0);
    expect(json.summary.bots).toBeGreaterThan(0);
    expect(json.summary.cdnFetches).toBe(json.summary.bots);
    expect(json.hints).toEqual([
      expect.stringMatching(
        new RegExp(
          `^most page requests \\(${json.summary.bots.toLocaleString("en-US")} of ${json.summary.bots.toLocaleString("en-US")}\\) came from "Amazon CloudFront": .*CloudFront's own logs`,
        ),
      ),
    ]);
    expect(stderr).toBe(`pagetrack: ${json.hints[0]}\n`);
    expect((await runCli(["report", origin])).stderr).toBe(`pagetrack: ${json.hints[0]}\n`);

    const data = ["--data", join(await tempDir(), "data")];
    const ingest = await runCli(["ingest", "--json", origin, ...data]);
    expect(ingest.code).toBe(0);
    expect(ingest.stderr).toBe(`pagetrack: ${json.hints[0]}\n`);
    expect(JSON.parse(ingest.stdout)).toMatchObject({
      hints: json.hints,
      stats: { cdnFetches: json.summary.bots },
    });

    // With the distribution's own log beside it, most page requests are readers': no hint.
    const both = await runCli(["report", "--json", origin, join(dir, "cloudfront.gz")]);
    expect(both.stderr).toBe("");
    expect(JSON.parse(both.stdout).hints).toEqual([]);
  });

  it("counts extensionless URLs as pages where the log has no content type, and --exclude drops them", async () => {
    const file = join(dir, "api.log");
    const agent = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
    const paths = ["/api/items?page=2", "/api/items/42", "/image/123", "/image/124", "/images/logo.png"];
    const extra = paths.map(
      (path, i) =>
        `www.example.com 192.0.2.${i + 1} - - [30/Mar/2024:10:00:0${i} +0000] "GET ${path} HTTP/1.1" 200 5 "-" "${agent}"`,
    );
    await writeFile(file, `${await readFile(join(dir, "vhost.log"), "utf8")}${extra.join("\n")}\n`);
    const all = await report([file]);
    expect(all.pages).toEqual({
      ...expected.pages,
      "/api/items": 1,
      "/api/items/42": 1,
      "/image/123": 1,
      "/image/124": 1,
    });
    const exclude = ["--exclude", "/api/", "--exclude", "/image/"];
    const kept = await report([file, ...exclude]);
    expect(kept.pages).toEqual(expected.pages);
    expect(kept.summary.excluded).toBe(4);

    const data = ["--data", join(await tempDir(), "data")];
    expect((await runCli(["ingest", file, ...exclude, ...data])).code).toBe(0);
    const totals = await runCli(["totals", "--json", ...data]);
    expect(JSON.parse(totals.stdout).pages).toEqual(expected.pages);
  });

  it("rejects a bad option with a usage error", async () => {
    const { code, stderr } = await runCli(["report", join(dir, "s3.log"), "--status", "abc"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/"abc" is not a list of HTTP statuses/);
  });
});
