import { type Cell, type Cells, COUNTERS, type CounterName, keepsTimes } from "../counters/registry.js";
import { type Key, keys, PK, SK } from "./keys.js";
import type { SlotValue } from "./levels.js";
import { SiteTable } from "./site-table.js";
import type { Item, Store } from "./store.js";
import { pack, unpack } from "./visitors.js";

/** An hour as the periods of the store name it: `2024-05-01T07` (UTC). */
export function hourPeriod(hourStart: number): string {
  return new Date(hourStart * 1000).toISOString().slice(0, 13);
}

// Items may hold 400 KB; more distinct keys than fit in one are split into parts.
const PART_BYTES = 300_000;

/** Counter → key → value, in parts small enough for an item each (a value's size: `bytes`). */
export function inParts<V>(
  cells: Map<CounterName, Map<string, V>>,
  bytes: (value: V) => number = () => 16,
): Record<string, Record<string, V>>[] {
  const parts: Record<string, Record<string, V>>[] = [{}];
  let size = 0;
  for (const [counter, values] of cells) {
    for (const [key, value] of values) {
      const more = Buffer.byteLength(key) + 8 + bytes(value);
      if (size > 0 && size + more > PART_BYTES) {
        parts.push({});
        size = 0;
      }
      size += more;
      const part = parts[parts.length - 1];
      part[counter] ??= {};
      part[counter][key] = value;
    }
  }
  return parts;
}

/**
 * A cell as stored: [count, first and last view as seconds after the hour's start] for a series'
 * counter, the count alone for a breakdown's, the visitor ids packed (store/visitors.ts) for a
 * union's.
 */
type StoredCell = [number, number, number] | number | Uint8Array;

/** What the contributions of an hour add up to for one key: a slot's value, and the visitors of a union. */
export type HourSum = SlotValue & { ids?: Set<number> };

/**
 * Which version of a log's block a contribution is: how many half lines of the block it covers
 * (a line still being written counts a half), and the generation of the site's settings it was
 * counted with (a forced recount is a new generation, store/meta.ts). Of the versions of a block,
 * the one with the most lines, then the latest generation, is the block's count: a log that grew
 * covers more of it, the same lines counted again cover as much.
 */
export interface BlockVersion {
  /** The log: the fingerprint of its head, cut to 32 hex digits. */
  log: string;
  block: number;
  halfLines: number;
  generation: number;
}

/** Generations a weight tells apart; more forced recounts than this rank as the last. */
const GENERATIONS = 1024;

/**
 * A version's weight: larger for a version that covers more lines, or as many in a later
 * generation. An hour's weight is the sum of its blocks' weights: it grows with every new block or
 * newer version, so rollups compare it as the number of contributions merged (store/levels.ts).
 */
function weight(v: BlockVersion): number {
  return v.halfLines * GENERATIONS + Math.min(v.generation, GENERATIONS - 1);
}

/**
 * The items that hold what one block of a log adds to each UTC hour: one item per hour it has
 * views in, with every counter's cells (`counts`: counter → key → cell), keyed by the version, so
 * that counting the same lines again puts the same values at the same keys and a longer version
 * never overwrites a shorter one: the rollup takes the largest (readHour).
 */
export function contributionItems(site: string, version: BlockVersion, hours: Map<number, Cells>): Item[] {
  const items: Item[] = [];
  const id = `${version.log}#${version.block}#${version.halfLines}.${version.generation}`;
  for (const [hourStart, cells] of hours) {
    const period = hourPeriod(hourStart);
    const stored = new Map(
      [...cells].map(([counter, ofKey]) => {
        const layout = COUNTERS[counter].layout;
        const times = keepsTimes(counter);
        const cellOf = (c: Cell): StoredCell =>
          layout === "union"
            ? pack(c.ids ?? [])
            : times
              ? [c.n, c.first - hourStart, c.last - hourStart]
              : c.n;
        return [counter, new Map([...ofKey].map(([key, c]) => [key, cellOf(c)]))];
      }),
    );
    const parts = inParts(stored, (cell) => (cell instanceof Uint8Array ? cell.length : 16));
    parts.forEach((counts, i) => {
      items.push({
        [PK]: keys.contributions(site, period.slice(0, 10)),
        [SK]: `${period.slice(11)}#${id}${parts.length > 1 ? `#${i}` : ""}`,
        counts,
      });
    });
  }
  return items;
}

/** An hour's contributions added up, and what the versions its blocks outgrew still hold. */
export interface Hour {
  /** Per counter and key: the sums, each with the hour's weight as `m`. */
  sums: Map<CounterName, Map<string, HourSum>>;
  /** Keys of the versions outgrown: a recount may have taken them away, so they are recomputed. */
  outgrownKeys: Map<CounterName, Set<string>>;
  /** The items of the versions outgrown: nothing counts them any more. */
  outgrown: Key[];
}

/**
 * Everything the logs ingested so far add to one UTC hour, per counter and key: of each block its
 * largest version (the others are outgrown), summed. Read with a strongly consistent query, so that
 * it includes every contribution written before it; its cost grows with the blocks of that hour only.
 */
export async function readHour(store: Store, site: string, hourStart: number): Promise<Hour> {
  const period = hourPeriod(hourStart);
  const { items } = await new SiteTable(store, site).contributions(
    period.slice(0, 10),
    `${period.slice(11)}#`,
  );
  // Of each block, the largest version (with all its parts).
  const latest = new Map<string, { version: BlockVersion; items: Item[] }>();
  const outgrownItems: Item[] = [];
  for (const item of items) {
    const version = versionOf(item[SK]);
    if (version === undefined) continue; // written by a newer pagetrack
    const block = `${version.log}#${version.block}`;
    const held = latest.get(block);
    const order = held === undefined ? 1 : weight(version) - weight(held.version);
    if (order > 0) {
      if (held) outgrownItems.push(...held.items);
      latest.set(block, { version, items: [item] });
    } else if (order === 0) held?.items.push(item);
    else outgrownItems.push(item);
  }
  let hourWeight = 0;
  for (const { version } of latest.values()) hourWeight += weight(version);
  const sums = new Map<CounterName, Map<string, HourSum>>();
  for (const { items: parts } of latest.values())
    for (const item of parts) addCells(sums, item, hourStart, hourWeight);
  const outgrownKeys = new Map<CounterName, Set<string>>();
  for (const item of outgrownItems)
    for (const [counter, cells] of Object.entries(item.counts as Record<string, Record<string, unknown>>)) {
      if (!(counter in COUNTERS)) continue;
      const set = outgrownKeys.get(counter as CounterName) ?? new Set();
      outgrownKeys.set(counter as CounterName, set);
      for (const key of Object.keys(cells)) set.add(key);
    }
  return {
    sums,
    outgrownKeys,
    outgrown: outgrownItems.map((item) => ({ [PK]: item[PK], [SK]: item[SK] })),
  };
}

/** The version a contribution's sort key names: `<HH>#<log>#<block>#<half lines>.<generation>[#<part>]`. */
function versionOf(sortKey: string): BlockVersion | undefined {
  const [, log, block, version] = sortKey.split("#");
  const [halfLines, generation] = (version ?? "").split(".").map(Number);
  if (!log || !Number.isInteger(halfLines) || !Number.isInteger(generation)) return undefined;
  return { log, block: Number(block), halfLines, generation };
}

function addCells(
  sums: Map<CounterName, Map<string, HourSum>>,
  item: Item,
  hourStart: number,
  m: number,
): void {
  for (const [counter, cells] of Object.entries(item.counts as Record<string, Record<string, StoredCell>>)) {
    if (!(counter in COUNTERS)) continue; // written by a newer pagetrack
    let ofKey = sums.get(counter as CounterName);
    if (ofKey === undefined) {
      ofKey = new Map();
      sums.set(counter as CounterName, ofKey);
    }
    for (const [key, cell] of Object.entries(cells)) {
      if (cell instanceof Uint8Array) {
        const sum = ofKey.get(key) ?? { n: 0, m, first: Number.NaN, last: Number.NaN, ids: new Set() };
        for (const id of unpack(cell)) sum.ids?.add(id);
        sum.n = sum.ids?.size ?? 0;
        ofKey.set(key, sum);
        continue;
      }
      const [n, first, last] = typeof cell === "number" ? [cell, 0, 0] : cell;
      const sum = ofKey.get(key);
      if (sum === undefined) ofKey.set(key, { n, m, first: hourStart + first, last: hourStart + last });
      else {
        // A level (feed subscribers) is the largest of its blocks', every other count their sum.
        sum.n = COUNTERS[counter as CounterName].layout === "level" ? Math.max(sum.n, n) : sum.n + n;
        sum.first = Math.min(sum.first, hourStart + first);
        sum.last = Math.max(sum.last, hourStart + last);
      }
    }
  }
}
