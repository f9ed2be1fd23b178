import { utcDay } from "../formats/time.js";
import { BOTS, SITE } from "../store/keys.js";

/** A number of views with the first and last of them (epoch seconds). */
export interface Total {
  views: number;
  first: number;
  last: number;
}

/** Views of one page (or the site) on one UTC day, with the views per UTC hour (0 to 23). */
export interface DayCount extends Total {
  hours: number[];
}

/**
 * What one file adds to the counters: for each page, for the whole site (`*`) and for its bots
 * (`~bots`), the views per UTC day and hour. This is all the store needs to write the file's
 * contributions.
 */
export class SeriesCounts {
  readonly series = new Map<string, Map<string, DayCount>>();
  views = 0;

  add(page: string, time: number): void {
    this.views++;
    this.bump(page, time);
    this.bump(SITE, time);
  }

  /** A page request from a bot: reported per day, whether or not it counts as a view. */
  addBot(time: number): void {
    this.bump(BOTS, time);
  }

  private bump(series: string, time: number): void {
    let days = this.series.get(series);
    if (days === undefined) {
      days = new Map();
      this.series.set(series, days);
    }
    const day = utcDay(time);
    let count = days.get(day);
    if (count === undefined) {
      count = { views: 0, hours: new Array(24).fill(0), first: time, last: time };
      days.set(day, count);
    }
    count.views++;
    count.hours[Math.floor((time % 86400) / 3600)]++;
    if (time < count.first) count.first = time;
    if (time > count.last) count.last = time;
  }
}

/** Adds `count` into `into`: views summed, first and last as min and max. */
export function addTotal(into: Total | undefined, count: Total): Total {
  if (into === undefined) return { views: count.views, first: count.first, last: count.last };
  into.views += count.views;
  into.first = Math.min(into.first, count.first);
  into.last = Math.max(into.last, count.last);
  return into;
}

/** Adds `count` into `into`, hour by hour too. */
export function addDay(into: DayCount | undefined, count: DayCount): DayCount {
  const total = addTotal(into, count) as DayCount;
  if (into === undefined) total.hours = [...count.hours];
  else for (let h = 0; h < 24; h++) total.hours[h] += count.hours[h];
  return total;
}
