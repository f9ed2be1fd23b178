import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { type GenerateOptions, generateLogFile } from "../src/generator/files.js";
import type { Expected } from "../src/generator/traffic.js";
import { runCli } from "./support/cli.js";
import { tempDir } from "./support/paths.js";

/**
 * Each kind of bad input gives one line naming the file (and line) on stderr, exit code 2, and the
 * good file given alongside it is still counted in full.
 */
describe("bad input", () => {
  let dir: string;
  let good: string;
  let expected: Expected;
  const header = "#Version: 1.0\n#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent)\n";
  const record =
    "2024-05-01\t10:00:00\tGET\t/ok/\t200\tMozilla/5.0%20(X11;%20Linux%20x86_64)%20Firefox/125.0\n";

  beforeAll(async () => {
    dir = await tempDir();
    good = join(dir, "good.gz");
    expected = await generateLogFile(good, { requests: 3000, start: "2024-05-01", days: 1, gzip: true });
    const gz = await readFile(good);
    await writeFile(join(dir, "truncated.gz"), gz.subarray(0, Math.floor(gz.length / 2)));
    await writeFile(
      join(dir, "garbage.bin"),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    );
    await writeFile(join(dir, "corrupt.gz"), Buffer.concat([gz.subarray(0, 20), Buffer.alloc(2000, 0x55)]));
    await writeFile(join(dir, "empty.log"), "");
    await writeFile(join(dir, "empty.gz"), gzipSync(Buffer.alloc(0)));
    await writeFile(join(dir, "header-only.log"), header);
    await writeFile(
      join(dir, "long-line.log"),
      `${header}${record}2024-05-01\t10:00:01\tGET\t/${"x".repeat(10 * 1024 * 1024)}\n${record}`,
    );
    await writeFile(
      join(dir, "bad-utf8.log"),
      Buffer.concat([
        Buffer.from(header + record),
        Buffer.from([0x32, 0xff, 0xfe, 0x0a]),
        Buffer.from(record),
      ]),
    );
    // A web log in a layout no reader knows (nginx writing JSON): a failure, not a file to skip.
    await writeFile(
      join(dir, "unknown.log"),
      '{"time":"2024-05-01T10:00:00Z","request":"GET /a/ HTTP/1.1","status":200}\n',
    );
    await mkdir(join(dir, "empty-dir/sub"), { recursive: true });
  });

  async function expectOneBadFile(name: string, message: RegExp, goodLines = true) {
    const path = join(dir, name);
    const { code, stdout, stderr } = await runCli(["report", "--json", good, path]);
    expect(code).toBe(2);
    const lines = stderr.trimEnd().split("\n");
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
    const json = JSON.parse(stdout);
    // --json lists the problem too: the file's failure, or its rejected line.
    expect(json.problems).toHaveLength(1);
    expect(json.problems[0].file).toBe(path);
    expect(
      `${path}${"line" in json.problems[0] ? `:${json.problems[0].line}` : ""}: ${json.problems[0].error ?? json.problems[0].reason}`,
    ).toMatch(message);
    if (goodLines) expect(json.summary.views - (json.pages["/ok/"] ?? 0)).toBe(expected.views);
    return json;
  }

  it.each([
    ["truncated.gz", /truncated\.gz: truncated gzip data: the file was cut off/],
    ["corrupt.gz", /corrupt\.gz: corrupt gzip data/],
    ["garbage.bin", /garbage\.bin: not a text log file \(line 1: binary data \(NUL bytes\)\)/],
    ["unknown.log", /unknown\.log: unknown log format .*--format/],
    ["empty-dir", /empty-dir: directory holds no log files/],
    ["does-not-exist.log", /does-not-exist\.log: no such file or directory/],
  ])("%s", async (name, message) => {
    const json = await expectOneBadFile(name, message);
    expect(json.summary.failedFiles).toBe(1);
    expect(json.summary.views).toBe(expected.views);
  });

  it("names an empty log and a log of headers only as skipped, and exits 0 (a log just rotated is empty)", async () => {
    const files = ["empty.log", "empty.gz", "header-only.log"].map((name) => join(dir, name));
    const { code, stdout, stderr } = await runCli(["report", "--json", good, ...files]);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.problems).toEqual([]);
    expect(json.summary).toMatchObject({ failedFiles: 0, skippedFiles: 3, views: expected.views });
    expect(json.skipped).toEqual([
      { file: files[0], reason: "empty file" },
      { file: files[1], reason: "empty file" },
      { file: files[2], reason: "no log records (only headers or blank lines)" },
    ]);
    expect(stderr.trimEnd().split("\n")).toEqual(
      json.skipped.map((s: { file: string; reason: string }) => `pagetrack: ${s.file}: skipped: ${s.reason}`),
    );
  });

  it("rejects a 10 MB line and keeps the lines around it", async () => {
    const json = await expectOneBadFile("long-line.log", /long-line\.log:4: line longer than 256 KiB/);
    expect(json.pages["/ok/"]).toBe(2);
    expect(json.summary.rejected).toBe(1);
  });

  it("rejects a line that is not UTF-8 and keeps the rest", async () => {
    const json = await expectOneBadFile("bad-utf8.log", /bad-utf8\.log:4: invalid UTF-8/);
    expect(json.pages["/ok/"]).toBe(2);
  });

  it("never half-counts a file that fails part way", async () => {
    const { stdout } = await runCli(["report", "--json", join(dir, "truncated.gz")]);
    expect(JSON.parse(stdout).summary).toMatchObject({ views: 0, records: 0, failedFiles: 1 });
  });

  it("lists no problems and exits 0 when there are none", async () => {
    const { code, stdout, stderr } = await runCli(["report", "--json", good]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(JSON.parse(stdout).problems).toEqual([]);
  });

  it("exits 2 on a re-run of an ingest only for problems found again, and lists them in --json", async () => {
    const data = ["--data", join(await tempDir(), "data")];
    const lines = join(dir, "long-line.log");
    const unknown = join(dir, "unknown.log");
    const first = await runCli(["ingest", "--json", lines, ...data]);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/long-line\.log:4: line longer than 256 KiB/);
    expect(JSON.parse(first.stdout)).toMatchObject({
      ingested: 1,
      problems: [{ file: lines, line: 4, reason: expect.stringMatching(/line longer than 256 KiB/) }],
    });
    // Already done: skipped, its old problem neither shown nor counted against the run.
    for (const json of [[], ["--json"]]) {
      const again = await runCli(["ingest", ...json, lines, ...data]);
      expect(again.stderr).toBe("");
      expect(again.code).toBe(0);
      if (json.length) expect(JSON.parse(again.stdout)).toMatchObject({ duplicates: 1, problems: [] });
      else expect(again.stdout).toContain("0 of 1 file ingested, 1 already done (skipped)");
    }
    // A file that cannot be read fails again on every run, and says so every time.
    for (let run = 0; run < 2; run++) {
      const failing = await runCli(["ingest", "--json", lines, unknown, ...data]);
      expect(failing.code).toBe(2);
      expect(failing.stderr.trimEnd().split("\n")).toEqual([
        expect.stringMatching(/unknown\.log: unknown log format/),
      ]);
      expect(JSON.parse(failing.stdout)).toMatchObject({
        duplicates: 1,
        failed: 1,
        problems: [{ file: unknown, error: expect.stringMatching(/^unknown log format/) }],
      });
    }
  });

  it("names an unknown --format as a usage error", async () => {
    const { code, stderr } = await runCli(["report", "--format", "iis", good]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/argument 'iis' is invalid/);
  });

  it.each([
    [
      ["report", "--prefix", "blog/"],
      /option '--prefix <path>' argument 'blog\/' is invalid\. "blog\/" is not a path starting with "\/", e\.g\. \/blog\//,
    ],
    [
      ["report", "--status", "200,ok"],
      /'--status <list>' .*"200,ok" is not a list of HTTP statuses, e\.g\. 200,304/,
    ],
    [
      ["report", "--own-host", "https://example.com/"],
      /'--own-host <host>' .*is not a host name, e\.g\. example\.com \(no scheme, no path\)/,
    ],
    [
      ["ingest", "--retention-days", "0"],
      /'--retention-days <n>' .*"0" is not a whole number from 1 to 36500/,
    ],
    [["ingest", "--site", "my site"], /'--site <id>' .*"my site" is not 1 to 64 letters/],
  ])("refuses %j as a usage error naming the option and what to give", async (args, message) => {
    const { code, stderr } = await runCli([...args, good]);
    expect(code).toBe(1);
    // The one line that says it, then commander's pointer to --help.
    const [said, ...rest] = stderr.trimEnd().split("\n");
    expect(said).toMatch(message);
    expect(rest).toEqual(["(run with --help for usage)"]);
  });
});

/** Logs as editors, Windows tools and other compressors leave them: read, or named with the fix. */
describe("files as tools save them", () => {
  let dir: string;
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
  const TRAFFIC = { requests: 2000, start: "2024-05-01", days: 1, seed: 3 };

  beforeAll(async () => {
    dir = await tempDir();
  });

  async function reportJson(args: string[]) {
    const { code, stdout, stderr } = await runCli(["report", "--json", ...args]);
    return { code, stderr, json: JSON.parse(stdout) };
  }

  /** A generated log, and the counts it must give. */
  async function generated(name: string, options: Partial<GenerateOptions>) {
    const path = join(dir, `${name}.plain`);
    const expected = await generateLogFile(path, { ...TRAFFIC, ...options });
    return { text: await readFile(path, "utf8"), expected };
  }

  it.each<[string, Partial<GenerateOptions>]>([
    ["cloudfront", {}],
    ["cloudfront-v2", { format: "cloudfront-v2" }],
    ["s3", { format: "s3" }],
    ["combined", { format: "combined" }],
    ["combined-vhost", { format: "combined", vhost: true }],
  ])(
    "reads a %s log with a UTF-8 byte order mark and CRLF line ends, plain or gzipped",
    async (name, options) => {
      const { text, expected } = await generated(name, options);
      const bytes = Buffer.concat([BOM, Buffer.from(text.replaceAll("\n", "\r\n"))]);
      await writeFile(join(dir, `${name}-bom.log`), bytes);
      await writeFile(join(dir, `${name}-bom.log.gz`), gzipSync(bytes));
      for (const file of [`${name}-bom.log`, `${name}-bom.log.gz`]) {
        const { code, stderr, json } = await reportJson([join(dir, file)]);
        expect(stderr).toBe("");
        expect(code).toBe(0);
        expect(json.pages).toEqual(expected.pages);
        expect(json.summary).toMatchObject({ records: expected.lines, rejected: 0, failedFiles: 0 });
        expect(json.visitors).toEqual(expected.visitors);
      }
    },
  );

  it("reads an ALB log with a UTF-8 byte order mark and CRLF line ends", async () => {
    // The layout of the ALB access log entries AWS documents.
    const line = (path: string, second: number) =>
      `https 2024-05-01T13:05:${String(second).padStart(2, "0")}.364123Z app/my-lb/50dc6c495c0c9188 192.0.2.${second}:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443${path} HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e5857725${second}" "www.example.com" "-" 1 2024-05-01T13:05:09.000000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1`;
    const path = join(dir, "alb-bom.log");
    await writeFile(
      path,
      Buffer.concat([BOM, Buffer.from(`${line("/a/", 1)}\r\n${line("/a/", 2)}\r\n${line("/b", 3)}\r\n`)]),
    );
    const { code, json } = await reportJson([path]);
    expect(code).toBe(0);
    expect(json.pages).toEqual({ "/a/": 2, "/b": 1 });
  });

  it.each([
    [
      "UTF-16LE with a byte order mark (PowerShell, Notepad)",
      (t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, "utf16le")]),
    ],
    [
      "UTF-16BE with a byte order mark",
      (t: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(t, "utf16le").swap16()]),
    ],
    ["UTF-16LE without one", (t: string) => Buffer.from(t, "utf16le")],
  ])("reads a log in %s, plain or gzipped", async (name, encode) => {
    for (const [format, options] of [
      ["cloudfront", {}],
      ["combined", { format: "combined", vhost: true }],
    ] as const) {
      const { text, expected } = await generated(`utf16-${format}`, options);
      const bytes = encode(text.replaceAll("\n", "\r\n"));
      const plain = join(dir, `${format}-${name.length}.log`);
      await writeFile(plain, bytes);
      await writeFile(`${plain}.gz`, gzipSync(bytes));
      for (const file of [plain, `${plain}.gz`]) {
        const { code, stderr, json } = await reportJson([file]);
        expect(stderr).toBe("");
        expect(code).toBe(0);
        expect(json.pages).toEqual(expected.pages);
        expect(json.summary).toMatchObject({ records: expected.lines, rejected: 0 });
      }
    }
  });

  it.each([
    [
      "access.log.bz2",
      "bzip2",
      [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59],
      "bzip2 -dc FILE > DIR/access.log",
    ],
    ["access.log.xz", "xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04], "xz -dc FILE > DIR/access.log"],
    ["access.log.zst", "zstd", [0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00], "zstd -dc FILE > DIR/access.log"],
  ])(
    "names the compression of %s and the command that decompresses it",
    async (name, compression, magic, command) => {
      const path = join(dir, name);
      await writeFile(path, Buffer.concat([Buffer.from(magic), Buffer.alloc(3000, 0x5a)]));
      const { code, stderr, json } = await reportJson([path]);
      expect(code).toBe(2);
      const message = `${path}: compressed with ${compression}, which pagetrack does not read (it reads gzip and plain text); decompress it first: ${command.replace("FILE", path).replace("DIR", dir)}`;
      expect(stderr).toBe(`pagetrack: ${message}\n`);
      expect(json.problems).toEqual([{ file: path, error: message.slice(path.length + 2) }]);
    },
  );

  it("reads a combined log's X-Forwarded-For lists, skips its comments and names what is wrong", async () => {
    const agent = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
    const rest = (path: string) => `"GET ${path} HTTP/1.1" 200 512 "-" "${agent}"`;
    const time = "[01/May/2024:13:05:09 +0000]";
    const lines = [
      "# nginx: log_format main '$http_x_forwarded_for - $remote_user [$time_local] ...'",
      `192.0.2.1 - - ${time} ${rest("/a/")}`,
      // Two readers behind the same proxy: two visitors, not one.
      `203.0.113.7, 10.0.0.2 - - ${time} ${rest("/xff/")}`,
      `203.0.113.8, 10.0.0.2 - - ${time} ${rest("/xff/")}`,
      `www.example.com 203.0.113.9, 10.0.0.3, 10.0.0.2 - - ${time} ${rest("/xff/")}`,
      `203.0.113.10,10.0.0.2 - - ${time} ${rest("/xff/")}`,
      "#another comment",
      `192.0.2.2 ${time} ${rest("/no-ident/")}`,
      `192.0.2.3 - ${time} ${rest("/one-missing/")}`,
      `192.0.2.4 - - [01/May/2024 13:05:09] ${rest("/bad-time/")}`,
      `192.0.2.5 - - "GET /no-time/ HTTP/1.1" 200 5`,
      // Old Latin-1 URLs that differ in one byte stay two pages.
      `192.0.2.6 - - ${time} ${rest("/c/caf%E9/")}`,
      `192.0.2.6 - - ${time} ${rest("/c/caf%E8/")}`,
    ];
    const path = join(dir, "forwarded.log");
    await writeFile(path, `${lines.join("\n")}\n`);
    const { code, json } = await reportJson([path]);
    expect(code).toBe(2);
    expect(json.summary).toMatchObject({ lines: 13, records: 7, rejected: 4, failedFiles: 0 });
    expect(json.pages).toEqual({ "/xff/": 4, "/a/": 1, "/c/caf%E8/": 1, "/c/caf%E9/": 1 });
    expect(json.visitors["/xff/"]).toBe(4);
    expect(json.problems).toEqual([
      {
        file: path,
        line: 8,
        reason: expect.stringMatching(
          /^missing the ident and user fields \("- -"\) between the client "192\.0\.2\.2" and the time/,
        ),
      },
      {
        file: path,
        line: 9,
        reason: expect.stringMatching(
          /^2 fields before the time \("192\.0\.2\.3 -"\) where a combined line has the client, ident and user/,
        ),
      },
      {
        file: path,
        line: 10,
        reason: expect.stringMatching(/^bad time "01\/May\/2024 13:05:09": combined logs write it as \[/),
      },
      {
        file: path,
        line: 11,
        reason: expect.stringMatching(/^no time in brackets: a combined line starts 192\.0\.2\.1 - - \[/),
      },
    ]);
  });
});

/** One bad line never refuses a file, and files that are not web logs are named and passed over. */
describe("a log folder as servers leave it", () => {
  const agent = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
  const combined = (path: string, second = 9) =>
    `192.0.2.1 - - [01/May/2024:13:05:${String(second).padStart(2, "0")} +0000] "GET ${path} HTTP/1.1" 200 512 "-" "${agent}"`;
  const good = Array.from({ length: 5 }, (_, i) => combined("/a/", i)).join("\n");

  async function reportJson(args: string[]) {
    const { code, stdout, stderr } = await runCli(["report", "--json", ...args]);
    return { code, stderr, json: JSON.parse(stdout) };
  }

  it("rejects a first line that is not UTF-8 (a Big5 path) alone and counts the rest", async () => {
    const dir = await tempDir();
    const path = join(dir, "access.log");
    // "/新聞/" in Big5: not UTF-8.
    const big5 = Buffer.from([0xb7, 0x73, 0xbb, 0x44]);
    const first = Buffer.concat([
      Buffer.from('192.0.2.9 - - [01/May/2024:13:05:00 +0000] "GET /'),
      big5,
      Buffer.from(`/ HTTP/1.1" 200 512 "-" "${agent}"\n`),
    ]);
    await writeFile(path, Buffer.concat([first, Buffer.from(`${good}\n`)]));
    const { code, stderr, json } = await reportJson([path]);
    expect(code).toBe(2);
    expect(stderr).toBe(`pagetrack: ${path}:1: invalid UTF-8\n`);
    expect(json.summary).toMatchObject({ lines: 6, records: 5, rejected: 1, views: 5, failedFiles: 0 });
    expect(json.problems).toEqual([{ file: path, line: 1, reason: "invalid UTF-8" }]);
  });

  it("refuses a file that is not text: control characters, or no line of text in its first lines", async () => {
    const dir = await tempDir();
    const png = join(dir, "logo.png");
    await writeFile(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    const latin = join(dir, "latin1.bin");
    await writeFile(latin, Buffer.from(Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? 0x0a : 0xe9))));
    for (const [path, reason] of [
      [png, /line 2: binary data \(control characters\)/],
      [latin, /line 10: invalid UTF-8/],
    ] as const) {
      const { code, stderr, json } = await reportJson([path]);
      expect(code).toBe(2);
      expect(stderr).toMatch(
        new RegExp(`^pagetrack: ${path}: not a text log file \\(${reason.source}\\)\\n$`),
      );
      expect(json.summary.failedFiles).toBe(1);
    }
  });

  it("takes lines of spaces and tabs for blank lines", async () => {
    const dir = await tempDir();
    const path = join(dir, "access.log");
    await writeFile(path, `   \n${combined("/a/")}\n \t \n\t\n${combined("/b/")}\n  \n`);
    const { code, stderr, json } = await reportJson([path]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(json.summary).toMatchObject({ lines: 6, records: 2, rejected: 0 });
    expect(json.pages).toEqual({ "/a/": 1, "/b/": 1 });
  });

  it("skips an IIS FTP log, an ALB connection log and a README, names each once, and exits 0", async () => {
    const dir = await tempDir();
    // IIS writes the logs of each site in its own folder: W3SVC<n> for web sites, FTPSVC<n> for FTP.
    await mkdir(join(dir, "W3SVC1"));
    await mkdir(join(dir, "FTPSVC2"));
    await writeFile(
      join(dir, "W3SVC1/u_ex240501.log"),
      [
        "#Software: Microsoft Internet Information Services 10.0",
        "#Version: 1.0",
        "#Date: 2024-05-01 00:00:00",
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
        `2024-05-01 10:00:00 192.0.2.10 GET /Default.aspx - 80 - 192.0.2.1 ${agent.replaceAll(" ", "+")} - 200 0 0 15`,
        `2024-05-01 10:00:01 192.0.2.10 GET /shop/index.php - 80 - 192.0.2.1 ${agent.replaceAll(" ", "+")} - 200 0 0 15`,
      ].join("\r\n"),
    );
    // The fields IIS's FTP service logs (its W3C logging fields: x-session, x-fullpath, ...).
    const ftp = join(dir, "FTPSVC2/u_ex240501.log");
    await writeFile(
      ftp,
      [
        "#Software: Microsoft Internet Information Services 10.0",
        "#Version: 1.0",
        "#Date: 2024-05-01 00:00:00",
        "#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem sc-status sc-win32-status sc-substatus x-session x-fullpath",
        "2024-05-01 10:00:00 192.0.2.1 - 192.0.2.10 21 ControlChannelOpened - - 0 0 0b6c3f1e-4b7a-4c1e-9d3a-2f4e5a6b7c8d -",
        "2024-05-01 10:00:01 192.0.2.1 - 192.0.2.10 21 USER anonymous 331 0 0 0b6c3f1e-4b7a-4c1e-9d3a-2f4e5a6b7c8d -",
      ].join("\r\n"),
    );
    // An ALB connection log, fields as the Application Load Balancer User Guide lists them.
    const connections = join(dir, "alb-connections.log");
    await writeFile(
      connections,
      [
        '2024-05-01T10:00:00.123456Z 192.0.2.1 52344 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 0.043 "CN=client.example.com" NotBefore=2024-01-01T00:00:00Z;NotAfter=2025-01-01T00:00:00Z 3A5B Success TID_1a2b3c',
        '2024-05-01T10:00:01.123456Z 192.0.2.2 52345 80 - - - "-" - - - TID_1a2b3d',
      ].join("\n"),
    );
    const readme = join(dir, "README.txt");
    await writeFile(readme, "Logs of www.example.com, copied nightly.\nAsk ops before deleting.\n");
    const markdown = join(dir, "NOTES.md");
    await writeFile(markdown, "# Notes\n\nThe FTP logs are kept for a year.\n");

    for (const run of [1, 2]) {
      const { code, stderr, json } = await reportJson([dir]);
      expect(code, `run ${run}`).toBe(0);
      expect(json.problems).toEqual([]);
      expect(json.pages).toEqual({ "/": 1, "/shop/": 1 });
      expect(json.summary).toMatchObject({ files: 5, failedFiles: 0, skippedFiles: 4 });
      const reasons = {
        [ftp]: "an IIS FTP log, not a web access log",
        [connections]: "an ALB connection log, not an access log",
        [markdown]: expect.stringMatching(/^not a log pagetrack reads \(line 3 starts "The FTP logs/),
        [readme]: expect.stringMatching(
          /^not a log pagetrack reads \(line 1 starts "Logs of www\.example\.com, copied nightly\."; it reads CloudFront .* and combined logs\)$/,
        ),
      };
      expect(
        Object.fromEntries(json.skipped.map((s: { file: string; reason: string }) => [s.file, s.reason])),
      ).toEqual(reasons);
      const lines = stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(4);
      for (const file of Object.keys(reasons))
        expect(lines.filter((l) => l.startsWith(`pagetrack: ${file}: skipped: `))).toHaveLength(1);
    }
    // ingest skips them alike, run after run: no failure, nothing recorded, exit 0. Its own data
    // directory in the folder it reads is not read either (and named as skipped).
    const store = ["--data", join(dir, "data")];
    for (const run of [1, 2]) {
      const ingest = await runCli(["ingest", "--json", dir, ...store]);
      expect(ingest.code, `ingest run ${run}`).toBe(0);
      const summary = JSON.parse(ingest.stdout);
      expect(summary).toMatchObject({ failed: 0, ingested: run === 1 ? 1 : 0 });
      expect(summary.problems).toEqual([]);
      const skipped = [ftp, connections, markdown, readme, ...(run === 2 ? [join(dir, "data")] : [])];
      expect(summary.skippedFiles).toBe(skipped.length);
      expect(summary.skipped.map((s: { file: string }) => s.file).sort()).toEqual(skipped.sort());
      expect(
        ingest.stderr
          .trimEnd()
          .split("\n")
          .filter((l) => l.includes(": skipped: ")),
      ).toHaveLength(skipped.length);
    }
  });

  it("names an ALB connection log line among access log lines as such, not as a Classic ELB line", async () => {
    const dir = await tempDir();
    const path = join(dir, "alb.log");
    const access = `https 2024-05-01T13:05:09.364123Z app/my-lb/50dc6c495c0c9188 192.0.2.1:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/a/ HTTP/1.1" "${agent}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "-" 1 2024-05-01T13:05:09.000000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1`;
    await writeFile(
      path,
      `${access}\n2024-05-01T10:00:01.123456Z 192.0.2.2 52345 443 TLSv1.3 TLS_AES_128_GCM_SHA256 0.012 "-" - - Success TID_1a2b3d\n`,
    );
    const { code, json } = await reportJson([path]);
    expect(code).toBe(2);
    expect(json.pages).toEqual({ "/a/": 1 });
    expect(json.problems).toEqual([
      { file: path, line: 2, reason: "an ALB connection log line (a TLS handshake), not an access log line" },
    ]);
  });

  it("reads hidden folders and names a version control folder it skips", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, ".archive/2024"), { recursive: true });
    await mkdir(join(dir, ".git/objects"), { recursive: true });
    await writeFile(join(dir, ".archive/2024/access.log"), `${combined("/old/")}\n`);
    await writeFile(join(dir, ".git/objects/pack"), Buffer.from([0x78, 0x9c, 0, 1, 2]));
    await writeFile(join(dir, "access.log"), `${combined("/a/")}\n`);
    await writeFile(join(dir, ".DS_Store"), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
    const { code, stderr, json } = await reportJson([dir]);
    expect(code).toBe(0);
    expect(json.pages).toEqual({ "/a/": 1, "/old/": 1 });
    expect(stderr).toBe(`pagetrack: ${join(dir, ".git")}: skipped: a version control folder, not logs\n`);
    expect(json.skipped).toEqual([{ file: join(dir, ".git"), reason: "a version control folder, not logs" }]);
  });
});
