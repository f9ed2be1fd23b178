import { utcDay } from "../formats/time.js";

/** Page views per page, and optionally per page and UTC day: what `pagetrack report` prints. */
export class PageCounts {
  readonly pages = new Map<string, number>();
  readonly daily = new Map<string, Map<string, number>>();

  constructor(private readonly withDaily = false) {}

  add(page: string, time: number): void {
    this.pages.set(page, (this.pages.get(page) ?? 0) + 1);
    if (!this.withDaily) return;
    let days = this.daily.get(page);
    if (days === undefined) {
      days = new Map();
      this.daily.set(page, days);
    }
    const day = utcDay(time);
    days.set(day, (days.get(day) ?? 0) + 1);
  }

  merge(other: PageCounts): void {
    for (const [page, n] of other.pages) this.pages.set(page, (this.pages.get(page) ?? 0) + n);
    for (const [page, days] of other.daily) {
      let into = this.daily.get(page);
      if (into === undefined) {
        into = new Map();
        this.daily.set(page, into);
      }
      for (const [day, n] of days) into.set(day, (into.get(day) ?? 0) + n);
    }
  }

  /** Pages by views, most first; ties by path so output is stable. */
  ranked(): [string, number][] {
    return [...this.pages].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
