import uPlot from "uplot";
import type { Point } from "../contract/answers.js";
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

/** The formats of the ticks and of the legend's time under the cursor, in the chart's zone. */
function formats(timeZone: string) {
  const format = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(undefined, { ...options, timeZone });
  const ymd = new Intl.DateTimeFormat("en-CA", { timeZone });
  return {
    tick: {
      hour: format({ hour: "numeric", minute: "2-digit" }),
      day: format({ day: "numeric", month: "short" }),
      month: format({ month: "short" }),
      year: format({ year: "numeric" }),
    },
    legend: {
      hour: format({ weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" }),
      day: format({ weekday: "short", day: "numeric", month: "short", year: "numeric" }),
      week: format({ day: "numeric", month: "short", year: "numeric" }),
      month: format({ month: "long", year: "numeric" }),
    } satisfies Record<Interval, Intl.DateTimeFormat>,
    /** The local date, YYYY-MM-DD. */
    date: (d: Date) => ymd.format(d),
  };
}

/** The labels of the time axis' ticks: the date where it changes (and the year where that does). */
function timeLabels(splits: number[], step: number, f: ReturnType<typeof formats>): string[] {
  const TICK = f.tick;
  let before: string | undefined;
  return splits.map((t) => {
    const date = new Date(t * 1000);
    const local = f.date(date);
    const newDay = !before || before !== local;
    const newYear = !before || before.slice(0, 4) !== local.slice(0, 4);
    before = local;
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
  /** The last point is the bucket that holds now: its figures are so far. */
  partial?: boolean;
  /** The zone of the ticks and times. */
  tz: string;
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
  private data: ChartData = { points: [], interval: "day", range: "", total: 0, tz: "UTC" };

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
    // The box keeps its height while the chart is built again: what is below it does not jump.
    this.root.style.minHeight = `${this.root.offsetHeight}px`;
    this.plot?.destroy();
    const { points, interval, partial, tz } = this.data;
    const f = formats(tz);
    const last = points.length - 1;
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
          idx == null || v == null
            ? range
            : `${f.legend[interval].format(new Date(v * 1000))}${partial && idx === last ? " (so far)" : ""}`,
      },
      {
        label: "Views",
        stroke: partial ? (u) => fading(u, xs, color("--accent"), color("--muted")) : color("--accent"),
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
    root.dataset.partial = partial ? String(xs[last]) : "";
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
              return timeLabels(splits, step, f);
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
        // Ticks on the midnights and firsts of months of the chart's zone, not the browser's.
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
        hooks: partial ? { draw: [(u) => soFar(u, xs[last], color("--muted"))] } : {},
        // The legend's markers are dashed like their lines.
        legend: { show: true, markers: { dash: (u, i) => (u.series[i].dash ? "dashed" : "solid") } },
      },
      data,
      this.root,
    );
    this.root.style.minHeight = "";
  }
}

/** A line's colour, lighter over its last segment: the bucket that holds now is not over. */
function fading(u: uPlot, xs: number[], solid: string, light: string): CanvasGradient | string {
  if (xs.length < 2) return light;
  const from = u.valToPos(xs[xs.length - 2], "x", true);
  const to = u.valToPos(xs[xs.length - 1], "x", true);
  if (!(to > from)) return solid;
  const gradient = u.ctx.createLinearGradient(from, 0, to, 0);
  gradient.addColorStop(0, solid);
  gradient.addColorStop(0.01, light);
  gradient.addColorStop(1, light);
  return gradient;
}

/** "so far" over the last bucket, with a dotted line at its start. */
function soFar(u: uPlot, x: number, colour: string): void {
  const { ctx } = u;
  const left = u.valToPos(x, "x", true);
  const top = u.bbox.top;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.setLineDash([2, 3]);
  ctx.lineWidth = devicePixelRatio;
  ctx.beginPath();
  ctx.moveTo(left, top);
  ctx.lineTo(left, top + u.bbox.height);
  ctx.stroke();
  ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
  ctx.textAlign = left > u.bbox.left + u.bbox.width / 2 ? "right" : "left";
  ctx.fillText(
    "so far",
    left + (ctx.textAlign === "right" ? -4 : 4) * devicePixelRatio,
    top + 14 * devicePixelRatio,
  );
  ctx.restore();
}

/** Whether a series has visitors: every point of a day, week or month series from an API that counts them. */
export function hasVisitors(points: Point[]): boolean {
  return points.length > 0 && points.every((p) => p.visitors !== undefined);
}
