import { appendFile, copyFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Audience } from "../src/audience/audience.js";
import { ingest } from "../src/ingest/driver.js";
import { PageViewRule } from "../src/pageview/rule.js";
import { fileSource, type LogSource } from "../src/readers/sources.js";
import { readPageTotals } from "../src/store/counts.js";
import type { EmbeddedEngine } from "../src/store/engine.js";
import { keys, PK, SK } from "../src/store/keys.js";
import { oldestPendingAge, rollUpPending } from "../src/store/pending.js";
import { rawViewItem, readViewList } from "../src/store/raw-views.js";
import { Store } from "../src/store/store.js";
import { runCli } from "./support/cli.js";
import { type Dataset, dataset, daysOf, expectCounts } from "./support/dataset.js";
import { FaultProxy } from "./support/fault-proxy.js";
import { tempDir } from "./support/paths.js";
import { countViews, startEngine } from "./support/store.js";

/** The store against the embedded engine: the SDK calls, the key layout and the queries. */
describe("store", () => {
  let engine: EmbeddedEngine;
  let store: Store;
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    ({ engine, store } = await startEngine(join(dir, "data")));
  });
  afterAll(async () => {
    store.destroy();
    await engine.close();
  });

  it("follows LastEvaluatedKey past DynamoDB's 1 MB pages", async () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({
      [PK]: "paging#test",
      [SK]: String(i).padStart(5, "0"),
      padding: "x".repeat(450),
    }));
    await store.batchWrite(items);
    const first = await store.queryPage({
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": PK },
      ExpressionAttributeValues: { ":pk": "paging#test" },
    });
    expect(first.next).toBeDefined();
    expect(first.items.length).toBeLessThan(3000);
    const all = await store.withPrefix("paging#test", "");
    expect(all.items.map((i) => i[SK])).toEqual(items.map((i) => i[SK]));
    expect(all.units).toBeGreaterThan(first.units);
  });

  it("writes again what BatchWriteItem leaves unprocessed", async () => {
    proxyCalls = 0;
    const proxy = new FaultProxy(await engine.endpoint(), (operation) => {
      if (operation !== "BatchWriteItem") return "pass";
      proxyCalls++;
      return "unprocessed";
    });
    const endpoint = await proxy.start();
    const viaProxy = new Store({
      table: "pagetrack",
      client: { endpoint, region: "local", credentials: { accessKeyId: "t", secretAccessKey: "t" } },
    });
    const items = Array.from({ length: 60 }, (_, i) => ({
      [PK]: "unprocessed#test",
      [SK]: String(i).padStart(3, "0"),
    }));
    await viaProxy.batchWrite(items);
    expect((await store.withPrefix("unprocessed#test", "")).items).toHaveLength(60);
    expect(proxyCalls).toBeGreaterThan(3);
    viaProxy.destroy();
    await proxy.stop();
  });

  it("asks again for the keys BatchGetItem leaves unprocessed, counts every request, and gives up after 10 attempts", async () => {
    const items = Array.from({ length: 150 }, (_, i) => ({
      [PK]: "unprocessed-get#test",
      [SK]: String(i).padStart(3, "0"),
    }));
    await store.batchWrite(items);
    let gets = 0;
    const proxy = new FaultProxy(await engine.endpoint(), (operation) => {
      if (operation !== "BatchGetItem") return "pass";
      gets++;
      return "unprocessed";
    });
    const endpoint = await proxy.start();
    const viaProxy = new Store({
      table: "pagetrack",
      client: { endpoint, region: "local", credentials: { accessKeyId: "t", secretAccessKey: "t" } },
      backoffMs: 1,
    });
    const found = await viaProxy.batchGet(items, true);
    expect([...found.values()].map((i) => i[SK]).sort()).toEqual(items.map((i) => i[SK]));
    // 100 + 50 keys, each request answering half (rounded up) of what it asks: 7 + 6 requests.
    expect(gets).toBe(13);
    expect(viaProxy.usage.readRequests).toBe(13);
    proxy.choose = (operation) => (operation === "BatchGetItem" ? "stuck" : "pass");
    await expect(viaProxy.batchGet(items.slice(0, 1), true)).rejects.toThrow(
      "DynamoDB left 1 reads unprocessed after 10 attempts",
    );
    viaProxy.destroy();
    await proxy.stop();
  });

  it("sets a slot only over one that merged fewer contributions, all slots or none", async () => {
    const key = { [PK]: "slots#test", [SK]: "x" };
    expect(await store.setSlotsIfNewer(key, { h07: [3, 2] })).toEqual({ ...key, h07: [3, 2] });
    expect(await store.setSlotsIfNewer(key, { h07: [9, 2] })).toBeUndefined();
    expect(await store.setSlotsIfNewer(key, { h07: [1, 1] })).toBeUndefined();
    expect(await store.setSlotsIfNewer(key, { h08: [1, 1], h07: [2, 1] })).toBeUndefined();
    expect(await store.setSlotsIfNewer(key, { h08: [1, 1], h07: [5, 3] })).toEqual({
      ...key,
      h07: [5, 3],
      h08: [1, 1],
    });
    expect(await store.get(key)).toEqual({ ...key, h07: [5, 3], h08: [1, 1] });
  });

  it("answers this process's requests in the engine thread as the SDK's over HTTP, a parse kept for other names", async () => {
    const overHttp = new Store({
      table: "pagetrack",
      client: {
        endpoint: await engine.endpoint(),
        region: "local",
        credentials: { accessKeyId: "t", secretAccessKey: "t" },
      },
    });
    try {
      const item = {
        [PK]: "local#test",
        [SK]: "a",
        ids: new Uint8Array([0, 1, 254, 255]),
        tags: new Set(["x", "y"]),
        list: [1, [2, "three"], { four: new Uint8Array([4]) }],
        version: 1,
      };
      const key = { [PK]: item[PK], [SK]: item[SK] };
      expect(await store.putIfVersion(item, undefined)).toBe(true);
      expect(await store.get(key)).toEqual(await overHttp.get(key));
      expect(await store.get(key)).toEqual({ ...item, ids: expect.any(Uint8Array) });
      const stored: Record<string, unknown> = (await store.get(key)) ?? {};
      expect([...(stored.ids as Uint8Array)]).toEqual([0, 1, 254, 255]);
      // A failed condition is the SDK's error both ways.
      expect(await store.putIfVersion(item, undefined)).toBe(false);
      expect(await overHttp.putIfVersion(item, 7)).toBe(false);
      // The same expression with other names and values: the kept parse, with this request's put in.
      const names = ["h01", "h02", "d05", "m11"];
      for (const [i, name] of names.entries())
        expect(await store.setSlotsIfNewer(key, { [name]: [i + 10, 1] })).toMatchObject({
          [name]: [i + 10, 1],
        });
      expect(await store.get(key)).toMatchObject({ h01: [10, 1], h02: [11, 1], d05: [12, 1], m11: [13, 1] });
      // Two names of one attribute are not one expression's parse with distinct names: dynalite's error.
      const overlap = (s: Store) =>
        s
          .update(key, "SET #a = :a, #b = :b", { "#a": "x", "#b": "x" }, { ":a": 1, ":b": 2 })
          .catch((e) => e.message);
      expect(await overlap(store)).toMatch(/Two document paths overlap/);
      expect(await overlap(store)).toBe(await overlap(overHttp));
    } finally {
      overHttp.destroy();
    }
  });

  it("deletes many items at once", async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ [PK]: "delete#test", [SK]: String(i) }));
    await store.batchWrite(items);
    await store.batchDelete(items.slice(0, 29));
    expect((await store.withPrefix("delete#test", "")).items).toEqual([items[29]]);
  });

  describe("key layout, as the original tracker's queries use it", () => {
    const header =
      "#Version: 1.0\n#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent) x-edge-request-id cs(Referer)\n";
    const ua = "Mozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:125.0)%20Gecko/20100101%20Firefox/125.0";
    const line = (time: string, path: string, id: string) =>
      `2024-05-01\t${time}\tGET\t${path}\t200\t${ua}\t${id}\thttps://example.com/a%20b\n`;
    let data: string[];
    beforeAll(async () => {
      const log = join(dir, "layout.log");
      // Two views of /blog/x/ in the same second: two items.
      await writeFile(
        log,
        header +
          line("10:00:00", "/blog/x/", "A") +
          line("10:00:00", "/blog/x/index.html", "B") +
          line("11:30:00", "/blog/y/", "C") +
          line("12:00:00", "/about/", "D"),
      );
      data = ["--endpoint", await engine.endpoint(), "--site", "layout"];
      const run = await runCli(["ingest", log, ...data]);
      expect(run.code).toBe(0);
    });

    it("lists pages by prefix in the INDEX partition", async () => {
      const { items } = await store.queryAll({
        KeyConditionExpression: "UserPages = :p AND begins_with(SortKey, :s)",
        ExpressionAttributeValues: { ":p": "layout#INDEX", ":s": "/blog/" },
      });
      // Each page's total is kept per year: [views, contributions merged, first, last] (see levels.ts).
      expect(items.map((i) => [i[SK], (i.y2024 as number[])[0]])).toEqual([
        ["/blog/x/", 2],
        ["/blog/y/", 1],
      ]);
      expect((await readPageTotals(store, "layout", "/blog/")).pages).toEqual([
        { page: "/blog/x/", views: 2, first: 1714557600, last: 1714557600, visitors: 1 },
        { page: "/blog/y/", views: 1, first: 1714563000, last: 1714563000, visitors: 1 },
      ]);
    });

    it("keeps every view of a page, in time order, in the page's own partition", async () => {
      expect(await countViews(store, "layout", "/blog/x/")).toBe(2);
      const { items } = await store.queryAll({
        KeyConditionExpression: "UserPages = :p AND SortKey BETWEEN :a AND :b",
        ExpressionAttributeValues: { ":p": "layout#/blog/x/", ":a": "1714557600", ":b": "1714557601" },
      });
      expect(items).toEqual([
        expect.objectContaining({
          SortKey: "1714557600#A",
          page: "/blog/x/",
          time: "2024-05-01T10:00:00Z",
          requestId: "A",
          referrer: "https://example.com/a b",
        }),
        expect.objectContaining({ SortKey: "1714557600#B", requestId: "B" }),
      ]);
      expect(typeof items[0].file).toBe("string");
    });

    it("keeps counters in partitions that no page path can name", () => {
      for (const partition of [
        keys.index("s"),
        keys.level("s", "day", "/a/"),
        keys.level("s", "month", "*"),
        keys.level("s", "year", "/a/"),
        keys.ledger("s"),
        keys.site("s"),
        keys.contributions("s", "2024-05-01"),
        keys.meta("s"),
      ]) {
        expect(partition.startsWith("s#/")).toBe(false);
      }
      expect(keys.views("s", "/a/")).toBe("s#/a/");
    });

    it("records each file in the ledger", async () => {
      const { items } = await store.withPrefix("layout#ledger", "file#");
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        status: "done",
        format: "cloudfront",
        stats: expect.objectContaining({ views: 4 }),
      });
    });
  });

  it("counts the same bytes under two names in one run once", async () => {
    const log = join(dir, "twice.log");
    await writeFile(
      log,
      `192.0.2.1 - - [01/May/2024:10:00:00 +0000] "GET /twice/ HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux) Firefox/125.0"\n`,
    );
    await copyFile(log, `${log}.copy`);
    const summary = await ingest(store, "twice", [fileSource(log), fileSource(`${log}.copy`)], {
      format: "auto",
      rule: new PageViewRule(),
      audience: new Audience(),
      raw: true,
    });
    expect(summary).toMatchObject({ files: 2, failed: 0 });
    expect((await readPageTotals(store, "twice", "")).pages).toMatchObject([{ page: "/twice/", views: 1 }]);
    expect((await store.withPrefix(keys.ledger("twice"), "")).items).toHaveLength(1);
  });

  it("counts a log that grows while it is ingested as it was when first read", async () => {
    const log = join(dir, "growing.log");
    // More views than are kept from the first read, so that the file is read a second time.
    const line = (n: number) =>
      `192.0.2.1 - - [01/May/2024:10:00:${String(n % 60).padStart(2, "0")} +0000] "GET /grow/ HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux) Firefox/125.0"\n`;
    await writeFile(log, Array.from({ length: 2500 }, (_, i) => line(i)).join(""));
    let opened = 0;
    const growing: LogSource = {
      name: log,
      replayable: true,
      open: async (limit) => {
        // nginx appends a line between the two reads.
        if (opened++ === 1) await appendFile(log, line(0));
        return fileSource(log).open(limit);
      },
    };
    const summary = await ingest(store, "grow", [growing], {
      format: "auto",
      rule: new PageViewRule(),
      audience: new Audience(),
      raw: true,
    });
    expect(summary.ingested).toBe(1);
    expect(opened).toBe(2);
    expect(await countViews(store, "grow", "/grow/")).toBe(2500);
    expect((await readPageTotals(store, "grow", "")).pages[0].views).toBe(2500);
  });

  it("tells progress every byte it reads, a large file's second read too, and each file read", async () => {
    const large = join(dir, "progress-large.log");
    const small = join(dir, "progress-small.log");
    const line = (n: number) =>
      `192.0.2.${n % 200} - - [02/May/2024:10:00:${String(n % 60).padStart(2, "0")} +0000] "GET /progress/ HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux) Firefox/125.0"\n`;
    // More views than are kept from the first read: this file is read twice.
    await writeFile(large, Array.from({ length: 2500 }, (_, i) => line(i)).join(""));
    await writeFile(small, line(7));
    const sizes = { large: (await stat(large)).size, small: (await stat(small)).size };
    const run = async () => {
      const seen = { bytes: 0, reread: 0, files: [] as string[] };
      await ingest(store, "progress", [fileSource(large), fileSource(small)], {
        format: "auto",
        rule: new PageViewRule(),
        audience: new Audience(),
        raw: true,
        onBytes: (n) => {
          seen.bytes += n;
        },
        onReread: (n) => {
          seen.reread += n;
        },
        onFileRead: (name) => seen.files.push(name),
      });
      return seen;
    };
    const first = await run();
    expect(first.reread).toBe(sizes.large);
    // What is to read grows by the second read: the bar's total matches what is read.
    expect(first.bytes).toBe(sizes.large + sizes.small + first.reread);
    expect(first.files.sort()).toEqual([large, small]);
    // Files already done are read once, to know their content, and skipped.
    const again = await run();
    expect(again).toEqual({ bytes: sizes.large + sizes.small, reread: 0, files: expect.any(Array) });
    expect(again.files).toHaveLength(2);
  });

  it("stores counters only with --no-raw, and an expiry with --retention-days", async () => {
    const log = join(dir, "raw.log");
    const now = new Date();
    const day = now.toISOString().slice(0, 10);
    await writeFile(
      log,
      `#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent) x-edge-request-id\n${day}\t08:00:00\tGET\t/r/\t200\tMozilla/5.0%20(X11;%20Linux)%20Firefox/125.0\tR1\n`,
    );
    const endpoint = ["--endpoint", await engine.endpoint()];
    await runCli(["ingest", "--no-raw", log, ...endpoint, "--site", "noraw"]);
    expect(await countViews(store, "noraw", "/r/")).toBe(0);
    expect(
      JSON.parse((await runCli(["totals", "--json", ...endpoint, "--site", "noraw"])).stdout).pages,
    ).toEqual({ "/r/": 1 });
    await runCli(["ingest", "--retention-days", "30", log, ...endpoint, "--site", "ttl"]);
    const { items } = await store.withPrefix(keys.views("ttl", "/r/"), "");
    expect(items[0].expiresAt).toBe(Date.parse(`${day}T08:00:00Z`) / 1000 + 30 * 86400);
  });

  it("writes no raw view that has already expired, and counts it all the same", async () => {
    // A backfill with --retention-days 30: a view of 40 days ago is past its retention already.
    const log = join(dir, "backfill.log");
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86400_000).toISOString();
    const line = (iso: string, id: string) =>
      `${iso.slice(0, 10)}\t${iso.slice(11, 19)}\tGET\t/old/\t200\tMozilla/5.0%20(X11;%20Linux)%20Firefox/125.0\t${id}\n`;
    await writeFile(
      log,
      `#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent) x-edge-request-id\n${line(at(40), "OLD1")}${line(at(35), "OLD2")}${line(at(2), "NEW1")}`,
    );
    const endpoint = ["--endpoint", await engine.endpoint()];
    const run = await runCli(["ingest", "--retention-days", "30", log, ...endpoint, "--site", "backfill"]);
    expect(run.code).toBe(0);
    const { items } = await store.withPrefix(keys.views("backfill", "/old/"), "");
    expect(items.map((i) => i.requestId)).toEqual(["NEW1"]);
    expect(
      JSON.parse((await runCli(["totals", "--json", ...endpoint, "--site", "backfill"])).stdout).pages,
    ).toEqual({ "/old/": 3 });
  });

  it("leaves expired views TTL has not deleted yet out of the visit list, paging on with the cursor", async () => {
    const now = 1_800_000_000;
    const page = "/ttl-list/";
    // 40 views a minute apart; every view whose number is not a multiple of 4 has expired, and so
    // have views 20 to 36 in a row: a whole page of nothing but expired views.
    const live = (n: number) => n % 4 === 0 && (n < 20 || n > 36);
    const items = Array.from({ length: 40 }, (_, n) =>
      rawViewItem(
        "ttl-list",
        { time: 1_700_000_000 + n * 60, page, bot: false, referrer: "", requestId: `R${n}`, line: n },
        "f".repeat(64),
        live(n) ? now + 86400 : now - 1 - n,
      ),
    );
    // One view without a retention never expires.
    items.push(
      rawViewItem(
        "ttl-list",
        { time: 1_700_000_000 + 40 * 60, page, bot: false, referrer: "", requestId: "R40", line: 40 },
        "f".repeat(64),
      ),
    );
    await store.batchWrite(items);
    const want = items.filter((_, n) => n === 40 || live(n)).map((i) => String(i.time));
    const range = { page, from: 1_700_000_000, to: 1_700_000_000 + 3600 };
    // A page large enough for everything: one answer, no cursor.
    expect(await readViewList(store, "ttl-list", { ...range, limit: 100, now })).toEqual({
      views: want.map((time) => ({ time })),
      cursor: null,
    });
    // Small pages: short ones where expired views were passed over, never a view twice or lost.
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    for (let answers = 0; answers < 50; answers++) {
      const answer = await readViewList(store, "ttl-list", { ...range, limit: 2, cursor, now });
      expect(answer.views.length).toBeLessThanOrEqual(2);
      seen.push(...answer.views.map((v) => v.time));
      sizes.push(answer.views.length);
      if (answer.cursor === null) break;
      cursor = answer.cursor;
    }
    expect(seen).toEqual(want);
    expect(sizes).toContain(0);
    // Without expired views in the way, pages are full.
    const later = await readViewList(store, "ttl-list", { ...range, limit: 2, now: 0 });
    expect(later.views).toHaveLength(2);
  });
});

let proxyCalls = 0;

/** A backlog of pending hours (after an outage, a backfill, a paused schedule) drains over rollups that each stop within a budget. */
describe("a rollup within a budget", () => {
  let engine: EmbeddedEngine;
  let store: Store;
  let storeArgs: string[];
  let data: Dataset;

  beforeAll(async () => {
    const dir = await tempDir();
    let endpoint: string;
    ({ engine, store, endpoint } = await startEngine(join(dir, "data")));
    storeArgs = ["--endpoint", endpoint, "--site", "backlog"];
    // A week of CloudFront files, counted and left pending: what a week without rollups leaves.
    data = await dataset({ requests: 4000, days: 7, seed: 31 });
    const summary = await ingest(
      store,
      "backlog",
      data.files.map((f) => fileSource(f)),
      { format: "auto", rule: new PageViewRule(), audience: new Audience(), raw: false, rollUp: false },
    );
    expect(summary.ingested).toBe(data.files.length);
  }, 120_000);
  afterAll(async () => {
    store.destroy();
    await engine.close();
  });

  it("takes the oldest hours a group at a time, keeps its progress, and the next rollups drain the rest exactly", async () => {
    const pendingHours = async () => {
      const hours = new Set<string>();
      for (const item of (await store.withPrefix(keys.pending("backlog"), "")).items)
        hours.add(item[SK].slice(0, 13));
      return [...hours].sort();
    };
    const all = await pendingHours();
    expect(all.length).toBe(7 * 24);
    // A budget already spent: one group of 24 hours, the oldest, and no more.
    const first = await rollUpPending(store, "backlog", { hours: 24, until: 0 });
    expect(first.hours).toBe(24);
    expect(await pendingHours()).toEqual(all.slice(24));
    // Nothing counted twice, nothing lost, whatever the number of rollups it takes.
    let rollups = 1;
    while ((await rollUpPending(store, "backlog", { hours: 24, until: 0 })).hours > 0) rollups++;
    expect(rollups).toBe(7);
    expect(await pendingHours()).toEqual([]);
    expect(await oldestPendingAge(store, "backlog")).toBe(0);
    await expectCounts(storeArgs, data.expected, daysOf(data.expected));
  }, 120_000);
});
