import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Audience } from "../src/audience/audience.js";
import { ingest } from "../src/ingest/driver.js";
import { PageViewRule } from "../src/pageview/rule.js";
import { fileSource } from "../src/readers/sources.js";
import { readVisitorDays } from "../src/store/counts.js";
import type { EmbeddedEngine } from "../src/store/engine.js";
import type { Store } from "../src/store/store.js";
import { addToDay, EXACT_UP_TO, type VisitorDay } from "../src/store/visitors.js";
import { tempDir } from "./support/paths.js";
import { startEngine } from "./support/store.js";

/** 48-bit ids as the keyed hash makes them: uniform, and the same for the same n. */
function ids(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) =>
    createHash("sha256")
      .update(String(from + i))
      .digest()
      .readUIntBE(0, 6),
  );
}

/** Adds batches of ids to an empty day, one rollup each. */
function day(...batches: number[][]): VisitorDay | undefined {
  let stored: VisitorDay | undefined;
  for (const batch of batches) stored = addToDay(stored, batch) ?? stored;
  return stored;
}

describe("a day's visitors", () => {
  it.each([
    { visitors: 1, exact: true },
    { visitors: 4_999, exact: true },
    { visitors: EXACT_UP_TO, exact: true },
    { visitors: EXACT_UP_TO + 1, exact: false },
    { visitors: 20_000, exact: false },
    { visitors: 50_000, exact: false },
    { visitors: 200_000, exact: false },
  ])("counts $visitors visitors (exact: $exact) within 2%", ({ visitors, exact }) => {
    const all = ids(0, visitors);
    const stored = day(all.slice(0, visitors >> 1), all.slice(visitors >> 1));
    expect(stored?.ids !== undefined).toBe(exact);
    expect(stored?.hll !== undefined).toBe(!exact);
    if (exact) expect(stored?.n).toBe(visitors);
    else expect(Math.abs((stored?.n ?? 0) - visitors) / visitors).toBeLessThan(0.02);
  });

  it("is a union: ids added again change nothing, in any order and any batches the same bytes", () => {
    for (const n of [3_000, 30_000]) {
      const all = ids(0, n);
      const third = Math.floor(n / 3);
      const once = day(all);
      const forwards = day(all.slice(0, third), all.slice(third, 2 * third), all.slice(2 * third));
      const backwards = day(all.slice(2 * third), all.slice(0, 2 * third).reverse());
      const overlapping = day(all.slice(0, 2 * third), all.slice(third), all.slice(0, third));
      for (const other of [forwards, backwards, overlapping]) {
        expect(other?.n).toBe(once?.n);
        expect(Buffer.from(other?.ids ?? other?.hll ?? [])).toEqual(
          Buffer.from(once?.ids ?? once?.hll ?? []),
        );
      }
      // A repeated rollup of the same ids leaves the day (and its version) alone.
      expect(addToDay(once, all.slice(0, 100))).toBeUndefined();
    }
  });

  it("moves to the sketch when a batch passes 5,000 and counts each version", () => {
    const first = addToDay(undefined, ids(0, 5_000));
    expect(first).toMatchObject({ n: 5_000, version: 1 });
    const second = addToDay(first, ids(4_990, 5_010));
    expect(second?.hll?.length).toBe(32_768);
    expect(second?.ids).toBeUndefined();
    expect(second?.version).toBe(2);
    expect(Math.abs((second?.n ?? 0) - 5_010)).toBeLessThan(100);
  });
});

/**
 * A day of 50,000 visitors, as a busy site's logs deliver it: 40 files, a reader's views in several
 * of them, rolled up in batches, some files ingested twice and two runs at once.
 */
describe("a day of 50,000 visitors over 40 files", () => {
  const VISITORS = 50_000;
  const FILES = 40;
  const DAY = "2026-03-14";
  const AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  ];
  const ip = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  let engine: EmbeddedEngine;
  let store: Store;
  let endpoint: string;
  let files: string[];

  beforeAll(async () => {
    const dir = await tempDir();
    ({ engine, store, endpoint } = await startEngine(join(dir, "data")));
    // Visitor v reads the home page in file v % 40 and, one in five, the archive in the next file;
    // the two agents make one IP two visitors (25,000 IPs).
    const lines: string[][] = Array.from({ length: FILES }, () => []);
    const line = (v: number, page: string, second: number) =>
      `${ip(v >> 1)} - - [14/Mar/2026:${String(Math.floor(second / 3600)).padStart(2, "0")}:${String(Math.floor(second / 60) % 60).padStart(2, "0")}:${String(second % 60).padStart(2, "0")} +0000] "GET ${page} HTTP/1.1" 200 512 "-" "${AGENTS[v & 1]}"`;
    for (let v = 0; v < VISITORS; v++) {
      const file = v % FILES;
      const second = Math.floor((file * 86_400) / FILES) + (v % 2000);
      lines[file].push(line(v, "/", second));
      if (v % 5 === 0) lines[(file + 1) % FILES].push(line(v, "/archive/", second + 1));
    }
    files = await Promise.all(
      lines.map(async (l, i) => {
        const path = join(dir, `access-${String(i).padStart(2, "0")}.log`);
        await writeFile(path, `${l.join("\n")}\n`);
        return path;
      }),
    );
  }, 60_000);
  afterAll(async () => {
    store.destroy();
    await engine.close();
  });

  const run = (paths: string[]) =>
    ingest(
      store,
      "busy",
      paths.map((p) => fileSource(p)),
      { format: "combined", rule: new PageViewRule(), audience: new Audience(), raw: true, batchFiles: 7 },
    );
  const visitors = async (counter: "visitors" | "pageVisitors", key: string) =>
    (await readVisitorDays(store, "busy", counter, key, DAY, DAY)).get(DAY) ?? 0;

  it("counts them within 2%, and ingesting files again or at once adds none", async () => {
    const [a, b] = await Promise.all([run(files.slice(0, 30)), run(files.slice(10))]);
    expect(a.failed + b.failed).toBe(0);
    expect(a.ingested + b.ingested).toBeGreaterThanOrEqual(FILES);
    const site = await visitors("visitors", "");
    const home = await visitors("pageVisitors", "/");
    const archive = await visitors("pageVisitors", "/archive/");
    expect(Math.abs(site - VISITORS) / VISITORS).toBeLessThan(0.02);
    expect(Math.abs(home - VISITORS) / VISITORS).toBeLessThan(0.02);
    expect(Math.abs(archive - VISITORS / 5) / (VISITORS / 5)).toBeLessThan(0.02);

    const again = await run([...files].reverse());
    expect(again.duplicates).toBe(FILES);
    expect(await visitors("visitors", "")).toBe(site);
    expect(await visitors("pageVisitors", "/")).toBe(home);
  }, 300_000);

  it("stores no IP address and no user agent of the logs anywhere in the table", async () => {
    const client = new DynamoDBClient({
      endpoint,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const found = new Set<string>();
    let items = 0;
    let start: Record<string, unknown> | undefined;
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
    do {
      const page = await client.send(
        new ScanCommand({ TableName: "pagetrack", ExclusiveStartKey: start as never }),
      );
      for (const item of page.Items ?? []) {
        items++;
        // Every string, number and the bytes of every binary attribute, as text.
        const text = JSON.stringify(item, (_, v) => (v instanceof Uint8Array ? hex(v) : v));
        for (const agent of AGENTS)
          if (text.includes(agent) || text.includes("AppleWebKit")) found.add(agent);
        const address = /\b10\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/.exec(text);
        if (address) found.add(address[0]);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    client.destroy();
    expect(items).toBeGreaterThan(60_000);
    expect([...found]).toEqual([]);
  }, 120_000);
});
