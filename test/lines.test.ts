import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { random } from "../src/generator/traffic.js";
import { decompressed } from "../src/readers/decompress.js";
import { BINARY_LINE, forEachLine, MAX_LINE_BYTES } from "../src/readers/lines.js";

async function split(chunks: Buffer[]) {
  const lines: [number, string][] = [];
  const rejected: [number, string][] = [];
  const count = await forEachLine(
    (async function* () {
      yield* chunks;
    })(),
    { line: (text, n) => lines.push([n, text]), reject: (n, reason) => rejected.push([n, reason]) },
  );
  return { count, lines, rejected };
}

function chop(bytes: Buffer, seed: number): Buffer[] {
  const rand = random(seed);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + Math.floor(rand() * 40);
    chunks.push(bytes.subarray(i, i + size));
    i += size;
  }
  return chunks;
}

describe("line splitting", () => {
  const text = "first\r\nsecond with ünïcödé and 🌍\n\nfourth\nlast without newline";
  const want = ["first", "second with ünïcödé and 🌍", "", "fourth", "last without newline"].map((l, i) => [
    i + 1,
    l,
  ]);

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    "gives the same lines however the bytes are chunked (seed %i)",
    async (seed) => {
      const { count, lines, rejected } = await split(chop(Buffer.from(text), seed));
      expect(lines).toEqual(want);
      expect(rejected).toEqual([]);
      expect(count).toBe(5);
    },
  );

  it("rejects invalid UTF-8 and over-long lines by number, in any chunking", async () => {
    const bytes = Buffer.concat([
      Buffer.from("a\n"),
      Buffer.from([0xc3, 0x28, 0x0a]),
      Buffer.from(`${"x".repeat(MAX_LINE_BYTES + 1)}\nb\n`),
      Buffer.from("y".repeat(MAX_LINE_BYTES + 5)),
    ]);
    const pieces = (size: number) =>
      Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
        bytes.subarray(i * size, (i + 1) * size),
      );
    for (const chunks of [[bytes], pieces(1000), pieces(65536), chop(bytes, 3)]) {
      const { count, lines, rejected } = await split(chunks);
      expect(lines).toEqual([
        [1, "a"],
        [4, "b"],
      ]);
      expect(rejected.map(([n]) => n)).toEqual([2, 3, 5]);
      expect(count).toBe(5);
    }
  });

  it("names a line that is not UTF-8 and holds NUL bytes binary data, in any chunking", async () => {
    const bytes = Buffer.concat([
      Buffer.from("a\n"),
      Buffer.from([0xff, 0, 0x41, 0x0a]),
      Buffer.from([0xe9, 0x0a]),
    ]);
    for (const chunks of [[bytes], chop(bytes, 1), chop(bytes, 2)]) {
      const { lines, rejected } = await split(chunks);
      expect(lines).toEqual([[1, "a"]]);
      expect(rejected).toEqual([
        [2, BINARY_LINE],
        [3, "invalid UTF-8"],
      ]);
    }
  });

  it("handles empty input", async () => {
    expect(await split([])).toEqual({ count: 0, lines: [], rejected: [] });
  });

  it("fails where the input fails, after the lines before it, while the next chunk is already asked for", async () => {
    // Blocks of over 64 KiB are split with turns of the event loop between them: the failing chunk
    // is asked for, and fails, while the first one's lines are still being split.
    const first = Buffer.from("a line\n".repeat(20_000));
    const lines: number[] = [];
    const failing = forEachLine(
      (async function* () {
        yield first;
        throw new Error("unexpected end of file");
      })(),
      { line: (_text, n) => lines.push(n), reject: () => {} },
    );
    await expect(failing).rejects.toThrow("unexpected end of file");
    expect(lines).toHaveLength(20_000);
  });
});

/** The lines of raw (maybe compressed, maybe UTF-16) bytes, as the pipeline reads them. */
async function readText(chunks: Buffer[], name?: string) {
  const lines: string[] = [];
  const rejected: number[] = [];
  await forEachLine(
    decompressed(
      (async function* () {
        yield* chunks;
      })(),
      undefined,
      name,
    ),
    { line: (text) => lines.push(text), reject: (n) => rejected.push(n) },
  );
  return { lines, rejected };
}

function utf16be(text: string): Buffer {
  return Buffer.from(text, "utf16le").swap16();
}

describe("text encodings", () => {
  const text = "#Version: 1.0\r\nfirst ünïcödé 🌍\r\n\r\nlast";
  const want = ["#Version: 1.0", "first ünïcödé 🌍", "", "last"];
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

  it.each([
    ["UTF-8", Buffer.from(text)],
    ["UTF-8 with a byte order mark", Buffer.concat([BOM, Buffer.from(text)])],
    [
      "UTF-16LE with a byte order mark",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
    ],
    ["UTF-16BE with a byte order mark", Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])],
    ["UTF-16LE without one", Buffer.from(text, "utf16le")],
    ["UTF-16BE without one", utf16be(text)],
  ])("reads %s, plain or gzipped, however it is chunked", async (_, bytes) => {
    for (const raw of [bytes, gzipSync(bytes)])
      for (const chunks of [[raw], chop(raw, 1), chop(raw, 2), [...raw].map((b) => Buffer.from([b]))]) {
        const { lines, rejected } = await readText(chunks);
        expect(lines).toEqual(want);
        expect(rejected).toEqual([]);
      }
  });

  it("drops the byte order mark of a file that holds nothing else", async () => {
    expect(await readText([BOM])).toEqual({ lines: [], rejected: [] });
    expect(await readText([Buffer.from([0xff, 0xfe])])).toEqual({ lines: [], rejected: [] });
  });

  it("keeps a U+FEFF that is not at the start", async () => {
    const { lines } = await readText([Buffer.from("a\n\uFEFFb")]);
    expect(lines).toEqual(["a", "\uFEFFb"]);
  });

  it.each([
    [
      "bzip2",
      "access.log.bz2",
      [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26],
      "bzip2 -dc access.log.bz2 > access.log",
    ],
    [
      "xz",
      "logs/a b.xz",
      [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04],
      "xz -dc 'logs/a b.xz' > 'logs/a b'",
    ],
    ["zstd", "access.log.zst", [0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00], "zstd -dc access.log.zst > access.log"],
    [
      "zstd",
      "s3://bucket/logs/x.zst",
      [0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00],
      "aws s3 cp s3://bucket/logs/x.zst - | zstd -dc > x",
    ],
    ["zip", "logs.zip", [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], "unzip -p logs.zip > logs"],
    ["bzip2", "-", [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26], "(bzip2 -dc FILE)"],
  ])("names %s compression in %s and the command that reads it", async (name, file, magic, command) => {
    const raw = Buffer.concat([Buffer.from(magic), Buffer.alloc(100, 0x55)]);
    await expect(readText(chop(raw, 5), file)).rejects.toThrow(
      `compressed with ${name}, which pagetrack does not read (it reads gzip and plain text)`,
    );
    await expect(readText([raw], file)).rejects.toThrow(command);
  });

  it("names UTF-32 and the command that converts it", async () => {
    const raw = Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]);
    await expect(readText([raw], "x.log")).rejects.toThrow(
      "UTF-32 text, which pagetrack does not read; convert it to UTF-8 first: iconv -f UTF-32 -t UTF-8 x.log > x.utf8.log",
    );
  });

  it("reads a line that starts as bzip2 does but is text", async () => {
    expect((await readText([Buffer.from("BZh is not a log\n")])).lines).toEqual(["BZh is not a log"]);
  });
});
