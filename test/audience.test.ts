import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { agentOf } from "../src/audience/agent.js";
import { Audience } from "../src/audience/audience.js";
import { IpCountry } from "../src/audience/country.js";
import { campaignOf, family, normaliseHost, referrerHost } from "../src/audience/referrer.js";
import type { PageView } from "../src/pageview/view.js";
import { tempDir } from "./support/paths.js";

/** The definitions of DESIGN.md's "Audience", value by value. */
describe("referrers", () => {
  it.each([
    ["https://www.google.com/", "google.com"],
    ["https://WWW.Example.Net:8443/a?b#c", "example.net"],
    ["http://friend.example.net:8080", "friend.example.net"],
    ["https://user:pw@blog.example.org/x", "blog.example.org"],
    ["android-app://com.google.android.gm/", "com.google.android.gm"],
    ["https://[2001:db8::1]:8080/", "[2001:db8::1]"],
    ["-", undefined],
    ["not a url", undefined],
  ])("the host of %s is %s", (referrer, host) => {
    expect(referrerHost(referrer)).toBe(host);
  });

  it.each([
    ["google.com", "Google"],
    ["google.de", "Google"],
    ["google.co.uk", "Google"],
    ["google.com.au", "Google"],
    ["bing.com", "Bing"],
    ["duckduckgo.com", "DuckDuckGo"],
    ["search.yahoo.com", "Yahoo"],
    ["yandex.ru", "Yandex"],
    ["ecosia.org", "Ecosia"],
    ["t.co", "Twitter"],
    ["x.com", "Twitter"],
    ["l.facebook.com", "Facebook"],
    ["lnkd.in", "LinkedIn"],
    ["old.reddit.com", "Reddit"],
    ["news.ycombinator.com", "Hacker News"],
    ["github.com", "GitHub"],
    ["stackoverflow.com", "Stack Overflow"],
    ["m.youtube.com", "YouTube"],
    ["com.google.android.gm", "Gmail"],
    ["google.example.com", undefined],
    ["mail.google.com", undefined],
    ["r.duckduckgo.com", undefined],
  ])("%s is in the family %s", (host, name) => {
    expect(family(host)).toBe(name);
  });

  it("compares hosts in lower case, without www. and port", () => {
    expect(normaliseHost("WWW.Example.COM:443")).toBe("example.com");
    expect(normaliseHost("example.com.")).toBe("example.com");
  });

  it.each([
    ["", {}],
    ["utm_source=newsletter&utm_campaign=spring", { source: "newsletter", campaign: "spring" }],
    ["utm_source=news%20letter", { source: "news letter" }],
    ["utm_source=&ref=producthunt", { source: "producthunt" }],
    ["ref=a&source=b", { source: "b" }],
    ["id=3&utm_campaign=only", { campaign: "only" }],
    ["utm_source=%E9t%C3%A9", { source: "%E9t%C3%A9" }],
  ])("the query %s names %o", (query, named) => {
    expect(campaignOf(query)).toEqual({ source: undefined, campaign: undefined, ...named });
  });
});

describe("user agents", () => {
  it.each([
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
      "Chrome",
      "Windows",
      "desktop",
    ],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      "Safari",
      "iOS",
      "mobile",
    ],
    [
      "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      "Safari",
      "iOS",
      "tablet",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
      "Safari",
      "macOS",
      "desktop",
    ],
    [
      "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
      "Firefox",
      "Linux",
      "desktop",
    ],
    [
      "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
      "Samsung Internet",
      "Android",
      "mobile",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
      "Edge",
      "Windows",
      "desktop",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0",
      "Opera",
      "Windows",
      "desktop",
    ],
    [
      "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
      "Chrome",
      "ChromeOS",
      "desktop",
    ],
    [
      "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
      "Chrome",
      "Android",
      "tablet",
    ],
    ["SomethingOdd/1.0", "(unknown)", "(unknown)", "desktop"],
  ])("%s is %s on %s, %s", (ua, browser, os, device) => {
    expect(agentOf(ua)).toEqual({ browser, os, device });
  });
});

describe("readers", () => {
  const view = (changes: Partial<PageView>): PageView => ({
    time: 0,
    page: "/a/",
    bot: false,
    counted: true,
    referrer: "",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    clientIp: "192.0.2.1",
    host: "www.example.com",
    query: "",
    country: undefined,
    requestId: undefined,
    line: 1,
    isPage: true,
    bytes: 0,
    ...changes,
  });

  it.each([
    [{}, { entry: true, source: "(direct)" }],
    [{ referrer: "https://example.com/b/" }, { entry: false }],
    [{ referrer: "https://www.example.com:443/b/" }, { entry: false }],
    [{ referrer: "https://example.com/b/", query: "utm_source=x" }, { entry: false }],
    [{ referrer: "https://blog.example.com/" }, { entry: false }],
    [{ referrer: "https://other.example/" }, { entry: true, source: "other.example" }],
    [{ referrer: "https://www.google.fr/" }, { entry: true, source: "Google" }],
    [
      { referrer: "https://www.google.fr/", query: "utm_source=ads&utm_campaign=may" },
      { entry: true, source: "ads", campaign: "may" },
    ],
    [
      { referrer: "https://example.com/", host: undefined },
      { entry: true, source: "example.com" },
    ],
    [{ referrer: "about:blank" }, { entry: true, source: "(unknown)" }],
    [{ country: "de" }, { country: "DE" }],
    [{ country: "-" }, { country: "(unknown)" }],
  ])("%o is read as %o", (changes, reader) => {
    const audience = new Audience({ ownHosts: ["blog.example.com"] });
    expect(audience.describe(view(changes))).toMatchObject(reader);
  });
});

describe("an IP-to-country database", () => {
  it("reads DB-IP's CSV, gzipped or not, IPv4 and IPv6, and credits DB-IP", async () => {
    const dir = await tempDir();
    const csv = [
      "1.0.0.0,1.0.0.255,AU",
      "10.0.0.0,10.127.255.255,DE",
      "10.128.0.0,10.255.255.255,fr",
      "2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,NL",
    ].join("\n");
    const path = join(dir, "dbip-country-lite-2026-11.csv.gz");
    await writeFile(path, gzipSync(csv));
    const db = await IpCountry.load(path);
    expect(db.attribution).toMatch(/DB-IP/);
    expect(
      ["1.0.0.7", "10.3.4.5", "10.200.0.1", "11.0.0.1", "2001:db8::42", "::ffff:10.0.0.1", "-"].map((ip) =>
        db.lookup(ip),
      ),
    ).toEqual(["AU", "DE", "FR", undefined, "NL", "DE", undefined]);
  });

  it("reads IP2Location's LITE CSV (integers, quoted, a name after the code)", async () => {
    const path = join(await tempDir(), "IP2LOCATION-LITE-DB1.CSV");
    await writeFile(path, '"16777216","16777471","US","United States of America"\n');
    const db = await IpCountry.load(path);
    expect(db.lookup("1.0.0.9")).toBe("US");
    expect(db.attribution).toBe("IP to country from IP2LOCATION-LITE-DB1.CSV");
  });

  it("says in one line when a file is not one", async () => {
    const path = join(await tempDir(), "notes.txt");
    await writeFile(path, "hello\nworld\n");
    await expect(IpCountry.load(path)).rejects.toThrow(
      /notes\.txt: not an IP-to-country database \(line 1\)/,
    );
    await expect(IpCountry.load(join(path, "missing"))).rejects.toThrow(
      /cannot read the IP-to-country database/,
    );
  });
});
