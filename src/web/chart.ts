import uPlot from "uplot";
import type { Point } from "./api.js";
import type { Interval } from "./state.js";

const number = new Intl.NumberFormat();
const HOUR = 3600;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

/**
 * The steps between the time axis' ticks, in seconds, for each interval: never finer than the
 * buckets (no hour ticks on a chart of days). uPlot places steps of a day or more on local
 * midnights, and steps of a month or more on the first of a month.
 */
const TIME_STEPS: Record<Interval, number[]> = {
  hour: [HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR, 6 * HOUR, 8 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY],
  day: [DAY, 2 * DAY, 3 * DAY, 4 * DAY, 5 * DAY, 7 * DAY, 10 * DAY, 15 * DAY, MONTH, 2 * MONTH, 3 * MONTH],
  week: [7 * DAY, 14 * DAY, MONTH, 2 * MONTH, 3 * MONTH, 4 * MONTH, 6 * MONTH, YEAR],
  month: [MONTH, 2 * MONTH, 3 * MONTH, 4 * MONTH, 6 * MONTH, YEAR, 2 * YEAR, 5 * YEAR],
};

/** Steps between the count axis' ticks: whole numbers only (a view is never a fraction). */
const COUNT_STEPS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8].map((p) => m * p));
COUNT_STEPS.sort((a, b) => a - b);

const format = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(undefined, options);
const TICK = {
  hour: format({ hour: "numeric", minute: "2-digit" }),
  day: format({ day: "numeric", month: "short" }),
  month: format({ month: "short" }),
  year: format({ year: "numeric" }),
};
/** The legend's time under the cursor, for each interval. */
const LEGEND: Record<Interval, Intl.DateTimeFormat> = {
  hour: format({ weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" }),
  day: format({ weekday: "short", day: "numeric", month: "short", year: "numeric" }),
  week: format({ day: "numeric", month: "short", year: "numeric" }),
  month: format({ month: "long", year: "numeric" }),
};

/** The labels of the time axis' ticks: the date where it changes (and the year where that does). */
function timeLabels(splits: number[], step: number): string[] {
  let before: Date | undefined;
  return splits.map((t) => {
    const date = new Date(t * 1000);
    const newDay = !before || before.toDateString() !== date.toDateString();
    const newYear = !before || before.getFullYear() !== date.getFullYear();
    before = date;
    if (step >= YEAR) return TICK.year.format(date);
    if (step >= MONTH)
      return newYear ? `${TICK.month.format(date)}\n${TICK.year.format(date)}` : TICK.month.format(date);
    if (step >= DAY)
      return newYear ? `${TICK.day.format(date)}\n${TICK.year.format(date)}` : TICK.day.format(date);
    return newDay ? `${TICK.hour.format(date)}\n${TICK.day.format(date)}` : TICK.hour.format(date);
  });
}

/** What the chart shows: its points, their interval, and the range and its totals for the legend. */
export interface ChartData {
  points: Point[];
  interval: Interval;
  /** The range, as the legend names it away from the cursor ("1–30 Nov 2026"). */
  range: string;
  total: number;
  visitors?: number;
}

/**
 * A uPlot line chart of views over time, with visitors as a second, dashed line when the points
 * have them (days, weeks, months: the API counts visitors per day, so hourly points have none).
 * uPlot's live legend is the tooltip: it shows the time and both values under the cursor, and the
 * range and its totals otherwise. Ticks are whole counts, and times no finer than the buckets; their
 * values are in the chart's `data-x-ticks` and `data-y-ticks` (epoch seconds, counts) for the tests.
 * Drawn again when the colours change.
 */
export class ViewsChart {
  private plot: uPlot | undefined;
  private data: ChartData = { points: [], interval: "day", range: "", total: 0 };

  constructor(private readonly root: HTMLElement) {
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.draw());
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: 300 })).observe(root);
  }

  show(data: ChartData): void {
    this.data = data;
    this.draw();
  }

  private width(): number {
    return Math.max(240, this.root.clientWidth);
  }

  private draw(): void {
    this.plot?.destroy();
    const { points, interval } = this.data;
    const css = getComputedStyle(document.documentElement);
    const color = (name: string) => css.getPropertyValue(name).trim();
    const xs = points.map((p) => Date.parse(p.t) / 1000);
    // Under the cursor a bucket's value; elsewhere the range's total.
    const value =
      (total: number | undefined) => (_u: uPlot, v: number | null, _s: number, idx: number | null) =>
        idx == null ? (total === undefined ? "–" : number.format(total)) : v == null ? "–" : number.format(v);
    const dots = { show: xs.length < 60 };
    const range = this.data.range;
    const series: uPlot.Series[] = [
      {
        label: "Time",
        value: (_u, v, _s, idx) =>
          idx == null || v == null ? range : LEGEND[interval].format(new Date(v * 1000)),
      },
      {
        label: "Views",
        stroke: color("--accent"),
        fill: color("--accent-fill"),
        width: 2,
        points: dots,
        value: value(this.data.total),
      },
    ];
    const data: uPlot.AlignedData = [xs, points.map((p) => p.views)];
    if (hasVisitors(points)) {
      // Dashed as well as coloured, so the two lines differ without colour too.
      series.push({
        label: "Visitors",
        stroke: color("--visitors"),
        width: 2,
        dash: [6, 4],
        points: dots,
        value: value(this.data.visitors),
      });
      data.push(points.map((p) => p.visitors ?? null));
    }
    const axis = {
      stroke: color("--muted"),
      grid: { stroke: color("--border"), width: 1 },
      ticks: { stroke: color("--border") },
    };
    const root = this.root;
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 300,
        series,
        axes: [
          {
            ...axis,
            space: 60,
            incrs: TIME_STEPS[interval],
            values: (_u, splits, _axis, _space, step) => {
              root.dataset.xTicks = splits.join(",");
              return timeLabels(splits, step);
            },
          },
          {
            ...axis,
            size: 60,
            incrs: COUNT_STEPS,
            values: (_u, splits) => {
              root.dataset.yTicks = splits.join(",");
              return splits.map((v) => number.format(v));
            },
          },
        ],
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
        // The legend's markers are dashed like their lines.
        legend: { show: true, markers: { dash: (u, i) => (u.series[i].dash ? "dashed" : "solid") } },
      },
      data,
      this.root,
    );
  }
}

/** Whether a series has visitors: every point of a day, week or month series from an API that counts them. */
export function hasVisitors(points: Point[]): boolean {
  return points.length > 0 && points.every((p) => p.visitors !== undefined);
}
