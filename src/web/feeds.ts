import type { Feeds } from "../contract/answers.js";
import { get } from "./api.js";
import { amount, el, number, Panel, type Range } from "./panel.js";
import { addDays, spanDays } from "./state.js";

/**
 * The feeds panel: each feed's subscribers on the last day of the range it was fetched (a level,
 * never a sum of days: `GET /feeds`), the readers that reported their counts, and, for a range of
 * up to `TREND_DAYS` days, its trend: the level of each day, from one `GET /feeds` a day.
 */

/** The longest range whose trend is drawn: one request a day. */
export const TREND_DAYS = 31;
/** Days asked for at once. */
const AT_ONCE = 4;

type Feed = Feeds["feeds"][number];
/** A feed's subscribers on each day of the range; null on a day it was not fetched. */
type Trend = { day: string; subscribers: number | null }[];

const shortDate = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
const dateOf = (day: string) => shortDate.format(new Date(`${day}T12:00:00Z`));

/** Runs `task` on each item, `AT_ONCE` at a time; the results in the items' order. */
async function eachDay<T>(days: string[], task: (day: string) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < days.length) {
      const i = next++;
      results[i] = await task(days[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, days.length) }, worker));
  return results;
}

export class FeedsPanel extends Panel<Feeds> {
  /** The trend of each feed, by path, once loaded. */
  private trends = new Map<string, HTMLElement>();

  constructor() {
    super(
      "feeds",
      "Feed subscribers",
      "feeds",
      "Each feed's subscribers on the last day it was fetched: what its readers report (Feedly, Inoreader…), plus one per other client that fetched it that day.",
    );
  }

  protected ask(range: Range): Promise<Feeds> {
    return get<Feeds>("/feeds", { ...range });
  }

  protected nothing(): string {
    return "No feed was fetched in this range.";
  }

  protected draw(answer: Feeds): boolean {
    const { feeds } = answer;
    this.total.textContent = amount(feeds.length, { one: "feed", many: "feeds" });
    this.total.dataset.total = String(feeds.length);
    if (feeds.length === 0) return false;
    this.trends.clear();
    const list = el("ul", { className: "feeds" });
    for (const feed of feeds) list.append(this.item(feed));
    this.content.append(list);
    const range = this.range;
    if (range) void this.loadTrend(range, answer);
    return true;
  }

  private item(feed: Feed): HTMLLIElement {
    const reported = feed.readers.reduce((sum, r) => sum + r.subscribers, 0);
    const others = feed.subscribers - reported;
    const readers = feed.readers.map((r) => `${r.name} reports ${number.format(r.subscribers)}`);
    if (others > 0 || readers.length === 0)
      readers.push(amount(others, { one: "other client", many: "other clients" }));
    const figure = el("span", { className: "subscribers", textContent: number.format(feed.subscribers) });
    const trend = el("div", { className: "trend-box" });
    this.trends.set(feed.path, trend);
    const item = el(
      "li",
      { className: "feed" },
      el("span", { className: "label", textContent: feed.path }),
      el(
        "p",
        { className: "level" },
        figure,
        ` ${feed.subscribers === 1 ? "subscriber" : "subscribers"} on ${dateOf(feed.day)}`,
      ),
      el("p", { className: "note readers", textContent: `${readers.join(", ")}.` }),
      trend,
    );
    item.dataset.path = feed.path;
    item.dataset.subscribers = String(feed.subscribers);
    item.dataset.day = feed.day;
    item.dataset.readers = JSON.stringify(feed.readers);
    return item;
  }

  /** Each day's level, one request a day; drawn under each feed unless the panel has moved on. */
  private async loadTrend(range: Range, answer: Feeds): Promise<void> {
    const days = spanDays(range.from, range.to);
    const note = (text: string) => {
      for (const box of this.trends.values())
        box.replaceChildren(el("p", { className: "note", textContent: text }));
    };
    if (days < 2) return;
    if (days > TREND_DAYS) {
      note(`The trend is drawn for ranges of up to ${TREND_DAYS} days (one request a day).`);
      return;
    }
    note("Loading the trend…");
    const dates = Array.from({ length: days }, (_, i) => addDays(range.from, i));
    try {
      const levels = await eachDay(dates, (day) =>
        get<Feeds>("/feeds", { from: day, to: day, tz: range.tz }),
      );
      if (this.answer !== answer) return;
      for (const [path, box] of this.trends) {
        const trend = dates.map((day, i) => ({
          day,
          subscribers: levels[i].feeds.find((f) => f.path === path)?.subscribers ?? null,
        }));
        box.replaceChildren(...drawTrend(trend));
        box.dataset.trend = JSON.stringify(trend);
      }
    } catch (error) {
      if (this.answer !== answer) return;
      note(`Could not load the trend: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** A trend as bars, one a day (for the eye), and in words (for everyone). */
function drawTrend(trend: Trend): HTMLElement[] {
  const known = trend.filter((t): t is { day: string; subscribers: number } => t.subscribers !== null);
  if (known.length === 0) return [];
  const max = Math.max(1, ...known.map((t) => t.subscribers));
  const bars = el("div", { className: "trend" });
  bars.setAttribute("aria-hidden", "true");
  for (const t of trend) {
    const day = el("span", { title: `${dateOf(t.day)}: ${t.subscribers ?? "not fetched"}` });
    day.style.height = `${((t.subscribers ?? 0) / max) * 100}%`;
    if (t.subscribers === null) day.className = "missing";
    bars.append(day);
  }
  const [first, last] = [known[0], known[known.length - 1]];
  const low = known.reduce((a, b) => (b.subscribers < a.subscribers ? b : a));
  const high = known.reduce((a, b) => (b.subscribers > a.subscribers ? b : a));
  const at = (t: { day: string; subscribers: number }) =>
    `${number.format(t.subscribers)} on ${dateOf(t.day)}`;
  const words = el("p", {
    className: "note trend-text",
    textContent: `From ${at(first)} to ${at(last)} (lowest ${at(low)}, highest ${at(high)}); fetched on ${known.length} of ${trend.length} days.`,
  });
  return [bars, words];
}
