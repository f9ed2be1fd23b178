/**
 * Rollup items: the count of a period (a day, a month, a year, all time) kept as *slots*, one per
 * part of the period below (the 24 hours of a day, the days of a month, the months of a year, the
 * years). A slot holds the part's count and the number `m` of log-file contributions it merged:
 * `h07: [views, m, first, last]` is the hour 07:00-08:00 of a day item.
 *
 * Contributions are only ever added, and a slot is recomputed from a strongly consistent read of
 * everything below it, so of two recomputations the one that merged more has seen a superset. A
 * slot is therefore written only over one that merged fewer (a conditional UpdateItem, slot by slot,
 * with no read before it): a stale, concurrent or repeated rollup can never lower a count, and the
 * one that read last sees every contribution. Slots of different parts are set independently, so
 * concurrent rollups of different hours of a day never conflict.
 */

export type RollupLevel = "day" | "month" | "year" | "total";

/**
 * A slot as stored: [views, contributions merged, first view, last view], times in seconds after the
 * slot's start; a breakdown's slots have no times: [views, contributions merged].
 */
export type StoredSlot = [number, number, number, number] | [number, number] | [PageValues, number];

/** A page's audience in a dimension, in a slot (store/rollup.ts): value → count. */
export type PageValues = Record<string, number>;

/** What a part of a period counts: `n` views from `m` contributions, the first and last view (epoch seconds). */
export interface SlotValue {
  n: number;
  m: number;
  first: number;
  last: number;
  /** A page's audience: each value's count in the slot (stored in place of `n`). */
  values?: PageValues;
}

/** The letter of a level's slot attributes: hours of a day, days of a month, months of a year, years. */
const LETTER: Record<RollupLevel, string> = { day: "h", month: "d", year: "m", total: "y" };

/**
 * The attribute of a slot: `h07` is the hour 07 of a day item, `y2024` the year 2024 of a total.
 * Two counters can share an item (a page's views and visitors share its INDEX item): the second
 * names its slots with a prefix, `vy2024`.
 */
export function slotAttribute(level: RollupLevel, slot: string, prefix = ""): string {
  return `${prefix}${LETTER[level]}${slot}`;
}

const SLOTS = new Map<string, RegExp>();
function slotPattern(prefix: string): RegExp {
  let pattern = SLOTS.get(prefix);
  if (pattern === undefined) {
    pattern = new RegExp(`^${prefix}[hdmy](\\d{2}|\\d{4})$`);
    SLOTS.set(prefix, pattern);
  }
  return pattern;
}

/** A slot's value as stored in an item of the given period, with its times or (`span` false) without. */
export function storedSlot(period: string, slot: string, value: SlotValue, span: boolean): StoredSlot {
  if (value.values) return [value.values, value.m];
  if (!span) return [value.n, value.m];
  const start = periodStart(childPeriod(period, slot));
  return [value.n, value.m, value.first - start, value.last - start];
}

/** Every slot of an item (with the prefix given), by slot key, with absolute times. */
export function slotsOf(item: Record<string, unknown>, period: string, prefix = ""): Map<string, SlotValue> {
  const slots = new Map<string, SlotValue>();
  const pattern = slotPattern(prefix);
  for (const [name, value] of Object.entries(item)) {
    if (!pattern.test(name)) continue;
    const slot = name.slice(prefix.length + 1);
    const [n, m, first = Number.NaN, last = Number.NaN] = value as StoredSlot;
    const start = periodStart(childPeriod(period, slot));
    if (typeof n === "number") slots.set(slot, { n, m, first: start + first, last: start + last });
    else slots.set(slot, { n: 0, m, first: Number.NaN, last: Number.NaN, values: n });
  }
  return slots;
}

/** An item's count as one slot of the level above: the sums of its slots, first and last across them. */
export function summary(item: Record<string, unknown>, period: string, prefix = ""): SlotValue {
  const total: SlotValue = { n: 0, m: 0, first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY };
  for (const slot of slotsOf(item, period, prefix).values()) {
    total.n += slot.n;
    total.m += slot.m;
    total.first = Math.min(total.first, slot.first);
    total.last = Math.max(total.last, slot.last);
  }
  return total;
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

function childPeriod(period: string, slot: string): string {
  if (period === "") return slot;
  return period.length === 10 ? `${period}T${slot}` : `${period}-${slot}`;
}

/** The start of a period (`2024`, `2024-05`, `2024-05-01`, `2024-05-01T07`), in epoch seconds. */
const TO_HOUR: Record<number, string> = { 4: "-01-01T00", 7: "-01T00", 10: "T00", 13: "" };
export function periodStart(period: string): number {
  return Date.parse(`${period}${TO_HOUR[period.length]}:00:00Z`) / 1000;
}
