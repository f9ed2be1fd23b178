import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createParser, detectFormat, parserFor } from "../src/formats/detect.js";
import type { FormatName, ParseResult } from "../src/formats/record.js";
import { HAS_SAMPLES, sample, sayIfNoSamples } from "./support/paths.js";

sayIfNoSamples();

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

describe("CloudFront without its header lines", () => {
  // The 33 legacy fields, as `zcat *.gz | sed '/^#/d'` leaves them (values after the CloudFront guide's).
  const line33 = [
    "2024-05-01",
    "13:05:09",
    "FRA56-P1",
    "2390",
    "192.0.2.100",
    "GET",
    "d111111abcdef8.cloudfront.net",
    "/blog/x/",
    "200",
    "https://www.google.com/",
    "Mozilla/5.0%20(X11;%20Linux%20x86_64)",
    "utm_source=mail",
    "-",
    "Hit",
    "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
    "www.example.com",
    "https",
    "420",
    "0.002",
    "-",
    "TLSv1.3",
    "TLS_AES_128_GCM_SHA256",
    "Hit",
    "HTTP/2.0",
    "-",
    "-",
    "51234",
    "0.002",
    "Hit",
    "text/html",
    "2090",
    "-",
    "-",
  ];
  const record = {
    time: T,
    method: "GET",
    status: 200,
    bytes: 2390,
    path: "/blog/x/",
    userAgent: "Mozilla/5.0%20(X11;%20Linux%20x86_64)",
    referrer: "https://www.google.com/",
    requestId: "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
    clientIp: "192.0.2.100",
    host: "www.example.com",
    query: "utm_source=mail",
  };

  it.each([24, 26, 33])("reads the %i-field layout by its count, in auto mode too", (count) => {
    const line = line33.slice(0, count).join("\t");
    expect(detectFormat(line)).toBe("cloudfront");
    for (const format of ["cloudfront", "w3c"] as const) {
      expect(parseAll(format, [line])[0]).toMatchObject({
        ...record,
        contentType: count === 33 ? "text/html" : undefined,
      });
    }
    // A trailing tab, as in real files.
    expect(parseAll("cloudfront", [`${line}\t`])[0]).toMatchObject(record);
  });

  it("follows the layout from line to line (files of several years, concatenated)", () => {
    const results = parseAll("cloudfront", [
      line33.slice(0, 24).join("\t"),
      line33.join("\t"),
      line33.slice(0, 26).join("\t"),
      line33.slice(0, 31).join("\t"),
      line33.slice(0, 5).join("\t"),
    ]);
    expect(results.slice(0, 3).map((r) => typeof r === "object" && r?.contentType)).toEqual([
      undefined,
      "text/html",
      undefined,
    ]);
    // After a 26-field line, a cut-off 33-field one is 31 of 26: more than the layout, none of the others.
    expect(results[3]).toBe("31 fields, where a CloudFront line without a #Fields header has 24, 26 or 33");
    expect(results[4]).toBe("truncated line: 5 of 26 fields");
  });

  it("refuses other lines before a header, saying what it looked for", () => {
    expect(parseAll("cloudfront", [line33.slice(0, 30).join("\t")])[0]).toMatch(
      /^record before any #Fields header, and not a CloudFront standard log line without one \(24, 26 or 33 tab-separated fields/,
    );
    expect(detectFormat(line33.slice(0, 30).join("\t"))).toBeUndefined();
    expect(detectFormat(line33.join(" "))).toBeUndefined();
    expect(parseAll("cloudfront", ['{"date":"2024-05-01"}'])[0]).toMatch(/--format cloudfront-json/);
  });

  describe.runIf(HAS_SAMPLES)("real samples", () => {
    it.each([
      "cloudfront/awsdocs_AccessLogs-md_example.log",
      "cloudfront/claygregory_web-1-0.txt",
      "cloudfront/claygregory_web-1-0-2019-12.txt",
      "cloudfront/elastic-integrations_test-cloudfront.log",
    ])("reads the real sample %s without its header lines as with them", async (file) => {
      const lines = (await readFile(sample(file), "utf8")).split("\n").filter((line) => line !== "");
      const read = (text: string[]) => {
        const parser = parserFor("auto", text[0]);
        expect(parser?.format).toBe("cloudfront");
        return text.map((line) => parser?.parse(line)).filter((result) => result !== null);
      };
      const withHeader = read(lines);
      expect(read(lines.filter((line) => !line.startsWith("#")))).toEqual(withHeader);
      expect(withHeader.filter((result) => typeof result === "object").length).toBeGreaterThan(1);
    });
  });

  it("takes a #Fields header over the layouts once there is one", () => {
    const results = parseAll("cloudfront", [
      line33.join("\t"),
      "#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent)",
      "2024-05-01\t13:05:09\tGET\t/a/\t200\tua",
      line33.join("\t"),
    ]);
    expect(results[0]).toMatchObject({ path: "/blog/x/" });
    expect(results[2]).toMatchObject({ path: "/a/", requestId: undefined });
    expect(results[3]).toBe("33 fields where the #Fields header names 6");
  });
});

describe("W3C extended logs of other servers (IIS)", () => {
  const header = [
    "#Software: Microsoft Internet Information Services 10.0",
    "#Version: 1.0",
    "#Date: 2024-05-01 13:00:00",
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
  ];
  const line =
    "2024-05-01 13:05:09 10.0.0.4 GET /blog/x/ utm_source=mail 443 - 2001:db8::7 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+Gecko/20100101+Firefox/125.0 https://www.bing.com/search?q=page+views 200 0 0 46";

  it("reads the columns its #Fields header names, with + for a space in the user agent and referrer", () => {
    expect(detectFormat(header[0])).toBe("w3c");
    for (const format of ["w3c", "cloudfront"] as const) {
      const results = parseAll(format, [...header, line]);
      expect(results.slice(0, 4)).toEqual([null, null, null, null]);
      expect(results[4]).toEqual({
        time: T,
        method: "GET",
        status: 200,
        bytes: 0,
        path: "/blog/x/",
        contentType: undefined,
        userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/125.0",
        referrer: "https://www.bing.com/search?q=page views",
        requestId: undefined,
        clientIp: "2001:db8::7",
        host: undefined,
        query: "utm_source=mail",
        country: undefined,
      });
    }
  });

  it("takes the host from cs-host, and keeps + in the path (it may be one)", () => {
    const results = parseAll("w3c", [
      header[0],
      "#Fields: date time cs-method cs-uri-stem c-ip cs(User-Agent) cs-host sc-status",
      "2024-05-01 13:05:09 GET /c++/ 192.0.2.1 Mozilla/5.0 www.example.com 304",
    ]);
    expect(results[2]).toMatchObject({ path: "/c++/", host: "www.example.com", status: 304 });
  });

  it("names the producer, and its own advice, when it refuses a header or a line", () => {
    const lacking = parseAll("w3c", [
      header[0],
      "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip sc-status sc-substatus sc-win32-status",
      "2024-05-01 13:05:09 10.0.0.4 GET / - 80 - 192.0.2.1 200 0 0",
    ])[2];
    expect(lacking).toBe(
      "the #Fields header of this Microsoft Internet Information Services 10.0 log lacks cs(User-Agent); pagetrack needs them to count page views (select them in the site's Logging fields in IIS Manager)",
    );
    expect(lacking).not.toMatch(/CloudFront|distribution/);
    expect(parseAll("w3c", [header[0], "2024-05-01 13:05:09 GET"])[1]).toBe(
      "record before any #Fields header (a Microsoft Internet Information Services 10.0 log names its columns in a #Fields line before its records)",
    );
    expect(parseAll("w3c", ["#Date: 2024-05-01", "2024-05-01 13:05:09 GET"])[1]).toMatch(
      /^record before any #Fields header \(a W3C extended log names/,
    );
    expect(parseAll("w3c", ["#Fields: date time cs-uri-stem", "2024-05-01 13:05:09 /"])[1]).toMatch(
      /lacks cs-method, sc-status, cs\(User-Agent\); .*\(add them to the fields the server logs\)$/,
    );
    // A CloudFront header keeps CloudFront's advice.
    expect(
      parseAll("w3c", ["#Fields: date time x-edge-location cs-uri-stem", "2024-05-01\t13:05:09\tFRA\t/"])[1],
    ).toMatch(/\(add them to the distribution's logging fields\)$/);
  });
});

describe("CloudFront standard logging v2 as JSON lines", () => {
  const fields = {
    timestamp: String(T),
    DistributionId: "E2EXAMPLE0PAGE",
    date: "2024-05-01",
    time: "13:05:09",
    "x-edge-location": "FRA56-P1",
    "c-ip": "192.0.2.100",
    "cs-method": "GET",
    "cs(Host)": "d111111abcdef8.cloudfront.net",
    "cs-uri-stem": "/blog/x/",
    "sc-status": "200",
    "sc-bytes": "2390",
    "cs(Referer)": "-",
    "cs(User-Agent)": "Mozilla/5.0%20(X11)",
    "cs-uri-query": "-",
    "x-edge-request-id": "id1",
    "x-host-header": "www.example.com",
    "sc-content-type": "text/html",
    "c-country": "DE",
  };
  const want = {
    time: T,
    method: "GET",
    status: 200,
    bytes: 2390,
    path: "/blog/x/",
    contentType: "text/html",
    userAgent: "Mozilla/5.0%20(X11)",
    referrer: "-",
    requestId: "id1",
    clientIp: "192.0.2.100",
    host: "www.example.com",
    query: undefined,
    country: "DE",
  };

  it("reads an object a line by its v2 field names, auto-detected", () => {
    const line = JSON.stringify(fields);
    expect(detectFormat(line)).toBe("cloudfront-json");
    expect(parseAll("cloudfront-json", [line, "", "  "])).toEqual([want, null, null]);
  });

  it.each([
    ["numbers for numbers", { "sc-status": 304, timestamp: T, "sc-bytes": 512 }, { status: 304, bytes: 512 }],
    ["bytes not logged, or malformed, as 0", { "sc-bytes": "-" }, { bytes: 0 }],
    ["no sc-bytes key", { "sc-bytes": undefined }, { bytes: 0 }],
    ["null bytes", { "sc-bytes": null }, { bytes: 0 }],
    ["malformed bytes", { "sc-bytes": "12kB" }, { bytes: 0 }],
    ["only a timestamp, in seconds", { date: undefined, time: undefined, timestamp: `${T}.123` }, {}],
    ["only a timestamp, in milliseconds", { date: undefined, time: undefined, timestamp: T * 1000 + 7 }, {}],
    [
      "only timestamp(ms)",
      { date: undefined, time: undefined, timestamp: undefined, "timestamp(ms)": T * 1000 },
      {},
    ],
    [
      "the real-time names",
      { "cs(User-Agent)": undefined, "cs-user-agent": "curl/8.5.0" },
      { userAgent: "curl/8.5.0" },
    ],
    [
      "null and empty values",
      { "x-host-header": null, "cs(Host)": null, "c-country": "" },
      { host: undefined, country: undefined },
    ],
  ])("takes %s", (_, change, expected) => {
    expect(parseAll("cloudfront-json", [JSON.stringify({ ...fields, ...change })])[0]).toEqual({
      ...want,
      ...expected,
    });
  });

  it("takes a user agent that is not logged for a bot's, and a missing key for a field not logged", () => {
    expect(
      parseAll("cloudfront-json", [JSON.stringify({ ...fields, "cs(User-Agent)": "-" })])[0],
    ).toMatchObject({
      userAgent: "-",
    });
    expect(
      parseAll("cloudfront-json", [JSON.stringify({ ...fields, "cs(User-Agent)": null })])[0],
    ).toMatchObject({
      userAgent: "-",
    });
    expect(parseAll("cloudfront-json", [JSON.stringify({ ...fields, "cs(User-Agent)": undefined })])[0]).toBe(
      "no cs(User-Agent) in the record; pagetrack needs them to count page views (add them to the distribution's logging fields)",
    );
  });

  it("reads CloudWatch Logs events through their message", () => {
    const line = JSON.stringify({ timestamp: T * 1000, message: JSON.stringify(fields), ingestionTime: 1 });
    expect(detectFormat(line)).toBe("cloudfront-json");
    expect(parseAll("cloudfront-json", [line])[0]).toEqual(want);
  });

  it.each([
    ['{"date":"2024-05-01",', /^bad JSON \(/],
    ["#Version: 1.0", /^not a JSON object/],
    ["[1,2]", /^not a JSON object/],
    [
      JSON.stringify({ ...fields, "cs-uri-stem": undefined }),
      /^no cs-uri-stem in the record; .*logging fields\)$/,
    ],
    [JSON.stringify({ ...fields, date: "2024-5-1" }), /^bad date or time$/],
    [JSON.stringify({ ...fields, "sc-status": "OK" }), /^bad status "OK"$/],
    [JSON.stringify({ message: "2024-05-01\t13:05:09" }), /message is not a JSON object/],
    [JSON.stringify({ messageType: "DATA_MESSAGE", logEvents: [] }), /subscription batch/],
  ])("rejects %s", (line, reason) => {
    expect(parseAll("cloudfront-json", [line])[0]).toMatch(reason);
  });
});

describe("Classic Load Balancer (ELB)", () => {
  // The examples of the Classic Load Balancer guide, "Access log entries".
  const http =
    '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -';
  const tcp =
    '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -';

  it("reads the load balancer's status, the client without its port, the host of the URL", () => {
    expect(detectFormat(http)).toBe("elb");
    expect(parseAll("elb", [http])[0]).toEqual({
      time: Date.UTC(2015, 4, 13, 23, 39, 43) / 1000,
      method: "GET",
      status: 200,
      bytes: 29,
      path: "/",
      contentType: undefined,
      userAgent: "curl/7.38.0",
      referrer: "-",
      requestId: undefined,
      clientIp: "192.168.131.39",
      host: "www.example.com:80",
    });
    const line = `2024-05-01T13:05:09.123456Z lb 2001:db8::7:2817 - -1 -1 -1 503 - 0 0 "GET https://www.example.com:443/blog/x/?a=1 HTTP/1.1" "Mozilla/5.0 (X11)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`;
    expect(detectFormat(line)).toBe("elb");
    expect(parseAll("elb", [line])[0]).toMatchObject({
      time: T,
      status: 503,
      path: "/blog/x/?a=1",
      clientIp: "2001:db8::7",
      userAgent: "Mozilla/5.0 (X11)",
    });
  });

  it("reads TCP and SSL listeners' lines as no request, and lines from before user agents were logged", () => {
    expect(parseAll("elb", [tcp])[0]).toMatchObject({
      method: "-",
      status: 0,
      bytes: 305,
      path: "",
      host: undefined,
    });
    const old = http.slice(0, http.indexOf(' "curl'));
    expect(parseAll("elb", [old])[0]).toMatchObject({ method: "GET", path: "/", userAgent: "-" });
  });

  it.each([
    [http.slice(0, 60), /^truncated line: 3 fields, a Classic Load Balancer log line has at least 12$/],
    [http.slice(0, http.indexOf("curl") + 4), /^unterminated quote/],
    [http.replace("2015-05-13T", "2015-05-13 "), /^bad time/],
    [http.replace(" 200 200 ", " OK 200 "), /^bad status "OK"/],
    [`https ${http}`, /^an ALB log line \(type "https"\).*--format alb/],
  ])("rejects %s", (line, reason) => {
    expect(parseAll("elb", [line])[0]).toMatch(reason);
  });

  it("is told from ALB, both ways", () => {
    expect(detectFormat(`https ${http}`)).toBe("alb");
    expect(parseAll("alb", [http])[0]).toMatch(/^a Classic Load Balancer \(ELB\) log line.*--format elb/);
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
    ["#Software: Microsoft Internet Information Services 10.0", "w3c"],
    ["#Date: 2024-05-01 00:00:00", "w3c"],
    ["#Remark: hello", "w3c"],
    ["# nginx access log", undefined],
    ['{"timestamp":"1714568709","cs-uri-stem":"/"}', "cloudfront-json"],
    ['{"bucket_name":"b","request_time":"2024-05-01T13:05:09.000Z"}', undefined],
    ['79a5 bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a5 3E57 REST.GET.VERSIONING - "GET /', "s3"],
    ["https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817", "alb"],
    ["2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048", "elb"],
    ["2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 - -1 -1 -1 504 0 0 0", "elb"],
    ['192.0.2.1 - - [01/May/2024:13:05:09 +0000] "GET / HTTP/1.1" 200 1', "combined"],
    ['vhost 192.0.2.1 - - [01/May/2024:13:05:09 +0000] "GET / HTTP/1.1" 200 1', "combined"],
    ["tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer", undefined],
    ["\u0000\u0001garbage", undefined],
  ])("%s", (line, format) => {
    expect(detectFormat(line)).toBe(format);
  });
});

describe("response bytes", () => {
  const w3c = "#Fields: date time cs-method cs-uri-stem sc-status sc-bytes cs(User-Agent)";
  const iis = [
    "#Software: Microsoft Internet Information Services 10.0",
    "#Fields: date time cs-method cs-uri-stem sc-status sc-bytes cs(User-Agent) time-taken",
  ];
  const s3 = (bytes: string) =>
    `79a5 www.example.com [01/May/2024:13:05:09 +0000] 192.0.2.3 - 3E57427F3EXAMPLE WEBSITE.GET.OBJECT a.html "GET /a.html HTTP/1.1" 200 - ${bytes} 4400 7 6 "-" "Mozilla/5.0 (X11)" - hostid SigV4`;
  const alb = (bytes: string) =>
    `https 2024-05-01T13:05:09.364123Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 412 ${bytes} "GET https://www.example.com:443/ HTTP/1.1" "Mozilla/5.0 (X11)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com"`;
  const elb = (bytes: string) =>
    `2024-05-01T13:05:09.123456Z lb 192.0.2.7:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 412 ${bytes} "GET https://www.example.com:443/ HTTP/1.1" "Mozilla/5.0 (X11)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`;
  const combined = (bytes: string) =>
    `192.0.2.1 - - [01/May/2024:13:05:09 +0000] "GET /a/ HTTP/1.1" 200 ${bytes} "-" "Mozilla/5.0"`;

  it.each<[string, FormatName, string[], number]>([
    ["CloudFront sc-bytes", "cloudfront", [w3c, "2024-05-01\t13:05:09\tGET\t/\t200\t48213\tua"], 48213],
    ["CloudFront sc-bytes -", "cloudfront", [w3c, "2024-05-01\t13:05:09\tGET\t/\t000\t-\tua"], 0],
    [
      "CloudFront, no sc-bytes column",
      "cloudfront",
      [w3c.replace(" sc-bytes", ""), "2024-05-01\t13:05:09\tGET\t/\t200\tua"],
      0,
    ],
    ["IIS sc-bytes", "w3c", [...iis, "2024-05-01 13:05:09 GET / 200 7302 Mozilla/5.0+(X11) 15"], 7302],
    [
      "IIS sc-bytes, quoted values",
      "w3c",
      [...iis, '2024-05-01 13:05:09 GET / 200 "7302" "Mozilla/5.0 (X11)" 15'],
      7302,
    ],
    ["S3 Bytes Sent", "s3", [s3("4312")], 4312],
    ["S3 Bytes Sent -", "s3", [s3("-")], 0],
    ["ALB sent_bytes", "alb", [alb("57314")], 57314],
    ["ELB sent_bytes", "elb", [elb("29871")], 29871],
    ["combined %b", "combined", [combined("612")], 612],
    ["combined %b -", "combined", [combined("-")], 0],
    ["vhost combined %b", "combined", [`www.example.com ${combined("9120")}`], 9120],
    [
      "common, cut off after the status",
      "combined",
      ['192.0.2.1 - - [01/May/2024:13:05:09 +0000] "GET /a/ HTTP/1.0" 200'],
      0,
    ],
  ])("%s", (_, format, lines, bytes) => {
    expect(parseAll(format, lines).at(-1)).toMatchObject({ status: expect.any(Number), bytes });
  });

  it.each<[FormatName, string[]]>([
    ["cloudfront", [w3c, "2024-05-01\t13:05:09\tGET\t/\t200\t12kB\tua"]],
    ["cloudfront", [w3c, "2024-05-01\t13:05:09\tGET\t/\t200\t\tua"]],
    ["w3c", [...iis, "2024-05-01 13:05:09 GET / 200 -1 Mozilla/5.0 15"]],
    ["s3", [s3("4.3K")]],
    ["alb", [alb("abc")]],
    ["elb", [elb("0x10")]],
    ["combined", [combined("1,204")]],
  ])("a malformed %s bytes value is 0, and the line is read", (format, lines) => {
    expect(parseAll(format, lines).at(-1)).toMatchObject({ path: expect.stringMatching(/^\//), bytes: 0 });
  });
});
