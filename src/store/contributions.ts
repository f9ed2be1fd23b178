import { type Cell, type Cells, COUNTERS, type CounterName } from "../counters/registry.js";
import { keys, PK, SK } from "./keys.js";
import type { SlotValue } from "./levels.js";
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
 * The items that hold what one file adds to each UTC hour: one item per hour the file has views in,
 * with every counter's cells (`counts`: counter → key → cell), keyed by the file's id so that a
 * second ingestion of the file puts the same values at the same keys.
 */
export function contributionItems(site: string, fileId: string, hours: Map<number, Cells>): Item[] {
  const items: Item[] = [];
  for (const [hourStart, cells] of hours) {
    const period = hourPeriod(hourStart);
    const stored = new Map(
      [...cells].map(([counter, ofKey]) => {
        const layout = COUNTERS[counter].layout;
        const cellOf = (c: Cell): StoredCell =>
          layout === "union"
            ? pack(c.ids ?? [])
            : layout === "series"
              ? [c.n, c.first - hourStart, c.last - hourStart]
              : c.n;
        return [counter, new Map([...ofKey].map(([key, c]) => [key, cellOf(c)]))];
      }),
    );
    const parts = inParts(stored, (cell) => (cell instanceof Uint8Array ? cell.length : 16));
    parts.forEach((counts, i) => {
      items.push({
        [PK]: keys.contributions(site, period.slice(0, 10)),
        [SK]: `${period.slice(11)}#${fileId}${parts.length > 1 ? `#${i}` : ""}`,
        counts,
      });
    });
  }
  return items;
}

/**
 * Everything the files ingested so far add to one UTC hour, per counter and key: the sums, with the
 * number of contributions each merged. Read with a strongly consistent query, so that it includes
 * every contribution written before it; its cost grows with the files of that hour only.
 */
export async function readHour(
  store: Store,
  site: string,
  hourStart: number,
): Promise<Map<CounterName, Map<string, HourSum>>> {
  const period = hourPeriod(hourStart);
  const { items } = await store.withPrefix(
    keys.contributions(site, period.slice(0, 10)),
    `${period.slice(11)}#`,
    true,
  );
  const sums = new Map<CounterName, Map<string, HourSum>>();
  for (const item of items) {
    for (const [counter, cells] of Object.entries(
      item.counts as Record<string, Record<string, StoredCell>>,
    )) {
      if (!(counter in COUNTERS)) continue; // written by a newer pagetrack
      let ofKey = sums.get(counter as CounterName);
      if (ofKey === undefined) {
        ofKey = new Map();
        sums.set(counter as CounterName, ofKey);
      }
      for (const [key, cell] of Object.entries(cells)) {
        if (cell instanceof Uint8Array) {
          const sum = ofKey.get(key) ?? { n: 0, m: 0, first: Number.NaN, last: Number.NaN, ids: new Set() };
          for (const id of unpack(cell)) sum.ids?.add(id);
          sum.n = sum.ids?.size ?? 0;
          sum.m++;
          ofKey.set(key, sum);
          continue;
        }
        const [n, first, last] = typeof cell === "number" ? [cell, 0, 0] : cell;
        const sum = ofKey.get(key);
        if (sum === undefined) ofKey.set(key, { n, m: 1, first: hourStart + first, last: hourStart + last });
        else {
          sum.n += n;
          sum.m++;
          sum.first = Math.min(sum.first, hourStart + first);
          sum.last = Math.max(sum.last, hourStart + last);
        }
      }
    }
  }
  return sums;
}
