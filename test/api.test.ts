import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { handle } from "hono/aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.js";
import { DIMENSIONS, PAGE_DIMENSIONS } from "../src/counters/registry.js";
import { pageTotals } from "../src/query/totals.js";
import { runCli } from "./support/cli.js";
import { type Dataset, dataset, daysOf } from "./support/dataset.js";
import { ROOT, tempDir } from "./support/paths.js";
import { startEngine } from "./support/store.js";

/** The HTTP API through app.request() against the embedded engine, and over HTTP on `pagetrack serve`. */
describe("HTTP API", () => {
  let data: Dataset;
  let engine: Awaited<ReturnType<typeof startEngine>>;
  let storeArgs: string[];
  let app: ReturnType<typeof createApp>;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await app.request(path, { headers });
    return { status: res.status, headers: res.headers, body: await res.json() };
  };

  beforeAll(async () => {
    data = await dataset({ requests: 4000, days: 2, seed: 9 });
    engine = await startEngine(join(await tempDir(), "data"));
    storeArgs = ["--endpoint", engine.endpoint];
    const run = await runCli(["ingest", ...data.files, ...storeArgs]);
    expect(run.code).toBe(0);
    app = createApp({ store: engine.store, site: "default", corsOrigins: ["*"], cacheSeconds: 0 });
  });
  afterAll(async () => {
    engine.store.destroy();
    await engine.engine.close();
  });

  it("answers /health", async () => {
    expect(await get("/health")).toMatchObject({ status: 200, body: { ok: true } });
  });

  it("answers /pagetotals as `pagetrack totals --json` does", async () => {
    const api = await get("/pagetotals");
    expect(api.status).toBe(200);
    expect(api.body.pages).toEqual(data.expected.pages);
    expect(api.body).toMatchObject({
      total: data.expected.views,
      since: expect.stringMatching(/^2024-02-28T00:/),
    });
    expect(api.body.consumedCapacity).toBeGreaterThan(0);
    const cli = JSON.parse((await runCli(["totals", "--json", ...storeArgs])).stdout);
    expect({ ...api.body, consumedCapacity: 0 }).toEqual({ ...cli, consumedCapacity: 0 });
    const blog = await get("/pagetotals?prefix=/blog/");
    expect(Object.keys(blog.body.pages).every((p) => p.startsWith("/blog/"))).toBe(true);
    // `site` is the whole site's, whatever the prefix or the limit: what the dashboard reads.
    const site = { views: data.expected.views, first: api.body.since, last: api.body.last };
    expect(api.body.site).toEqual(site);
    expect(blog.body.site).toEqual(site);
    expect((await get("/pagetotals?limit=1")).body.site).toEqual(site);
  });

  it("pages through /pagetotals with limit and an opaque cursor, in path order", async () => {
    const all = Object.keys(data.expected.pages).sort();
    const seen: Record<string, number> = {};
    let cursor: string | undefined;
    let answers = 0;
    let total = 0;
    do {
      const { status, body } = await get(`/pagetotals?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(status).toBe(200);
      expect(Object.keys(body.pages).length).toBeLessThanOrEqual(3);
      expect(Object.keys(body).filter((k) => k !== "cursor")).toEqual(
        Object.keys((await get("/pagetotals")).body),
      );
      Object.assign(seen, body.pages);
      total += body.total;
      cursor = body.cursor;
      answers++;
    } while (cursor);
    expect(Object.keys(seen)).toEqual(all);
    expect(seen).toEqual(data.expected.pages);
    expect(total).toBe(data.expected.views);
    expect(answers).toBe(Math.ceil(all.length / 3));
    const whole = await get(`/pagetotals?limit=${all.length}`);
    expect(whole.body.cursor).toBeUndefined();
    expect(whole.body.pages).toEqual(data.expected.pages);
    const blog = (await get("/pagetotals?prefix=/blog/&limit=1")).body;
    expect(Object.keys(blog.pages)).toHaveLength(1);
    expect((await get(`/pagetotals?prefix=/about/&limit=1&cursor=${blog.cursor}`)).body.error).toMatch(
      /cursor does not belong to this prefix/,
    );
  });

  it("refuses a whole /pagetotals past its cap with a 400 that says how to page", async () => {
    const pages = Object.keys(data.expected.pages).length;
    await expect(pageTotals(engine.store, "default", undefined, { maxPages: pages - 1 })).rejects.toThrow(
      /more than \d+ pages: ask for them with limit .* and cursor, or narrow prefix/,
    );
    const capped = await pageTotals(engine.store, "default", undefined, { maxPages: pages });
    expect(capped).toEqual({ ...(await get("/pagetotals")).body, consumedCapacity: capped.consumedCapacity });
  });

  it("answers /count with one page's views, cacheable by CloudFront and browsers", async () => {
    const app60 = createApp({ store: engine.store, site: "default", corsOrigins: ["*"], cacheSeconds: 10 });
    const res = await app60.request("/count?page=/about/index.html");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ page: "/about/", views: data.expected.pages["/about/"] });
    expect(res.headers.get("cache-control")).toBe("public, max-age=60, stale-while-revalidate=600");
    expect((await get("/count?page=/no/such/page/")).body).toEqual({ page: "/no/such/page/", views: 0 });
    expect((await get("/count")).body.error).toMatch(/^page: is required/);
    const locked = createApp({
      store: engine.store,
      site: "default",
      corsOrigins: ["*"],
      cacheSeconds: 10,
      token: "s3cret-token-of-some-length",
    });
    const mine = await locked.request("/count?page=/about/", {
      headers: { Authorization: "Bearer s3cret-token-of-some-length" },
    });
    expect(mine.headers.get("cache-control")).toBe("private, max-age=60");
  });

  it("bounds /pages: limit keeps the most viewed and says how many were omitted", async () => {
    const all = (await get("/pages")).body.pages;
    const top = await get("/pages?limit=2");
    expect(top.body).toEqual({ pages: all.slice(0, 2), omitted: all.length - 2 });
    const [day] = daysOf(data.expected);
    const ranged = await get(`/pages?from=${day}&to=${day}&limit=1`);
    expect(ranged.body.pages).toHaveLength(1);
    expect(ranged.body.pages[0].viewsInRange).toBe(data.expected.daily[all[0].page][day] ?? 0);
    expect((await get(`/pages?from=${day}&limit=5000`)).body.error).toMatch(/^limit: at most 1000 with from/);
  });

  it("compresses answers for clients that accept gzip, base64 on Lambda (payload 2.0)", async () => {
    const res = await app.request("/pagetotals", { headers: { "Accept-Encoding": "gzip" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("vary")).toMatch(/Accept-Encoding/);
    const plain = (await get("/pagetotals")).body;
    const unzipped = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8"));
    expect({ ...unzipped, consumedCapacity: 0 }).toEqual({ ...plain, consumedCapacity: 0 });
    const event = {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/pagetotals",
      rawQueryString: "",
      headers: { "accept-encoding": "gzip, br", host: "api.example.com" },
      requestContext: {
        http: {
          method: "GET",
          path: "/pagetotals",
          protocol: "HTTP/1.1",
          sourceIp: "192.0.2.1",
          userAgent: "t",
        },
        domainName: "api.example.com",
        stage: "$default",
      },
      isBase64Encoded: false,
    } as unknown as Parameters<ReturnType<typeof handle>>[0];
    // biome-ignore lint/suspicious/noExplicitAny: the adapter's result type is a union of event kinds
    const out: any = await handle(app)(event, {} as never);
    expect(out).toMatchObject({ statusCode: 200, isBase64Encoded: true });
    expect(out.headers["content-encoding"]).toBe("gzip");
    const body = JSON.parse(gunzipSync(Buffer.from(out.body, "base64")).toString("utf8"));
    expect(body.pages).toEqual(plain.pages);
  });

  it("answers /pageviews as `pagetrack views --json` does", async () => {
    const [from, to] = [daysOf(data.expected)[0], daysOf(data.expected).at(-1) as string];
    const api = await get(`/pageviews?page=/about/&from=${from}&to=${to}&interval=day&tz=Europe/Paris`);
    const cli = JSON.parse(
      (
        await runCli([
          "views",
          "/about/",
          "--json",
          "--from",
          from,
          "--to",
          to,
          "--tz",
          "Europe/Paris",
          ...storeArgs,
        ])
      ).stdout,
    );
    expect(api.status).toBe(200);
    expect(api.body).toEqual(cli);
    const site = await get(`/pageviews?from=${from}&to=${to}`);
    expect(site.body.page).toBeNull();
    expect(site.body.total).toBe(data.expected.views);
  });

  it("answers months over 50 years from month items, exact in UTC and in Paris", async () => {
    const utc = await get("/pageviews?interval=month&from=1975-01-01&to=2024-12-31");
    expect(utc.status).toBe(200);
    expect(utc.body.points).toHaveLength(600);
    expect(utc.body.total).toBe(data.expected.views);
    expect(utc.body.visitors).toBe(data.expected.visitorsTotal);
    expect(utc.body.points.find((p: { t: string }) => p.t === "2024-02-01T00:00:00Z")).toEqual({
      t: "2024-02-01T00:00:00Z",
      views: data.expected.views,
      visitors: data.expected.visitorsTotal,
      bytes: data.expected.bytes,
    });
    expect(utc.body.bytes).toBe(data.expected.bytes);
    // In Paris, March starts at 23:00 UTC on 29 February: that hour is March's, as the days say.
    const paris = await get("/pageviews?interval=month&from=1975-01-01&to=2024-12-31&tz=Europe/Paris");
    const days = await get("/pageviews?interval=day&from=2024-02-01&to=2024-03-31&tz=Europe/Paris");
    const byMonth: Record<string, number> = {};
    for (const p of days.body.points) byMonth[p.t.slice(0, 7)] = (byMonth[p.t.slice(0, 7)] ?? 0) + p.views;
    const months = paris.body.points.filter((p: { views: number }) => p.views > 0);
    expect(
      Object.fromEntries(months.map((p: { t: string; views: number }) => [p.t.slice(0, 7), p.views])),
    ).toEqual(Object.fromEntries(Object.entries(byMonth).filter(([, n]) => n > 0)));
    expect(paris.body.total).toBe(data.expected.views);
    const page = await get("/pageviews?page=/about/&interval=month&from=1975-01-01&to=2024-12-31");
    expect(page.body.total).toBe(data.expected.pages["/about/"]);
  });

  it("cleans the page parameter as the logs' paths are", async () => {
    const days = `from=2024-02-28&to=2024-02-29`;
    const about = await get(`/pageviews?page=/about/&${days}`);
    expect(about.body.total).toBe(data.expected.pages["/about/"]);
    for (const alias of ["/about/index.html", "/ab%6Fut/", "/ab%256Fut/", "/about/%3Fref%3Dx"]) {
      expect((await get(`/pageviews?page=${alias}&${days}`)).body, alias).toEqual(about.body);
    }
    const list = await get(`/pagevisitlist?page=/about/index.html&${days}&limit=1000`);
    expect(list.body.page).toBe("/about/");
    expect(list.body.views).toHaveLength(data.expected.pages["/about/"]);
  });

  it("says where the data is: /pagetotals has the first (since) and the last view", async () => {
    const { body } = await get("/pagetotals");
    const pages = (await get("/pages")).body.pages as { first: string; last: string }[];
    expect(body.since).toBe(pages.map((p) => p.first).sort()[0]);
    expect(body.last).toBe(
      pages
        .map((p) => p.last)
        .sort()
        .at(-1),
    );
    expect(body.last).toMatch(/^2024-02-29T23:/);
  });

  it("answers /breakdown as `pagetrack top --json` does, every value counted in the total", async () => {
    const [from, to] = [daysOf(data.expected)[0], daysOf(data.expected).at(-1) as string];
    for (const dimension of DIMENSIONS) {
      const api = await get(
        `/breakdown?dimension=${dimension}&from=${from}&to=${to}&limit=3&tz=Europe/Paris`,
      );
      expect(api.status).toBe(200);
      const cli = JSON.parse(
        (
          await runCli([
            "top",
            dimension,
            "--from",
            from,
            "--to",
            to,
            "--limit",
            "3",
            "--tz",
            "Europe/Paris",
            "--json",
            ...storeArgs,
          ])
        ).stdout,
      );
      expect(api.body).toEqual(cli);
      expect(api.body.values.length).toBeLessThanOrEqual(3);
      const all = await get(
        `/breakdown?dimension=${dimension}&from=${from}&to=${to}&limit=1000&tz=Europe/Paris`,
      );
      expect(all.body.total).toBe(api.body.total);
      expect(all.body.values.reduce((sum: number, v: { count: number }) => sum + v.count, 0)).toBe(
        all.body.total,
      );
    }
  });

  it("answers a page's audience, crawlers, missing pages and feeds as the CLI's --json does", async () => {
    const [from, to] = [daysOf(data.expected)[0], daysOf(data.expected).at(-1) as string];
    const range = ["--from", from, "--to", to, "--tz", "Europe/Paris", "--json", ...storeArgs];
    const cli = async (args: string[]) => JSON.parse((await runCli([...args, ...range])).stdout);
    const page = "/blog/";
    for (const dimension of PAGE_DIMENSIONS) {
      const api = await get(
        `/breakdown?dimension=${dimension}&page=${encodeURIComponent(page)}&from=${from}&to=${to}&tz=Europe/Paris`,
      );
      expect(api.status).toBe(200);
      expect(api.body.page).toBe(page);
      expect(api.body).toEqual(await cli(["top", dimension, "--page", "/blog/index.html"]));
    }
    const browsers = await get(`/breakdown?dimension=browser&page=/blog/&from=${from}&to=${to}&tz=UTC`);
    expect(browsers.body.total).toBe(data.expected.pages["/blog/"]);
    for (const name of ["crawlers", "notfound", "feeds"]) {
      const api = await get(`/${name}?from=${from}&to=${to}&tz=Europe/Paris`);
      expect(api.status, name).toBe(200);
      expect(api.body, name).toEqual(await cli([name]));
    }
    const notFound = await get(`/notfound?from=${from}&to=${to}&limit=1`);
    expect(notFound.body.paths).toHaveLength(1);
    expect(notFound.body.total).toBe(
      Object.values(data.expected.notFound).reduce((sum, n) => sum + n.requests, 0),
    );
    const crawlers = await get(`/crawlers?from=${from}&to=${to}`);
    expect(crawlers.body.crawlers.find((c: { name: string }) => c.name === "GPTBot")?.category).toBe("ai");
  });

  it("refuses page= for the dimensions that are not a page's audience", async () => {
    for (const dimension of ["entry", "crawler", "notfound", "download"])
      expect(await get(`/breakdown?dimension=${dimension}&page=/blog/`)).toMatchObject({
        status: 400,
        body: {
          error: `page: only source, campaign, browser, os, device, country answer for one page; leave page out for ${dimension}`,
        },
      });
  });

  it.each([
    ["/breakdown", `dimension: is required: one of ${DIMENSIONS.join(", ")}`],
    ["/breakdown?dimension=referrer", `dimension: must be one of ${DIMENSIONS.join(", ")}`],
    ["/breakdown?dimension=os&limit=0", "limit: must be a whole number from 1 to 1000"],
    ["/breakdown?dimension=os&tz=Mars/Olympus", "tz: must be an IANA time zone such as Europe/Paris"],
    [
      "/breakdown?dimension=os&from=yesterday",
      'from "yesterday" is not a date (YYYY-MM-DD) or an ISO 8601 time with a zone (2024-05-01T10:00:00Z)',
    ],
  ])("answers %s with a 400 that names the parameter", async (path, error) => {
    expect(await get(path)).toMatchObject({ status: 400, body: { error } });
  });

  it("lists /pages with visitors, first and last view, and views in a range when asked", async () => {
    const { body } = await get("/pages");
    expect(body.pages[0]).toEqual({
      page: "/",
      views: data.expected.pages["/"],
      visitors: data.expected.visitors["/"],
      first: expect.any(String),
      last: expect.any(String),
    });
    const [day] = daysOf(data.expected);
    const ranged = await get(`/pages?from=${day}&to=${day}`);
    const want = Object.fromEntries(
      Object.entries(data.expected.daily).map(([page, days]) => [page, days[day] ?? 0]),
    );
    const got = ranged.body.pages.map((p: { page: string; viewsInRange: number }) => [
      p.page,
      p.viewsInRange,
    ]);
    expect(Object.fromEntries(got)).toEqual(want);
  });

  it("answers the bots' series with /pageviews?bots=true", async () => {
    const days = daysOf(data.expected);
    const { body } = await get(`/pageviews?bots=true&from=${days[0]}&to=${days.at(-1)}`);
    expect(body).toMatchObject({ page: null, bots: true, total: data.expected.bots });
    expect((await get("/pageviews?bots=true&page=/a/")).body.error).toMatch(/whole site/);
  });

  it("pages through /pagevisitlist with an opaque cursor", async () => {
    const times: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await get(
        `/pagevisitlist?page=/about/&from=2024-02-28&to=2024-02-29&limit=7${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(status).toBe(200);
      expect(body.views.length).toBeLessThanOrEqual(7);
      times.push(...body.views.map((v: { time: string }) => v.time));
      cursor = body.cursor;
      pages++;
    } while (cursor);
    expect(times).toHaveLength(data.expected.pages["/about/"]);
    expect(pages).toBeGreaterThan(2);
    expect([...times].sort()).toEqual(times);
  });

  it.each([
    ["/pageviews?page=about", 400, /^page: must be a path/],
    ["/pageviews?interval=year", 400, /^interval: /],
    ["/pageviews?tz=Mars/Olympus", 400, /^tz: must be an IANA time zone/],
    ["/pageviews?from=last-week", 400, /^from "last-week" is not a date/],
    [
      "/pageviews?interval=hour&from=2024-01-01&to=2024-03-01",
      400,
      /an hourly series covers at most 31 days/,
    ],
    ["/pageviews?interval=day&from=2010-01-01&to=2024-01-01", 400, /a daily series covers at most 1098 days/],
    [
      "/pageviews?interval=month&from=1900-01-01&to=2024-01-01",
      400,
      /a monthly series covers at most 18300 days/,
    ],
    ["/pagetotals?prefix=blog", 400, /^prefix: must be a path/],
    ["/pagetotals?limit=0", 400, /^limit: must be a whole number from 1 to 10000/],
    ["/pagetotals?limit=10001", 400, /^limit: /],
    ["/pagetotals?limit=5&cursor=not*base64", 400, /cursor is not valid/],
    ["/pagetotals?cursor=L2Fib3V0Lw", 400, /cursor needs limit/],
    ["/pages?limit=0", 400, /^limit: /],
    ["/pages?from=yesterday", 400, /^from "yesterday" is not a date/],
    ["/pages?from=2024-03-01&to=2024-02-01", 400, /^the range is empty: `to` must be after `from`$/],
    ["/pages?from=1950-01-01&to=2024-01-01", 400, /^\/pages with from or to covers at most 18300 days/],
    ["/count?page=about", 400, /^page: must be a path/],
    ["/pagevisitlist", 400, /^page: /],
    ["/pagevisitlist?page=/a/&limit=0", 400, /^limit: /],
    ["/pagevisitlist?page=/a/&limit=100000", 400, /^limit: /],
    ["/pagevisitlist?page=/a/&cursor=garbage", 400, /cursor is not valid/],
    ["/pagevisitlist?page=/a/&from=2024-03-01&to=2024-02-01", 400, /^the range is empty/],
    [
      "/pagevisitlist?page=/a/&from=1900-01-01&to=2024-01-01",
      400,
      /^\/pagevisitlist covers at most 18300 days/,
    ],
    ["/pagevisitlist?page=/a/&to=tomorrow", 400, /^to "tomorrow" is not a date/],
    [
      "/pagevisitlist?page=/a/&cursor=eyJVc2VyUGFnZXMiOiJkZWZhdWx0Iy9iLyIsIlNvcnRLZXkiOiIxIn0",
      400,
      /cursor does not belong to this page/,
    ],
    ["/scan", 404, /^no such route: GET \/scan$/],
  ])("%s is a %i with a readable error", async (path, status, message) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(Object.keys(res.body)).toEqual(["error"]);
    expect(res.body.error).toMatch(message);
  });

  it("answers CORS preflights for the allowed origins only", async () => {
    const strict = createApp({
      store: engine.store,
      site: "default",
      corsOrigins: ["https://blog.example.com"],
      cacheSeconds: 30,
    });
    const preflight = (origin: string) =>
      strict.request("/pagetotals", {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "GET" },
      });
    const allowed = await preflight("https://blog.example.com");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://blog.example.com");
    expect(
      (await preflight("https://evil.example.com")).headers.get("access-control-allow-origin"),
    ).toBeNull();
    const res = await strict.request("/pagetotals", { headers: { Origin: "https://blog.example.com" } });
    expect(res.headers.get("cache-control")).toBe("public, max-age=30");
    expect(res.headers.get("access-control-allow-origin")).toBe("https://blog.example.com");
  });

  it("needs the bearer token when one is set, except for /health and preflights", async () => {
    const token = "s3cret-token-of-some-length";
    const locked = createApp({
      store: engine.store,
      site: "default",
      corsOrigins: ["*"],
      token,
      cacheSeconds: 0,
    });
    const status = async (path: string, headers: Record<string, string> = {}, method = "GET") =>
      (await locked.request(path, { method, headers })).status;
    expect(await status("/pagetotals")).toBe(401);
    expect(await (await locked.request("/pagetotals")).json()).toEqual({
      error: "this API needs a token: send Authorization: Bearer <token>",
    });
    expect(await status("/pagetotals", { Authorization: "Bearer wrong-token-of-some-length" })).toBe(401);
    // Another scheme (a browser's Basic login) is told what the API takes.
    const basic = await locked.request("/pagetotals", { headers: { Authorization: "Basic dXNlcjpwYXNz" } });
    expect(basic.status).toBe(400);
    expect(await basic.json()).toEqual({
      error:
        "the API takes a bearer token, not this Authorization header: send Authorization: Bearer <token>",
    });
    expect(await status("/pagetotals", { Authorization: `Bearer ${token}` })).toBe(200);
    expect(await status("/health")).toBe(200);
    expect(
      await status(
        "/pagetotals",
        { Origin: "https://x.example", "Access-Control-Request-Method": "GET" },
        "OPTIONS",
      ),
    ).toBe(204);
  });

  it("marks answers that need the token private, so that no shared cache serves them to anyone", async () => {
    const token = "s3cret-token-of-some-length";
    const headers = { Authorization: `Bearer ${token}` };
    const make = (cacheSeconds: number, withToken: boolean) =>
      createApp({
        store: engine.store,
        site: "default",
        corsOrigins: ["*"],
        cacheSeconds,
        ...(withToken ? { token } : {}),
      });
    const cacheControl = async (app: ReturnType<typeof createApp>, path: string) =>
      (await app.request(path, { headers })).headers.get("cache-control");
    const locked = make(30, true);
    for (const path of ["/pagetotals", "/pages", "/pageviews", "/breakdown?dimension=os"])
      expect(await cacheControl(locked, path)).toBe("private, max-age=30");
    expect(await cacheControl(locked, "/pagevisitlist?page=/about/")).toBe("private, max-age=30");
    expect(await cacheControl(make(0, true), "/pagetotals")).toBe("no-store");
    expect(await cacheControl(make(30, false), "/pagetotals")).toBe("public, max-age=30");
    expect((await locked.request("/pagetotals")).headers.get("cache-control")).toBeNull();
  });

  describe("over HTTP on `pagetrack serve`", () => {
    let server: ChildProcess;
    let base: string;
    let log = "";
    beforeAll(async () => {
      server = spawn(
        process.execPath,
        [join(ROOT, "bin/pagetrack.js"), "serve", "--port", "0", ...storeArgs],
        {
          env: { ...process.env, PAGETRACK_API_TOKEN: "a-token-for-the-serve-test" },
        },
      );
      server.stderr?.on("data", (d) => {
        log += d;
      });
      base = await new Promise((resolve) =>
        server.stdout?.on("data", (d) => resolve(/(http:\/\/\S+)\//.exec(String(d))?.[1] ?? "")),
      );
    });

    it("serves the same answers, logs one line per request, and stops on SIGTERM", async () => {
      const auth = { Authorization: "Bearer a-token-for-the-serve-test" };
      const totals = await fetch(`${base}/pagetotals`, { headers: auth });
      expect(totals.status).toBe(200);
      expect((await totals.json()).pages).toEqual(data.expected.pages);
      expect((await fetch(`${base}/pagetotals`)).status).toBe(401);
      const bad = await fetch(`${base}/pageviews?interval=decade`, { headers: auth });
      expect(bad.status).toBe(400);
      expect(Object.keys(await bad.json())).toEqual(["error"]);
      const exit = new Promise((resolve) => server.once("exit", (code) => resolve(code)));
      server.kill("SIGTERM");
      expect(await exit).toBe(0);
      expect(log).toMatch(/GET \/pagetotals 200 [\d.]+ms\n.*GET \/pagetotals 401 .*\n.*GET \/pageviews 400 /);
    });
  });
});
