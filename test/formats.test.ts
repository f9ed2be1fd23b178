import { describe, expect, it } from "vitest";
import { createParser, detectFormat } from "../src/formats/detect.js";
import type { FormatName, ParseResult } from "../src/formats/record.js";

function parseAll(format: FormatName, lines: string[]): ParseResult[] {
  const parser = createParser(format);
  return lines.map((line) => parser.parse(line));
}

const T = Date.UTC(2024, 4, 1, 13, 5, 9) / 1000;

describe("CloudFront", () => {
  const header =
    "#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent) x-edge-request-id sc-content-type";
  it.each([
    {
      name: "columns named by the header",
      lines: [header, "2024-05-01\t13:05:09\tGET\t/a/\t200\tMozilla/5.0\tid1\ttext/html"],
      record: {
        time: T,
        method: "GET",
        path: "/a/",
        status: 200,
        userAgent: "Mozilla/5.0",
        requestId: "id1",
        contentType: "text/html",
      },
    },
    {
      name: "v2: reordered, extra fields, space-separated, epoch timestamp",
      lines: [
        "#Fields: timestamp sc-status cs-uri-stem c-country cs-method cs-user-agent cs-referer",
        `${T}.123 304 /b.html DE GET Mozilla/5.0%20(X11) https://example.com/`,
      ],
      record: {
        time: T,
        method: "GET",
        path: "/b.html",
        status: 304,
        userAgent: "Mozilla/5.0%20(X11)",
        referrer: "https://example.com/",
        contentType: undefined,
        requestId: undefined,
      },
    },
    {
      name: "tab-separated header lines",
      lines: [
        "#Version:\t1.0",
        header.replaceAll(" ", "\t"),
        "2024-05-01\t13:05:09\tGET\t/a/\t000\t-\tid1\t-\t",
      ],
      record: { status: 0, contentType: undefined, userAgent: "-" },
    },
    {
      name: "timestamp in milliseconds",
      lines: [
        "#Fields: timestamp(ms) cs-method cs-uri-stem sc-status cs-user-agent",
        `${T * 1000 + 42}\tGET\t/\t200\tx`,
      ],
      record: { time: T },
    },
  ])("$name", ({ lines, record }) => {
    const results = parseAll("cloudfront", lines);
    expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
    expect(results.at(-1)).toMatchObject(record);
  });

  it.each([
    { line: "2024-05-01\t13:05:09\tGET\t/a/\t200", reason: "truncated line: 5 of 8 fields" },
    {
      line: "2024-05-01\t13:05:09\tGET\t/a/\t200\tua\tid\ttext/html\tx\ty",
      reason: "10 fields where the #Fields header names 8",
    },
    { line: "2024-13-01\t13:05:09\tGET\t/a/\t200\tua\tid\ttext/html", reason: "bad date or time" },
    { line: "2024-05-01\t13:05:09\tGET\t/a/\tOK\tua\tid\ttext/html", reason: 'bad status "OK"' },
  ])("rejects $reason", ({ line, reason }) => {
    expect(parseAll("cloudfront", [header, line])[1]).toBe(reason);
  });

  it("rejects records before a header, and headers without the fields it needs", () => {
    expect(parseAll("cloudfront", ["2024-05-01\t13:05:09\tGET"])[0]).toMatch(/before any #Fields header/);
    expect(parseAll("cloudfront", ["#Fields: date time cs-method", "2024-05-01\t13:05:09\tGET"])[1]).toMatch(
      /lacks sc-status, cs-uri-stem, cs\(User-Agent\)/,
    );
  });
});

describe("S3 server access", () => {
  const line = (operation: string, key: string, status = "200") =>
    `79a5 www.example.com [01/May/2024:13:05:09 +0000] 192.0.2.3 - 3E57427F3EXAMPLE ${operation} ${key} "GET /x HTTP/1.1" ${status} - 113 113 7 6 "https://ref.example/" "Mozilla/5.0 (X11; Linux)" - hostid SigV4 - - www.example.com TLSv1.2 - - extra-future-field`;
  it.each([
    {
      op: "WEBSITE.GET.OBJECT",
      key: "blog/x/index.html",
      want: { method: "GET", path: "/blog/x/index.html" },
    },
    { op: "REST.GET.OBJECT", key: "Screen+Shot.png", want: { method: "GET", path: "/Screen%20Shot.png" } },
    { op: "REST.HEAD.OBJECT", key: "a.html", want: { method: "HEAD", path: "/a.html" } },
    { op: "REST.GET.BUCKET", key: "-", want: { method: "GET", path: "" } },
  ])("$op $key", ({ op, key, want }) => {
    expect(parseAll("s3", [line(op, key)])[0]).toMatchObject({
      ...want,
      time: T,
      status: 200,
      userAgent: "Mozilla/5.0 (X11; Linux)",
      referrer: "https://ref.example/",
      requestId: "3E57427F3EXAMPLE",
    });
  });

  it("reads a missing status as 0 and rejects truncated lines", () => {
    expect(parseAll("s3", [line("WEBSITE.GET.OBJECT", "a", "-")])[0]).toMatchObject({ status: 0 });
    expect(
      parseAll("s3", [
        '79a5 b [01/May/2024:13:05:09 +0000] 192.0.2.3 - ID WEBSITE.GET.OBJECT a "GET /a HTTP/1.1" 200',
      ])[0],
    ).toMatch(/^truncated line/);
  });
});

describe("ALB", () => {
  it("reduces the absolute URL to its path", () => {
    const line =
      'https 2024-05-01T13:05:09.364123Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/blog/x/?a=1 HTTP/1.1" "Mozilla/5.0 (X11)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "-" 1 2024-05-01T13:05:09.000000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1';
    expect(parseAll("alb", [line])[0]).toMatchObject({
      time: T,
      method: "GET",
      status: 200,
      path: "/blog/x/?a=1",
      userAgent: "Mozilla/5.0 (X11)",
      requestId: "Root=1-58337281-1d84f3d73c47ec4e58577259",
    });
  });
});

describe("combined", () => {
  it.each([
    {
      name: "plain",
      line: '192.0.2.1 - - [01/May/2024:15:05:09 +0200] "GET /a/?q=1 HTTP/1.1" 200 612 "-" "Mozilla/5.0"',
      want: {
        time: T,
        path: "/a/?q=1",
        status: 200,
        userAgent: "Mozilla/5.0",
        referrer: "-",
        requestId: undefined,
      },
    },
    {
      name: "virtual host first",
      line: 'example.com 192.0.2.1 - - [01/May/2024:13:05:09 +0000] "GET /b HTTP/2.0" 304 0 "https://r/" "UA \\"quoted\\" x"',
      want: { time: T, path: "/b", status: 304, referrer: "https://r/", userAgent: 'UA \\"quoted\\" x' },
    },
    {
      name: "common log format, no agent",
      line: '192.0.2.1 - frank [01/May/2024:13:05:09 +0000] "GET / HTTP/1.0" 200 2326',
      want: { path: "/", userAgent: "-" },
    },
  ])("$name", ({ line, want }) => {
    expect(parseAll("combined", [line])[0]).toMatchObject(want);
  });

  it("rejects a line cut off inside a quote", () => {
    expect(
      parseAll("combined", [
        '192.0.2.1 - - [01/May/2024:13:05:09 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozilla',
      ])[0],
    ).toBe("unterminated quote or bracket");
  });
});

describe("format detection", () => {
  it.each([
    ["#Version: 1.0", "cloudfront"],
    ["#Fields: date time", "cloudfront"],
    ['79a5 bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a5 3E57 REST.GET.VERSIONING - "GET /', "s3"],
    ["https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817", "alb"],
    ['192.0.2.1 - - [01/May/2024:13:05:09 +0000] "GET / HTTP/1.1" 200 1', "combined"],
    ['vhost 192.0.2.1 - - [01/May/2024:13:05:09 +0000] "GET / HTTP/1.1" 200 1', "combined"],
    ["tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer", undefined],
    ["\u0000\u0001garbage", undefined],
  ])("%s", (line, format) => {
    expect(detectFormat(line)).toBe(format);
  });
});
