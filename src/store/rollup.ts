import { splitPageKey } from "../aggregate/normalise.js";
import {
  COUNTERS,
  type CounterName,
  indexPrefix,
  isListed,
  isPageAudience,
  keepsTimes,
  pageDimensions,
} from "../counters/registry.js";
import { splitUnionKey } from "../counters/union.js";
import { limiter } from "./async.js";
import { hourPeriod, readHour } from "./contributions.js";
import { itemId, type Key, keys, PK, SK } from "./keys.js";
import {
  parentPeriod,
  type RollupLevel,
  type SlotValue,
  slotAttribute,
  slotsOf,
  storedSlot,
  summary,
} from "./levels.js";
import type { Store } from "./store.js";
import { addToDay, type VisitorDay } from "./visitors.js";

const LEVELS: RollupLevel[] = ["day", "month", "year", "total"];

/** A rollup item to bring up to date, and the slots (or, a union's day, the visitors) to merge into it. */
interface Target {
  key: Key;
  level: RollupLevel;
  counter: CounterName;
  counterKey: string;
  period: string;
  slots: Map<string, SlotValue>;
  ids?: Set<number>;
  /** A listed union's day in its day's list: rolled up no further. */
  listed?: boolean;
}

/**
 * The day's list item of a listed union (downloads): `<site>#<counter>#<day>`, sort key the key, its
 * one slot `h00` the day's distinct clients and, as its `m`, the version of the day's union item, so
 * that a slot is only ever replaced by a later state of the day.
 */
function listTarget(site: string, day: Target, value: SlotValue): Target {
  const period = day.period;
  return {
    key: { [PK]: keys.breakdown(site, day.counter, period), [SK]: day.counterKey },
    level: "day",
    counter: day.counter,
    counterKey: day.counterKey,
    period,
    slots: new Map([["00", value]]),
    listed: true,
  };
}

/**
 * Brings the given keys of the counters of each UTC hour up to date from the contributions stored
 * for the hour: each hour is read once (strongly consistent), and each day, month, year and all-time
 * total of those keys is written once, whatever the number of files behind it (see levels.ts).
 *
 * Killed half way, a later rollup of the same hours redoes it; run twice or concurrently, it changes
 * nothing more. Each level hands the level above its items as they stand afterwards, changed or not:
 * a rollup that finds its counts already merged still passes them up, in case the one that merged
 * them was killed before it did.
 */
export async function rollUp(
  store: Store,
  site: string,
  hours: Map<number, Map<CounterName, Set<string>>>,
): Promise<void> {
  let targets = new Map<string, Target>();
  const fewAtATime = limiter(16);
  const outgrown: Key[] = [];
  await Promise.all(
    [...hours].map(([hour, touched]) =>
      fewAtATime(async () => {
        const read = await readHour(store, site, hour);
        outgrown.push(...read.outgrown);
        const weight = hourWeight(read.sums);
        const pages = new Map<CounterName, Set<string>>();
        for (const [counter, keysOf] of withOutgrown(touched, read.outgrownKeys)) {
          const layout = COUNTERS[counter].layout;
          if (isPageAudience(counter)) {
            pages.set(counter, new Set([...keysOf].map((key) => splitPageKey(key)[0])));
            continue;
          }
          for (const key of keysOf) {
            const value = read.sums.get(counter)?.get(key);
            if (layout === "union") {
              // A union's ids go into the site's day they were seen on, named in their key.
              const [day, counterKey] = splitUnionKey(key);
              if (value) addTarget(targets, site, "day", counter, counterKey, `${day}T00`, value, value.ids);
            } else if (value) addTarget(targets, site, "day", counter, key, hourPeriod(hour), value);
            else if ((layout === "breakdown" || layout === "level") && weight !== undefined)
              // A recount took this key away from the hour (an own host added): it counts 0 now.
              addTarget(targets, site, "day", counter, key, hourPeriod(hour), { ...ZERO, m: weight });
          }
        }
        if (pages.size > 0 && weight !== undefined)
          addPageSlots(targets, site, pages, read.sums, hour, weight);
      }),
    ),
  );
  // Level by level: days, then the months above them, then years, then all-time totals.
  for (const above of [...LEVELS.slice(1), undefined]) {
    const next = new Map<string, Target>();
    await Promise.all(
      [...targets.values()].map(async (target) => {
        // A few at a time: a backfill touches thousands of items, and each request is built only when it goes.
        const spec = COUNTERS[target.counter];
        if (target.ids) {
          const day = await fewAtATime(() => mergeVisitors(store, target.key, target.ids as Set<number>));
          const value = { n: day.n, m: day.version, first: Number.NaN, last: Number.NaN };
          // A listed union's day goes into its day's list instead, as the whole day's one slot.
          if (isListed(target.counter)) next.set(itemId(target.key), listTarget(site, target, value));
          else addTarget(next, site, "month", target.counter, target.counterKey, target.period, value);
          return;
        }
        const item = await fewAtATime(() => mergeSlots(store, target));
        if (above && !target.listed && spec.layout !== "breakdown" && spec.layout !== "level") {
          const prefix = target.level === "total" ? (indexPrefix(target.counter) ?? "") : "";
          const value = summary(item, target.period, prefix);
          addTarget(next, site, above, target.counter, target.counterKey, target.period, value);
        }
      }),
    );
    targets = next;
  }
  // Versions outgrown by the ones just rolled up: nothing counts them any more.
  await store.batchDelete(outgrown);
}

const ZERO: SlotValue = { n: 0, m: 0, first: 0, last: 0 };

/**
 * A page audience counter's keys of an hour are split into one item per dimension, page and UTC day
 * (keys.pageAudience), each hour's slot holding every value of the page in that hour, so that a page's
 * day in a dimension is one small read. The touched pages' slots are recomputed whole from the hour's
 * sums: a value that is gone is simply absent.
 */
function addPageSlots(
  targets: Map<string, Target>,
  site: string,
  pages: Map<CounterName, Set<string>>,
  sums: Map<CounterName, Map<string, SlotValue>>,
  hour: number,
  weight: number,
): void {
  const [day, slot] = parentPeriod(hourPeriod(hour));
  for (const [counter, touched] of pages) {
    const dimensions = pageDimensions(counter);
    // page → one map of values a dimension
    const values = new Map<string, Record<string, number>[]>();
    for (const page of touched)
      values.set(
        page,
        dimensions.map(() => ({})),
      );
    for (const [key, value] of sums.get(counter) ?? []) {
      const [page, ...of] = splitPageKey(key);
      const maps = values.get(page);
      if (maps) for (const [i, v] of of.entries()) maps[i][v] = (maps[i][v] ?? 0) + value.n;
    }
    for (const [page, maps] of values)
      dimensions.forEach((dimension, i) => {
        const key = { [PK]: keys.pageAudience(site, dimension, day), [SK]: page };
        const id = itemId(key);
        let target = targets.get(id);
        if (target === undefined) {
          // Laid out as a breakdown (its counter's), never rolled up above its day.
          target = { key, level: "day", counter, counterKey: page, period: day, slots: new Map() };
          targets.set(id, target);
        }
        target.slots.set(slot, { ...ZERO, m: weight, values: maps[i] });
      });
  }
}

/** The hour's weight (every sum of an hour carries it as `m`), or undefined for an hour with no views. */
function hourWeight(sums: Map<CounterName, Map<string, SlotValue>>): number | undefined {
  for (const ofKey of sums.values()) for (const value of ofKey.values()) return value.m;
  return undefined;
}

/** The keys to bring up to date: those the pending markers name, and those of outgrown versions. */
function withOutgrown(
  touched: Map<CounterName, Set<string>>,
  outgrownKeys: Map<CounterName, Set<string>>,
): Map<CounterName, Set<string>> {
  if (outgrownKeys.size === 0) return touched;
  const all = new Map([...touched].map(([counter, keysOf]) => [counter, new Set(keysOf)]));
  for (const [counter, keysOf] of outgrownKeys) {
    const set = all.get(counter) ?? new Set();
    all.set(counter, set);
    for (const key of keysOf) set.add(key);
  }
  return all;
}

function addTarget(
  targets: Map<string, Target>,
  site: string,
  level: RollupLevel,
  counter: CounterName,
  counterKey: string,
  childPeriod: string,
  value: SlotValue,
  /** A union's visitors of the hour: merged into its day, not slotted. */
  ids?: Set<number>,
): void {
  const [period, slot] = parentPeriod(childPeriod);
  const key = itemKey(site, level, counter, counterKey, period);
  // A page's views and visitors share its INDEX item, each with slots of its own.
  const id = `${itemId(key)}\u0000${counter}`;
  let target = targets.get(id);
  if (target === undefined) {
    target = { key, level, counter, counterKey, period, slots: new Map() };
    targets.set(id, target);
  }
  if (ids) {
    target.ids ??= new Set();
    for (const visitor of ids) target.ids.add(visitor);
  } else target.slots.set(slot, value);
}

/** Where a counter's rollup of a period lives: pages' totals in INDEX, the site's in SITE, a day's breakdown together. */
function itemKey(
  site: string,
  level: RollupLevel,
  counter: CounterName,
  counterKey: string,
  period: string,
): Key {
  const spec = COUNTERS[counter];
  if (spec.layout === "breakdown" || spec.layout === "level")
    return { [PK]: keys.breakdown(site, counter, period), [SK]: counterKey };
  const series = spec.series(counterKey);
  if (level !== "total") return { [PK]: keys.level(site, level, series), [SK]: period };
  if (indexPrefix(counter) !== undefined) return { [PK]: keys.index(site), [SK]: counterKey };
  return { [PK]: keys.site(site), [SK]: series };
}

/**
 * Adds visitors to a union's day with a compare-and-swap: read (strongly consistent), add, put on
 * the condition that the version read is still there, and on a conflict read again. Returns the
 * day as it stands afterwards, changed or not.
 */
async function mergeVisitors(store: Store, key: Key, ids: Set<number>): Promise<VisitorDay> {
  for (;;) {
    const stored = (await store.get(key, true)) as (VisitorDay & Key) | undefined;
    const next = addToDay(stored, ids);
    if (next === undefined) return stored as VisitorDay;
    if (await store.putIfVersion({ ...key, ...next }, stored?.version)) return next;
  }
}

/**
 * Sets the target's slots that merged more than the stored ones, in one conditional UpdateItem, and
 * returns the item as it stands after. When a slot is already as new (a repeated or concurrent
 * rollup), the item is read and only the slots still newer are set.
 */
async function mergeSlots(store: Store, target: Target): Promise<Record<string, unknown>> {
  let slots = target.slots;
  const _spec = COUNTERS[target.counter];
  const span = keepsTimes(target.counter);
  const prefix = target.level === "total" ? (indexPrefix(target.counter) ?? "") : "";
  for (;;) {
    const stored = Object.fromEntries(
      [...slots].map(([slot, value]) => [
        slotAttribute(target.level, slot, prefix),
        storedSlot(target.period, slot, value, span),
      ]),
    );
    const item = await store.setSlotsIfNewer(target.key, stored);
    if (item) return item;
    const current = (await store.get(target.key, true)) ?? {};
    const have = slotsOf(current, target.period, prefix);
    slots = new Map([...slots].filter(([slot, value]) => (have.get(slot)?.m ?? 0) < value.m));
    if (slots.size === 0) return current;
  }
}
