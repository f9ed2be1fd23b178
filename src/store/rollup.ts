import { COUNTERS, type CounterName } from "../counters/registry.js";
import { limiter } from "./async.js";
import { hourPeriod, readHour } from "./contributions.js";
import { type Key, keys, type PeriodLevel, PK, SK } from "./keys.js";
import { asSlot, mergeSlots, parentPeriod, type Rollup, type SlotValue } from "./levels.js";
import { type Item, itemId, type Store } from "./store.js";

const LEVELS = ["day", "month", "year", "total"] as const;
type Level = (typeof LEVELS)[number];

/** A rollup item to bring up to date, and the slots to merge into it. */
interface Target {
  key: Key;
  counter: CounterName;
  counterKey: string;
  period: string;
  slots: Map<string, SlotValue>;
}

/**
 * Brings every counter of the given UTC hours up to date, from the contributions stored for them:
 * each hour is read once (strongly consistent), and each day, month, year and all-time total it
 * touches is read and written once, whatever the number of files behind it (see levels.ts).
 *
 * Run it after the contributions of a batch of files are written and before the files are marked
 * done. Killed half way, a later run redoes it; run twice or concurrently, it changes nothing more.
 */
export async function rollUp(store: Store, site: string, hours: Iterable<number>): Promise<void> {
  let targets = new Map<string, Target>();
  const fewAtATime = limiter(8);
  await Promise.all(
    [...hours].map((hour) =>
      fewAtATime(async () => {
        const sums = await readHour(store, site, hour);
        for (const [counter, ofKey] of sums)
          for (const [key, value] of ofKey)
            addTarget(targets, site, "day", counter, key, hourPeriod(hour), value);
      }),
    ),
  );
  for (const level of LEVELS) {
    const merged = await mergeAll(store, [...targets.values()]);
    if (level === "total") break;
    const above = LEVELS[LEVELS.indexOf(level) + 1];
    targets = new Map();
    for (const [target, item] of merged) {
      if (COUNTERS[target.counter].totals)
        addTarget(targets, site, above, target.counter, target.counterKey, target.period, asSlot(item));
    }
  }
}

function addTarget(
  targets: Map<string, Target>,
  site: string,
  level: Level,
  counter: CounterName,
  counterKey: string,
  childPeriod: string,
  value: SlotValue,
): void {
  const [period, slot] = parentPeriod(childPeriod);
  const key = itemKey(site, level, counter, counterKey, period);
  const id = itemId(key);
  let target = targets.get(id);
  if (target === undefined) {
    target = { key, counter, counterKey, period, slots: new Map() };
    targets.set(id, target);
  }
  target.slots.set(slot, value);
}

/** Where a counter's rollup of a period lives: pages' totals in INDEX, the site's in SITE. */
function itemKey(site: string, level: Level, counter: CounterName, counterKey: string, period: string): Key {
  const series = COUNTERS[counter].series(counterKey);
  if (level !== "total") return { [PK]: keys.level(site, level as PeriodLevel, series), [SK]: period };
  return counter === "page"
    ? { [PK]: keys.index(site), [SK]: counterKey }
    : { [PK]: keys.site(site), [SK]: series };
}

/**
 * Merges each target's slots into its item with a compare-and-swap: read (all at once, strongly
 * consistent), merge, put on the condition that the version read is still there, and on a conflict
 * read again. Returns each item as it stands afterwards, changed or not: a run that finds its
 * counts already merged still hands them up, in case the run that merged them was killed.
 */
async function mergeAll(store: Store, targets: Target[]): Promise<Map<Target, Rollup>> {
  const stored = await store.batchGet(
    targets.map((t) => t.key),
    true,
  );
  const results = new Map<Target, Rollup>();
  await Promise.all(
    targets.map(async (target) => {
      let current = stored.get(itemId(target.key)) as (Item & Rollup) | undefined;
      for (;;) {
        if (current !== undefined && typeof current.version !== "number")
          throw new Error(`${current[PK]} ${current[SK]} is not a pagetrack counter of this version`);
        const next = mergeSlots(current, target.slots);
        if (next === undefined) break;
        if (await store.putIfVersion({ ...target.key, ...next }, current?.version)) {
          current = { ...target.key, ...next };
          break;
        }
        current = (await store.get(target.key, true)) as (Item & Rollup) | undefined;
      }
      results.set(target, current as Rollup);
    }),
  );
  return results;
}
