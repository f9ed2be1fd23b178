import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { plural } from "../src/cli/messages.js";
import { formatBytes, formatDuration, progressBar, progressLine } from "../src/cli/progress.js";

/** A stream that says it is a terminal, and keeps what is drawn on it. */
function fakeTerminal(isTTY = true) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { isTTY, columns: 120 },
  );
  // The frames drawn, without the terminal's control sequences.
  const frames = () =>
    chunks
      .join("")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
      .split(/\x1b\[1G/)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
      .map((f) => f.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, ""))
      .filter((f) => f.trim() !== "");
  return { stream, frames };
}

describe("progress", () => {
  it("shows bytes in human units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1000)).toBe("1.0 KB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(26_921_823)).toBe("26.9 MB");
    expect(formatBytes(269_218_230)).toBe("269 MB");
    expect(formatBytes(999_999)).toBe("1.0 MB");
    expect(formatBytes(1_234_567_890)).toBe("1.2 GB");
    expect(formatDuration(7)).toBe("7s");
    expect(formatDuration(125)).toBe("2m 05s");
    expect(formatDuration(3720)).toBe("1h 02m");
  });

  it("draws a frame with the share, the amounts, the files and the time left", () => {
    expect(
      progressLine({
        label: "Ingesting",
        value: 13_000_000,
        total: 26_921_823,
        unit: "bytes",
        filesDone: 1,
        files: 2,
        eta: 3.2,
      }),
    ).toBe(
      `Ingesting [${"█".repeat(14)}${"░".repeat(16)}] 48% | 13.0 MB of 26.9 MB | 1 of 2 files | 3s left`,
    );
    // Done: no time left; one file is "file".
    expect(
      progressLine({
        label: "Reading",
        value: 500,
        total: 500,
        unit: "bytes",
        filesDone: 1,
        files: 1,
        eta: 0,
      }),
    ).toBe(`Reading [${"█".repeat(30)}] 100% | 500 B of 500 B | 1 of 1 file`);
    // Of unknown size (stdin): what was read, no share.
    expect(
      progressLine({ label: "Reading", value: 2_500_000, total: 0, unit: "bytes", eta: Number.NaN }),
    ).toBe("Reading 2.5 MB");
    // Counted things other than bytes.
    expect(progressLine({ label: "Writing", value: 1500, total: 3000, unit: "items" })).toContain(
      "50% | 1,500 of 3,000 items",
    );
  });

  it("ends, on a terminal, with every byte read of the total, a second read included, and every file", () => {
    const { stream, frames } = fakeTerminal();
    const bar = progressBar("Ingesting", 3000, { unit: "bytes", files: 2, stream });
    bar.advance(1000);
    bar.fileDone();
    bar.advance(2000);
    // The second file has many views: it is read a second time.
    bar.grow(2000);
    bar.advance(2000);
    bar.fileDone();
    bar.stop();
    const last = frames().at(-1);
    expect(last).toBe(`Ingesting [${"█".repeat(30)}] 100% | 5.0 KB of 5.0 KB | 2 of 2 files`);
  });

  it("draws nothing when not on a terminal, or when quiet", () => {
    for (const [isTTY, quiet] of [
      [false, false],
      [true, true],
    ]) {
      const { stream, frames } = fakeTerminal(isTTY);
      const bar = progressBar("Reading", 100, { unit: "bytes", stream, quiet });
      bar.advance(100);
      bar.stop();
      expect(frames()).toEqual([]);
    }
  });

  it("says 1 file, 2 files", () => {
    expect(plural(1, "rejected line")).toBe("1 rejected line");
    expect(plural(0, "rejected line")).toBe("0 rejected lines");
    expect(plural(1200, "file")).toBe("1,200 files");
    expect(plural(2, "entry", "entries")).toBe("2 entries");
  });
});
