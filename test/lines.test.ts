import { describe, expect, it } from "vitest";
import { random } from "../src/generator/traffic.js";
import { forEachLine, MAX_LINE_BYTES } from "../src/readers/lines.js";

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

  it("handles empty input", async () => {
    expect(await split([])).toEqual({ count: 0, lines: [], rejected: [] });
  });
});
