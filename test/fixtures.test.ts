import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PageViewRule } from "../src/pageview/rule.js";
import { scanSource } from "../src/pipeline.js";
import { fileSource } from "../src/readers/sources.js";
import { ROOT } from "./support/paths.js";

/**
 * A small log of every format pagetrack reads, written from the format's documentation
 * (test/fixtures/README.md): each holds one page view, one bot's page request, one asset and one
 * page not answered 200/304, and the repository's tests need nothing beside the clone.
 */
const FIXTURES = [
  {
    file: "cloudfront.log",
    format: "cloudfront",
    page: "/blog/first-post/",
    host: "www.example.com",
    others: ["/old-page/ notFound"],
  },
  {
    file: "cloudfront-v2.jsonl",
    format: "cloudfront-json",
    page: "/about/",
    host: "www.example.com",
    others: [],
  },
  {
    file: "s3-access.log",
    format: "s3",
    page: "/contact/",
    host: "www.example.com",
    others: ["/docs/guide.pdf download", "/missing.html notFound"],
  },
  { file: "alb.log", format: "alb", page: "/pricing/", host: "www.example.com:443", others: [] },
  { file: "elb.log", format: "elb", page: "/team/", host: "www.example.com:80", others: [] },
  // Hosts as logged (a port, where the format writes one, is ignored when hosts are compared). A
  // server-side page with its directory index folded, and ;jsessionid dropped.
  { file: "combined.log", format: "combined", page: "/shop/", host: undefined, others: ["/shop/ notFound"] },
  {
    file: "vhost-combined.log",
    format: "combined",
    page: "/shop/",
    host: "www.example.com:443",
    others: ["/shop/ notFound"],
  },
  { file: "iis.log", format: "w3c", page: "/", host: undefined, others: [] },
] as const;

describe("a log of every format, from its documentation", () => {
  it.each(FIXTURES)(
    "$file is $format: one view of $page, one bot, one asset, one other status",
    async (f) => {
      const views: { page: string; bot: boolean; host: string | undefined }[] = [];
      const others: string[] = [];
      const result = await scanSource(
        fileSource(join(ROOT, "test/fixtures", f.file)),
        { format: "auto", rule: new PageViewRule() },
        (view) => {
          if (view.isPage) views.push({ page: view.page, bot: view.bot, host: view.host });
          else
            others.push(`${view.page} ${view.notFound ? "notFound" : ""}${view.download ? "download" : ""}`);
        },
      );
      expect(result.error).toBeUndefined();
      expect(result.format).toBe(f.format);
      expect(result.stats).toMatchObject({
        records: 4,
        rejected: 0,
        views: 1,
        bots: 1,
        nonHtml: 1,
        otherStatus: 1,
      });
      expect(views).toEqual([
        { page: f.page, bot: false, host: f.host },
        { page: f.page, bot: true, host: f.host },
      ]);
      // The "other status" request is a missing page in some fixtures, the asset a download in one.
      expect(others).toEqual(f.others);
    },
  );
});
