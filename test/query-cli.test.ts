import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.js";
import type { EmbeddedEngine } from "../src/store/engine.js";
import type { Store } from "../src/store/store.js";
import { runCli } from "./support/cli.js";
import { tempDir } from "./support/paths.js";
import { startEngine } from "./support/store.js";

const FIREFOX = "Mozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:125.0)%20Gecko/20100101%20Firefox/125.0";
const CHROME =
  "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/124.0.0.0%20Safari/537.36";

/** A CloudFront log of the given views: [ISO time, path as logged, user agent]. */
async function cloudfrontLog(path: string, views: [string, string, string][]): Promise<string> {
  const lines = views.map(
    ([iso, page, agent], i) =>
      `${iso.slice(0, 10)}\t${iso.slice(11, 19)}\tGET\t${page}\t200\t${agent}\t${path.length}-${i}`,
  );
  await writeFile(
    path,
    `#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent) x-edge-request-id\n${lines.join("\n")}\n`,
  );
  return path;
}

/** The query commands as a user meets them: pages as copied, empty ranges, widened ranges, CSV. */
describe("query commands", () => {
  let engine: EmbeddedEngine;
  let store: Store;
  let store_: string[];
  const cli = (args: string[], site = "blog") => runCli([...args, ...store_, "--site", site]);

  beforeAll(async () => {
    const dir = await tempDir();
    let endpoint: string;
    ({ engine, store, endpoint } = await startEngine(join(dir, "data")));
    store_ = ["--endpoint", endpoint];
    // Five views of /blog/café/ (logged encoded), two of /blog/cafes/, three of /x/ (as /x/index.html),
    // from 17 to 20 May 2015.
    const log = await cloudfrontLog(join(dir, "blog.log"), [
      ["2015-05-17T10:05:13Z", "/blog/caf%C3%A9/", FIREFOX],
      ["2015-05-17T11:00:00Z", "/blog/caf%C3%A9/", CHROME],
      ["2015-05-18T09:00:00Z", "/blog/caf%C3%A9/", FIREFOX],
      ["2015-05-19T09:00:00Z", "/blog/caf%C3%A9/", FIREFOX],
      ["2015-05-20T21:30:00Z", "/blog/caf%C3%A9/", CHROME],
      ["2015-05-18T12:00:00Z", "/blog/cafes/", FIREFOX],
      ["2015-05-19T12:00:00Z", "/blog/cafes/", FIREFOX],
      ["2015-05-18T08:00:00Z", "/x/index.html", FIREFOX],
      ["2015-05-19T08:00:00Z", "/x/index.html", CHROME],
      ["2015-05-20T08:00:00Z", "/x/", FIREFOX],
    ]);
    const ingest = await cli(["ingest", log]);
    expect(ingest.code).toBe(0);
    // A site whose views span seven years: more than a daily or weekly series can show.
    const long = await cloudfrontLog(join(dir, "long.log"), [
      ["2012-01-01T10:00:00Z", "/a/", FIREFOX],
      ["2019-06-30T10:00:00Z", "/a/", FIREFOX],
    ]);
    expect((await cli(["ingest", long], "long")).code).toBe(0);
  });
  afterAll(async () => {
    store.destroy();
    await engine.close();
  });

  const may = ["--from", "2015-05-17", "--to", "2015-05-20"];

  it.each([
    ["/blog/caf%C3%A9/", "/blog/café/", 5],
    ["/blog/café/", "/blog/café/", 5],
    ["https://www.example.com/blog/caf%C3%A9/?utm_source=x", "/blog/café/", 5],
    ["/x/index.html", "/x/", 3],
    ["/x/?ref=mail", "/x/", 3],
  ])("finds %s as the logs counted it (%s)", async (argument, page, views) => {
    const run = await cli(["views", argument, "--json", ...may]);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toMatchObject({ page, total: views });
  });

  it("names pages like an unknown one, on stderr", async () => {
    const run = await cli(["views", "/blog/cafe/", ...may]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^0 views of \/blog\/cafe\/ by 0 visitors, per day \(UTC\)$/m);
    expect(run.stderr).toBe(
      "pagetrack: no page /blog/cafe/ has views; pages like it: /blog/café/, /blog/cafes/\n",
    );
    const none = await cli(["views", "/nothing/here/", "--json", ...may]);
    expect(JSON.parse(none.stdout).total).toBe(0);
    expect(none.stderr).toBe(
      "pagetrack: no page /nothing/here/ has views; `npx pagetrack totals` lists the pages that have\n",
    );
    const bad = await cli(["views", "blog/x/"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'pagetrack: page "blog/x/" is not a path; pages start with "/" (or give the page\'s URL)\n',
    );
  });

  it("says where the views are when a range has none, never in the JSON", async () => {
    const empty = ["--from", "2024-01-01", "--to", "2024-01-31"];
    const table = await cli(["views", ...empty]);
    expect(table.code).toBe(0);
    expect(table.stderr).toBe(
      "pagetrack: no views in this range; this site's views run from 2015-05-17 to 2015-05-20: try --from 2015-05-17 --to 2015-05-20\n",
    );
    const json = await cli(["views", "--json", ...empty]);
    expect(json.stderr).toBe(table.stderr);
    const app = createApp({ store, site: "blog", corsOrigins: ["*"], cacheSeconds: 0 });
    const api = await (await app.request("/pageviews?from=2024-01-01&to=2024-01-31")).json();
    expect(JSON.parse(json.stdout)).toEqual(api);
    // A page's own first and last view, as local dates in --tz (21:30 UTC is the next day in Tokyo).
    const page = await cli(["views", "/blog/caf%C3%A9/", "--tz", "Asia/Tokyo", ...empty]);
    expect(page.stderr).toBe(
      "pagetrack: no views in this range; this page's views run from 2015-05-17 to 2015-05-21: try --from 2015-05-17 --to 2015-05-21\n",
    );
    // Seven years do not fit a daily series: the hint names an interval they fit.
    const long = await cli(["views", ...empty], "long");
    expect(long.stderr).toBe(
      "pagetrack: no views in this range; this site's views run from 2012-01-01 to 2019-06-30: try --from 2012-01-01 --to 2019-06-30 --interval month\n",
    );
    const top = await cli(["top", "browser", ...empty]);
    expect(top.stdout).toContain("(none in this range)");
    expect(top.stderr).toBe(
      "pagetrack: no page views in this range; this site's views run from 2015-05-17 to 2015-05-20: try --from 2015-05-17 --to 2015-05-20\n",
    );
  });

  it("says how to start when the site has no views at all", async () => {
    const views = await cli(["views"], "fresh");
    expect(views.code).toBe(0);
    expect(views.stderr).toBe(
      "pagetrack: this site has no views yet: count your logs with `npx pagetrack ingest LOGS`\n",
    );
    const totals = await cli(["totals"], "fresh");
    expect(totals.stdout).toContain("(no page views yet: run `npx pagetrack ingest LOGS`)");
  });

  it("says when a range is widened to whole weeks or months, in the table only", async () => {
    const weeks = await cli(["views", "--from", "2015-05-19", "--to", "2015-05-20", "--interval", "week"]);
    expect(weeks.stderr).toBe("");
    expect(weeks.stdout.trimEnd().split("\n").at(-1)).toBe(
      "range widened to whole weeks: 2015-05-18 to 2015-05-24",
    );
    const months = await cli(["views", "--from", "2015-05-19", "--to", "2015-05-20", "--interval", "month"]);
    expect(months.stdout.trimEnd().split("\n").at(-1)).toBe(
      "range widened to whole months: 2015-05-01 to 2015-05-31",
    );
    const days = await cli(["views", ...may]);
    expect(days.stdout).not.toContain("widened");
    const hours = await cli([
      "views",
      "--from",
      "2015-05-17T10:30:00Z",
      "--to",
      "2015-05-17T11:10:00Z",
      "--interval",
      "hour",
    ]);
    expect(hours.stdout.trimEnd().split("\n").at(-1)).toBe(
      "range widened to whole hours: 2015-05-17 10:00 to 2015-05-17 12:00",
    );
    const json = await cli([
      "views",
      "--from",
      "2015-05-19",
      "--to",
      "2015-05-20",
      "--interval",
      "week",
      "--json",
    ]);
    expect(json.stdout).not.toContain("widened");
    expect(JSON.parse(json.stdout).from).toBe("2015-05-18T00:00:00Z");
  });

  it("prints CSV for totals, views and top", async () => {
    const totals = await cli(["totals", "--csv"]);
    expect(totals.stderr).toBe("");
    expect(totals.stdout).toBe("page,views,visitors\r\n/blog/café/,5,5\r\n/x/,3,3\r\n/blog/cafes/,2,2\r\n");
    const views = await cli(["views", "/x/", "--csv", ...may]);
    expect(views.stdout).toBe(
      "time,views,visitors\r\n2015-05-17T00:00:00Z,0,0\r\n2015-05-18T00:00:00Z,1,1\r\n2015-05-19T00:00:00Z,1,1\r\n2015-05-20T00:00:00Z,1,1\r\n",
    );
    const hours = await cli([
      "views",
      "/x/",
      "--csv",
      "--interval",
      "hour",
      "--from",
      "2015-05-18T08:00:00Z",
      "--to",
      "2015-05-18T10:00:00Z",
    ]);
    expect(hours.stdout).toBe(
      "time,views,visitors\r\n2015-05-18T08:00:00Z,1,\r\n2015-05-18T09:00:00Z,0,\r\n",
    );
    const top = await cli(["top", "browser", "--csv", ...may]);
    expect(top.stdout).toBe("value,count,share\r\nFirefox,7,0.7\r\nChrome,3,0.3\r\n");
  });

  it.each([
    [["totals", "--csv", "--json"], "pagetrack: --csv and --json cannot be used together: pick one\n"],
    [["views", "--json", "--csv"], "pagetrack: --csv and --json cannot be used together: pick one\n"],
    [["top", "os", "--csv", "--json"], "pagetrack: --csv and --json cannot be used together: pick one\n"],
    [
      ["totals", "--top", "abc"],
      'pagetrack: --top "abc" is not a number of pages: give a whole number of 1 or more, e.g. --top 10\n',
    ],
    [
      ["totals", "--top", "-5"],
      'pagetrack: --top "-5" is not a number of pages: give a whole number of 1 or more, e.g. --top 10\n',
    ],
    [
      ["totals", "--top", "0"],
      'pagetrack: --top "0" is not a number of pages: give a whole number of 1 or more, e.g. --top 10\n',
    ],
    [
      ["totals", "--top", "1.5"],
      'pagetrack: --top "1.5" is not a number of pages: give a whole number of 1 or more, e.g. --top 10\n',
    ],
    [
      ["totals", "--top", "2", "--json"],
      "pagetrack: --top cuts the table and CSV; --json prints the whole /pagetotals answer\n",
    ],
  ])("refuses %j in one line (exit 1)", async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(message);
  });

  it("says one view, one visitor, the largest browser in the singular", async () => {
    const day = ["--from", "2015-05-18", "--to", "2015-05-18"];
    const views = await cli(["views", "/blog/cafes/", ...day]);
    expect(views.stdout).toMatch(/^1 view of \/blog\/cafes\/ by 1 visitor, per day \(UTC\)$/m);
    const top = await cli(["top", "browser", ...day]);
    expect(top.stdout).toBe(
      [
        "  Views   Share  Browser",
        "      3  100.0%  Firefox",
        "",
        "2015-05-18T00:00:00Z to 2015-05-19T00:00:00Z: 3 page views; the largest browser shown",
        "",
      ].join("\n"),
    );
    const totals = await cli(["totals", "--top", "1"]);
    expect(totals.stdout).toContain("10 views on 3 pages (the most viewed shown)");
  });

  it("names entries as entries from outside the site, and says what one is", async () => {
    const top = await cli(["top", "source", ...may]);
    const lines = top.stdout.split("\n");
    expect(lines[0].trim().split(/\s+/)).toEqual(["Entries", "Share", "Source"]);
    expect(lines.at(-3)).toMatch(/: \d+ entries from outside the site; the largest source shown$/);
    expect(lines.at(-2)).toBe(
      "(an entry is a page view that came from another site or directly; a reader who moves only within the site makes none, so there can be fewer entries than visitors)",
    );
    const campaigns = await cli(["top", "campaign", ...may]);
    expect(campaigns.stdout).toContain(": 0 entries with a campaign; no campaigns shown\n");
  });

  it("lists the most viewed pages with --top", async () => {
    const table = await cli(["totals", "--top", "2"]);
    expect(table.code).toBe(0);
    const rows = table.stdout.split("\n");
    expect(rows.slice(0, 3).map((r) => r.trim().split(/\s+/))).toEqual([
      ["Views", "Visitors", "Page"],
      ["5", "5", "/blog/café/"],
      ["3", "3", "/x/"],
    ]);
    expect(table.stdout).toContain(
      "10 views on 3 pages (the 2 most viewed shown) since 2015-05-17T10:05:13Z",
    );
    const csv = await cli(["totals", "--top", "1", "--csv"]);
    expect(csv.stdout).toBe("page,views,visitors\r\n/blog/café/,5,5\r\n");
    const json = JSON.parse((await cli(["totals", "--json"])).stdout);
    expect(json).toMatchObject({ since: "2015-05-17T10:05:13Z", last: "2015-05-20T21:30:00Z" });
  });
});

/** A CloudFront log of requests: [ISO time, client IP, path, status, bytes, referrer, user agent, content type]. */
async function serverLog(
  path: string,
  requests: [string, string, string, number, number, string, string, string][],
) {
  const lines = requests.map(
    ([iso, ip, page, status, bytes, referrer, agent, type], i) =>
      `${iso.slice(0, 10)}\t${iso.slice(11, 19)}\t${ip}\tGET\t${page}\t${status}\t${bytes}\t${referrer}\t${agent}\tr${i}\twww.example.com\t${type}`,
  );
  await writeFile(
    path,
    `#Fields: date time c-ip cs-method cs-uri-stem sc-status sc-bytes cs(Referer) cs(User-Agent) x-edge-request-id x-host-header sc-content-type\n${lines.join("\n")}\n`,
  );
  return path;
}

/** What only the server's log tells, through `crawlers`, `notfound`, `feeds` and `top`, as tables and CSV. */
describe("crawlers, missing pages, downloads and feeds on the command line", () => {
  let store_: string[];
  const cli = (args: string[]) => runCli([...args, ...store_, "--from", "2024-05-01", "--to", "2024-05-02"]);
  const GPTBOT =
    "Mozilla/5.0%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko;%20compatible;%20GPTBot/1.2;%20+https://openai.com/gptbot)";
  const GOOGLEBOT = "Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)";
  const FEEDLY =
    "Feedly/1.0%20(+http://www.feedly.com/fetcher.html;%2012%20subscribers;%20like%20FeedFetcher-Google)";

  beforeAll(async () => {
    const dir = await tempDir();
    store_ = ["--data", join(dir, "data")];
    const log = await serverLog(join(dir, "server.log"), [
      [
        "2024-05-01T10:00:00Z",
        "192.0.2.1",
        "/blog/x/",
        200,
        5000,
        "https://news.example.net/",
        FIREFOX,
        "text/html",
      ],
      ["2024-05-01T10:01:00Z", "192.0.2.2", "/blog/x/", 200, 5000, "-", CHROME, "text/html"],
      ["2024-05-01T10:02:00Z", "192.0.2.9", "/blog/x/", 200, 5000, "-", GPTBOT, "text/html"],
      ["2024-05-01T10:03:00Z", "192.0.2.9", "/robots.txt", 200, 100, "-", GPTBOT, "text/plain"],
      ["2024-05-01T11:00:00Z", "192.0.2.8", "/blog/x/", 200, 5000, "-", GOOGLEBOT, "text/html"],
      [
        "2024-05-01T12:00:00Z",
        "192.0.2.1",
        "/old/",
        404,
        300,
        "https://www.example.com/blog/x/",
        FIREFOX,
        "text/html",
      ],
      [
        "2024-05-01T12:01:00Z",
        "192.0.2.3",
        "/old/",
        404,
        300,
        "https://forum.example.org/t/1?page=2",
        CHROME,
        "text/html",
      ],
      ["2024-05-01T12:02:00Z", "192.0.2.4", "/old/", 404, 300, "-", CHROME, "text/html"],
      ["2024-05-01T13:00:00Z", "192.0.2.1", "/files/a.pdf", 206, 1000, "-", FIREFOX, "application/pdf"],
      ["2024-05-01T13:00:01Z", "192.0.2.1", "/files/a.pdf", 206, 1000, "-", FIREFOX, "application/pdf"],
      ["2024-05-01T13:00:02Z", "192.0.2.2", "/files/a.pdf", 200, 2000, "-", CHROME, "application/pdf"],
      ["2024-05-01T14:00:00Z", "192.0.2.7", "/feed.xml", 200, 800, "-", FEEDLY, "application/rss+xml"],
      ["2024-05-01T14:30:00Z", "192.0.2.2", "/feed.xml", 304, 0, "-", CHROME, "-"],
    ]);
    expect((await runCli(["ingest", log, ...store_])).code).toBe(0);
  });

  it("lists crawlers with their category, AI crawlers marked, as a table and CSV", async () => {
    const table = await cli(["crawlers"]);
    expect(table.code).toBe(0);
    const rows = table.stdout.split("\n").map((r) => r.trim().split(/\s{2,}/));
    expect(rows[0]).toEqual(["Requests", "Pages", "Bytes", "Last (UTC)", "Category", "Crawler"]);
    expect(rows[1]).toEqual(["2", "1", "5.1 kB", "2024-05-01 10:03", "ai *", "GPTBot"]);
    expect(rows.some((r) => r.at(-1) === "Feedly" && r.at(-2) === "feed")).toBe(true);
    expect(table.stdout).toContain(": 4 requests from 3 crawlers; * AI crawlers: 2\n");
    const csv = await cli(["crawlers", "--csv"]);
    expect(csv.stdout.split("\r\n").slice(0, 2)).toEqual([
      "name,category,requests,pages,bytes,last",
      "GPTBot,ai,2,1,5100,2024-05-01T10:03:00Z",
    ]);
    const top = JSON.parse((await cli(["top", "crawler", "--json"])).stdout);
    expect(top.values).toEqual([
      { value: "GPTBot", count: 2, category: "ai" },
      { value: "Feedly", count: 1, category: "feed" },
      { value: "Googlebot", count: 1, category: "search" },
    ]);
    const topCsv = await cli(["top", "crawler", "--csv"]);
    expect(topCsv.stdout.split("\r\n").slice(0, 2)).toEqual([
      "value,count,share,category",
      "GPTBot,2,0.5,ai",
    ]);
    const topTable = await cli(["top", "crawler"]);
    expect(topTable.stdout.split("\n")[1].trim().split(/\s+/)).toEqual(["2", "50.0%", "GPTBot", "(ai)"]);
  });

  it("lists a missing page with the page on the site that links to it first", async () => {
    const table = await cli(["notfound"]);
    expect(table.stdout.split("\n").slice(0, 5)).toEqual([
      "Requests  Missing page",
      "       3  /old/",
      "          linked from /blog/x/ on this site (1)",
      "          linked from forum.example.org/t/1 (1)",
      "          no referrer: typed, bookmarked or probed (1)",
    ]);
    const csv = await cli(["notfound", "--csv"]);
    expect(csv.stdout).toBe(
      "path,requests,link,from,count\r\n/old/,3,internal,/blog/x/,1\r\n/old/,3,external,forum.example.org/t/1,1\r\n/old/,3,none,,1\r\n",
    );
    const limit = await cli(["notfound", "--limit", "0"]);
    expect(limit.code).toBe(1);
    expect(limit.stderr).toContain("--limit");
  });

  it("counts a client's range requests as one download, and a feed's readers' own counts", async () => {
    const top = JSON.parse((await cli(["top", "download", "--json"])).stdout);
    expect(top.values).toEqual([{ value: "/files/a.pdf", count: 2 }]);
    const feeds = JSON.parse((await cli(["feeds", "--json"])).stdout);
    expect(feeds.feeds).toEqual([
      {
        path: "/feed.xml",
        subscribers: 13,
        day: "2024-05-01",
        readers: [{ name: "Feedly", subscribers: 12 }],
      },
    ]);
    const table = await cli(["feeds"]);
    expect(
      table.stdout
        .split("\n")[1]
        .trim()
        .split(/\s{2,}/),
    ).toEqual(["13", "2024-05-01", "/feed.xml", "Feedly 12"]);
  });

  it("answers a page's audience with --page, and refuses it where a page has none", async () => {
    const page = JSON.parse((await cli(["top", "browser", "--page", "/blog/x/index.html", "--json"])).stdout);
    expect(page).toMatchObject({ page: "/blog/x/", total: 2 });
    // A page that never had views is named with pages like it, as `views` names it.
    const typo = await cli(["top", "browser", "--page", "/blog/x"]);
    expect(typo.stderr).toBe("pagetrack: no page /blog/x has views; pages like it: /blog/x/\n");
    const noSlash = await cli(["top", "browser", "--page", "blog/x/"]);
    expect(noSlash.code).toBe(1);
    expect(noSlash.stderr).toContain('page "blog/x/" is not a path; pages start with "/"');
    const entry = await cli(["top", "entry", "--page", "/blog/x/"]);
    expect(entry.code).toBe(1);
    expect(entry.stderr).toBe(
      "pagetrack: page: only source, campaign, browser, os, device, country answer for one page; leave page out for entry\n",
    );
  });
});
