import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Audience } from "../src/audience/audience.js";
import { generateLogFile } from "../src/generator/files.js";
import { ingest } from "../src/ingest/driver.js";
import { PageViewRule } from "../src/pageview/rule.js";
import { breakdown } from "../src/query/breakdown.js";
import { INTERVALS, viewsOverTime } from "../src/query/views.js";
import { fileSource } from "../src/readers/sources.js";
import type { EmbeddedEngine } from "../src/store/engine.js";
import { changeSiteSettings, readSiteSettings } from "../src/store/meta.js";
import type { Store } from "../src/store/store.js";
import { runCli } from "./support/cli.js";
import { tempDir } from "./support/paths.js";
import { startEngine } from "./support/store.js";

/**
 * The site's settings, kept in its table: the time zone whose days visitors are counted in, and its
 * own hosts. Visitors are never above the views of the same bucket, in any zone.
 */
describe("the site's settings", () => {
  let dir: string;
  let engine: EmbeddedEngine;
  let store: Store;
  let endpoint: string;
  /** Combined logs of three days that name the host asked for, and the same without it. */
  let withHost: string;
  let hostless: string;
  const from = Date.parse("2024-03-29T00:00:00Z") / 1000;

  beforeAll(async () => {
    dir = await tempDir();
    ({ engine, store, endpoint } = await startEngine(join(dir, "data")));
    const traffic = { requests: 6000, start: "2024-03-29", days: 3, posts: 12, seed: 23 };
    withHost = join(dir, "vhost.log");
    hostless = join(dir, "access.log");
    await generateLogFile(withHost, { ...traffic, format: "combined", vhost: true });
    await generateLogFile(hostless, { ...traffic, format: "combined" });
  });
  afterAll(async () => {
    store.destroy();
    await engine.close();
  });

  function run(site: string, path: string, options: { ownHosts?: string[]; force?: boolean } = {}) {
    return ingest(store, site, [fileSource(path)], {
      format: "auto",
      rule: new PageViewRule(),
      audience: new Audience({ ownHosts: options.ownHosts }),
      raw: false,
      force: options.force,
    });
  }

  it.each(["America/New_York", "Asia/Tokyo", "Australia/Lord_Howe"])(
    "counts visitors in days of %s: as report --tz does, never above a bucket's views",
    async (zone) => {
      const site = zone.replace("/", "-");
      await changeSiteSettings(store, site, { timeZone: zone });
      await run(site, withHost);
      const oracle = await runCli(["report", "--json", "--daily", "--tz", zone, withHost]);
      const report = JSON.parse(oracle.stdout);
      const to = from + 4 * 86400;
      const days = await viewsOverTime(store, site, {
        interval: "day",
        tz: zone,
        siteTimeZone: zone,
        from,
        to,
      });
      const perDay = Object.fromEntries(
        days.points.filter((p) => (p.visitors ?? 0) > 0).map((p) => [p.t.slice(0, 10), p.visitors]),
      );
      expect(perDay).toEqual(report.dailyVisitors);
      expect(days.visitors).toBe(report.summary.visitors);
      for (const interval of INTERVALS) {
        const series = await viewsOverTime(store, site, { interval, tz: zone, siteTimeZone: zone, from, to });
        for (const point of series.points) expect(point.visitors ?? 0).toBeLessThanOrEqual(point.views);
        // Hours are not whole days: no visitors there.
        expect(series.visitors === undefined).toBe(interval === "hour");
        // Nor in another zone, whose days are not the site's.
        const utc = await viewsOverTime(store, site, { interval, tz: "UTC", siteTimeZone: zone, from, to });
        expect(utc.visitors).toBeUndefined();
        for (const page of Object.keys(report.pages).slice(0, 3)) {
          const one = await viewsOverTime(store, site, {
            page,
            interval,
            tz: zone,
            siteTimeZone: zone,
            from,
            to,
          });
          for (const point of one.points) expect(point.visitors ?? 0).toBeLessThanOrEqual(point.views);
        }
      }
    },
  );

  it("fixes the time zone at the first ingest, and says so", async () => {
    const data = ["--endpoint", endpoint, "--site", "fixed"];
    const set = await runCli(["site", "--tz", "Europe/Paris", ...data]);
    expect(set.stderr).toBe("");
    expect(set.stdout).toContain(
      "time zone: Europe/Paris (visitor days; can be changed until the first ingest)",
    );
    await run("fixed", withHost);
    const shown = await runCli(["site", "--json", ...data]);
    expect(JSON.parse(shown.stdout)).toEqual({ site: "fixed", timeZone: "Europe/Paris", ownHosts: [] });
    const again = await runCli(["site", "--tz", "Asia/Tokyo", ...data]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^pagetrack: site "fixed" counts visitors in days of Europe\/Paris since its first ingest, .* new site \(--site ID\)/,
    );
    expect((await readSiteSettings(store, "fixed")).timeZone).toBe("Europe/Paris");
    // The query commands and GET /site default to it.
    const views = await runCli(["views", "--json", "--from", "2024-03-29", "--to", "2024-03-31", ...data]);
    expect(JSON.parse(views.stdout)).toMatchObject({ tz: "Europe/Paris" });
    expect(JSON.parse(views.stdout).visitors).toBeGreaterThan(0);
    const typo = await runCli(["site", "--tz", "Europe/Pariss", ...data]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('"Europe/Pariss" is not an IANA time zone, e.g. Europe/Paris');
  });

  it("keeps the site's own hosts for every later ingest, hints when the site looks like its own source, and recounts with --force", async () => {
    const data = ["--endpoint", endpoint, "--site", "shop"];
    const first = await runCli(["ingest", "--json", hostless, ...data]);
    const summary = JSON.parse(first.stdout);
    // Sources name hosts without www. (docs/page-views.md).
    const hint = summary.hints.find((h: string) => h.includes("example.com"));
    expect(hint).toMatch(/^"example\.com" is the source of \d+% of entries/);
    expect(hint).toContain("npx pagetrack site --own-host example.com");
    expect(first.stderr).toContain(hint);
    const sources = async (site: string) => {
      const answer = await breakdown(store, site, {
        dimension: "source",
        from,
        to: from + 4 * 86400,
        tz: "UTC",
        limit: 1000,
      });
      return Object.fromEntries(answer.values.map((v) => [v.value, v.count]));
    };
    expect(await sources("shop")).toHaveProperty("example.com");

    const set = await runCli(["site", "--own-host", "www.example.com", ...data]);
    // Kept as hosts are compared: without www.
    expect(set.stdout).toContain("own hosts: example.com");
    const forced = await runCli(["ingest", "--json", "--force", hostless, ...data]);
    expect(JSON.parse(forced.stdout).hints).toEqual([]);
    // As report counts it when told the host.
    const oracle = JSON.parse(
      (await runCli(["report", "--json", "--own-host", "www.example.com", hostless])).stdout,
    );
    expect(await sources("shop")).toEqual(oracle.breakdowns.source);

    // A later ingest without --own-host (as the deployed function runs) uses the site's setting.
    const later = join(dir, "later.log");
    await writeFile(later, await readFile(hostless));
    await run("shop-later", later);
    await changeSiteSettings(store, "shop-later", { addHosts: ["www.example.com"] });
    await run("shop-later", later, { force: true });
    expect(await sources("shop-later")).toEqual(oracle.breakdowns.source);
    const other = join(dir, "other.log");
    await writeFile(other, (await readFile(hostless, "utf8")).split("\n").slice(0, 3000).join("\n"));
    await run("shop-other", other, { ownHosts: ["www.example.com"] });
    expect((await readSiteSettings(store, "shop-other")).ownHosts).toEqual(["example.com"]);
    await run("shop-other", hostless);
    expect(await sources("shop-other")).toEqual(oracle.breakdowns.source);
  });
});
