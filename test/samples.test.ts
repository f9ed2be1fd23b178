import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parserFor } from "../src/formats/detect.js";
import { DEFAULT_RULE, PageViewRule } from "../src/pageview/rule.js";
import type { PageView } from "../src/pageview/view.js";
import { type FileStats, scanSource } from "../src/pipeline.js";
import { fileSource } from "../src/readers/sources.js";
import { HAS_SAMPLES, sample, sayIfNoSamples } from "./support/paths.js";

/**
 * Every real sample log: each line is a record or rejected with a reason (comments and blank lines
 * aside), and the records fall where the page-view rule says. Figures checked by reading the files.
 */
const CASES: { file: string; format: string; stats: Partial<FileStats>; pages: Record<string, number> }[] = [
  {
    file: "cloudfront/awsdocs_AccessLogs-md_example.log",
    format: "cloudfront",
    stats: { records: 6, rejected: 0, views: 3, otherStatus: 3 },
    pages: { "/": 3 },
  },
  {
    file: "cloudfront/claygregory_web-1-0-2019-12.txt",
    format: "cloudfront",
    stats: { records: 3, rejected: 0, views: 3, bots: 0 },
    pages: { "/": 3 },
  },
  {
    file: "cloudfront/claygregory_web-1-0.txt",
    format: "cloudfront",
    stats: { records: 2, rejected: 0, views: 1, nonHtml: 1 },
    pages: { "/view/my/file.html": 1 },
  },
  {
    file: "cloudfront/elastic-integrations_test-cloudfront.log",
    format: "cloudfront",
    // 3 views (one from IPv6), 3 errors 502, POST 200 and POST 000, 3 JavaScript responses, 1 truncated line.
    stats: { records: 11, rejected: 1, views: 3, otherStatus: 3, nonGet: 2, nonHtml: 3 },
    pages: { "/": 3 },
  },
  {
    file: "cloudfront-realtime/claygregory_kinesis-1-0.txt",
    format: "cloudfront",
    stats: { records: 1, rejected: 0, views: 0, nonHtml: 1 },
    pages: {},
  },
  {
    file: "s3access/awsdocs_LogFormat-md_example_2020.log",
    format: "s3",
    // bucket operations name no object; one 404; one PUT.
    stats: { records: 5, rejected: 0, views: 0, nonHtml: 3, otherStatus: 1, nonGet: 1 },
    pages: {},
  },
  {
    file: "s3access/elastic-integrations_test-s3-server-access.log",
    format: "s3",
    stats: { records: 10, rejected: 0, views: 0, nonGet: 6, nonHtml: 4 },
    pages: {},
  },
  {
    file: "alb/awsdocs_load-balancer-access-logs-md_examples_joined.log",
    format: "alb",
    // Every example request comes from curl: bots.
    stats: { records: 7, rejected: 0, views: 0, bots: 4, otherStatus: 3 },
    pages: {},
  },
  {
    file: "alb/elastic-integrations_test-alb_mixed-alb-nlb-conn.log",
    format: "alb",
    // 4 NLB lines and 3 connection-log lines are not ALB access log lines.
    stats: { records: 3, rejected: 7 },
    pages: {},
  },
  {
    file: "combined/elastic-integrations_nginx_test-access.log",
    format: "combined",
    stats: { records: 14, rejected: 0, views: 4, otherStatus: 10 },
    pages: { "/": 4 },
  },
  {
    file: "combined/elastic-examples_apache_logs.log",
    format: "combined",
    // Line 8899 is cut off inside its user agent. 154 requests are of server-side pages (.php, .cgi):
    // 144 views and 10 bots' requests.
    stats: { lines: 10000, records: 9999, rejected: 1, views: 1495, bots: 2275 },
    pages: { "/projects/xdotool/": 203, "/": 114 },
  },
];

async function scan(file: string, rule = new PageViewRule()) {
  const pages: Record<string, number> = {};
  const views: PageView[] = [];
  const result = await scanSource(fileSource(sample(file)), { format: "auto", rule }, (view) => {
    if (view.counted) pages[view.page] = (pages[view.page] ?? 0) + 1;
    views.push(view);
  });
  return { result, pages, views };
}

sayIfNoSamples();

describe.runIf(HAS_SAMPLES)("real sample logs", () => {
  it.each(CASES)("$file", async ({ file, format, stats, pages }) => {
    const { result, pages: counted } = await scan(file);
    expect(result.error).toBeUndefined();
    expect(result.format).toBe(format);
    const text = await readFile(sample(file), "utf8");
    const comments = text
      .split("\n")
      .filter((l, i, all) => (l.startsWith("#") || l.trim() === "") && i < all.length - 1).length;
    expect(result.stats.records + result.stats.rejected + comments).toBe(result.stats.lines);
    expect(result.stats).toMatchObject(stats);
    const { records, views, bots, nonGet, otherStatus, nonHtml, excluded } = result.stats;
    expect(views + bots + nonGet + otherStatus + nonHtml + excluded).toBe(records);
    expect(result.problems.length).toBe(Math.min(result.stats.rejected, 20));
    for (const [page, n] of Object.entries(pages)) expect(counted[page]).toBe(n);
    if (Object.keys(pages).length === 0) expect(counted).toEqual({});
  });

  it("reads the fields of a CloudFront line by name, decoding what was double-encoded", async () => {
    const { views } = await scan("cloudfront/claygregory_web-1-0-2019-12.txt");
    expect(views[0]).toMatchObject({
      time: Date.UTC(2019, 11, 4, 21, 2, 31) / 1000,
      page: "/",
      bot: false,
      counted: true,
      requestId: "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
      line: 3,
    });
    expect(views[0].userAgent).toMatch(/^Mozilla\/5\.0 \(Windows NT 10\.0; Win64; x64\)/);
  });

  // The client and the host asked for, as each format logs them, on the first record of each file.
  it.each([
    ["cloudfront/awsdocs_AccessLogs-md_example.log", "192.0.2.100", "d111111abcdef8.cloudfront.net"],
    ["cloudfront-realtime/claygregory_kinesis-1-0.txt", "127.0.0.1", "test.cloudfront.net"],
    ["s3access/awsdocs_LogFormat-md_example_2020.log", "192.0.2.3", "awsexamplebucket1"],
    ["alb/awsdocs_load-balancer-access-logs-md_examples_joined.log", "192.168.131.39", "www.example.com:80"],
    ["combined/elastic-examples_apache_logs.log", "83.149.9.216", undefined],
  ])("reads the client IP and the host of %s", async (file, clientIp, host) => {
    const lines = (await readFile(sample(file), "utf8")).split("\n");
    const parser = parserFor("auto", lines.find((l) => l.trim() !== "") as string);
    const record = lines.map((l) => parser?.parse(l)).find((r) => typeof r === "object" && r !== null);
    expect(record).toMatchObject({ clientIp, host });
  });

  it("takes the vhost of a combined line as its host", async () => {
    const { views } = await scan(
      "combined/elastic-integrations_nginx_test-access.log",
      new PageViewRule({ ...DEFAULT_RULE, includeBots: true, statuses: [200, 206, 304, 404] }),
    );
    expect(views.filter((v) => v.host !== undefined).map((v) => [v.host, v.clientIp])).toContainEqual([
      "lessons.example.com",
      "192.168.0.1",
    ]);
  });

  it("names the truncated CloudFront line", async () => {
    const { result } = await scan("cloudfront/elastic-integrations_test-cloudfront.log");
    expect(result.problems).toEqual([{ line: 14, reason: "truncated line: 31 of 33 fields" }]);
  });

  it("takes the time offset of combined logs into account", async () => {
    const { views } = await scan("combined/elastic-integrations_nginx_test-access.log");
    // [25/Oct/2016:14:49:33 +0200]
    expect(views[0].time).toBe(Date.UTC(2016, 9, 25, 12, 49, 33) / 1000);
  });
});
