/**
 * Rollup items: a count of a period (a day, a month, a year, all time) made of *slots*, one per part
 * of the period below it (the 24 hours of a day, the days of a month, the months of a year, the
 * years). Each slot holds a count and the number `m` of log-file contributions that count merged.
 *
 * Contributions are only ever added, and a slot is recomputed from a strongly consistent read of
 * everything below it, so of two recomputations the one that merged more has seen a superset: a
 * slot is replaced only by one with a larger `m`. A stale, concurrent or repeated rollup can never
 * lower a count, and the last one to read sees every contribution. `version`, the sum of the slots'
 * `m`, grows with every change and is what the item's own conditional writes compare.
 */

/** A slot as stored: [count, contributions merged]. */
export type StoredSlot = [number, number];

/** A rollup item's attributes (besides its key). */
export interface Rollup {
  views: number;
  first: number;
  last: number;
  version: number;
  slots: Record<string, StoredSlot>;
}

/** What a part of a period counts: `n` views from `m` contributions, the first and the last. */
export interface SlotValue {
  n: number;
  m: number;
  first: number;
  last: number;
}

/**
 * The item with the given slots merged in, or undefined when none of them is newer than what is
 * stored. First and last only move outwards: a slot that merged more has the earlier first view.
 */
export function mergeSlots(stored: Rollup | undefined, incoming: Map<string, SlotValue>): Rollup | undefined {
  const slots = { ...stored?.slots };
  let first = stored?.first ?? Number.POSITIVE_INFINITY;
  let last = stored?.last ?? Number.NEGATIVE_INFINITY;
  let changed = false;
  for (const [slot, value] of incoming) {
    const old = slots[slot];
    if (old !== undefined && old[1] >= value.m) continue;
    slots[slot] = [value.n, value.m];
    first = Math.min(first, value.first);
    last = Math.max(last, value.last);
    changed = true;
  }
  if (!changed) return undefined;
  let views = 0;
  let version = 0;
  for (const [n, m] of Object.values(slots)) {
    views += n;
    version += m;
  }
  return { views, first, last, version, slots };
}

/** What an item adds to the level above: its count, as one slot there. */
export function asSlot(item: Rollup): SlotValue {
  return { n: item.views, m: item.version, first: item.first, last: item.last };
}

/**
 * The period one level up and the slot a period fills in it: an hour `2024-05-01T07` is slot `07`
 * of the day `2024-05-01`, which is slot `01` of the month `2024-05`, slot `05` of the year `2024`,
 * slot `2024` of all time ("").
 */
export function parentPeriod(period: string): [parent: string, slot: string] {
  switch (period.length) {
    case 13:
      return [period.slice(0, 10), period.slice(11)];
    case 10:
      return [period.slice(0, 7), period.slice(8)];
    case 7:
      return [period.slice(0, 4), period.slice(5)];
    default:
      return ["", period];
  }
}

/** The hours of a day item as 24 counts (UTC hour 0 first). */
export function hoursOf(item: Rollup): number[] {
  const hours = new Array<number>(24).fill(0);
  for (const [slot, [n]] of Object.entries(item.slots)) hours[Number(slot)] = n;
  return hours;
}
