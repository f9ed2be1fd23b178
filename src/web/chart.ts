import uPlot from "uplot";
import type { Point } from "./api.js";

const number = new Intl.NumberFormat();

/**
 * A uPlot line chart of views over time, with visitors as a second, dashed line when the points
 * have them (days, weeks, months: the API counts visitors per day, so hourly points have none).
 * uPlot's live legend is the tooltip: it shows the time and both values under the cursor.
 * Drawn again when the colours change.
 */
export class ViewsChart {
  private plot: uPlot | undefined;
  private points: Point[] = [];

  constructor(private readonly root: HTMLElement) {
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.draw());
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: 300 })).observe(root);
  }

  show(points: Point[]): void {
    this.points = points;
    this.draw();
  }

  private width(): number {
    return Math.max(280, this.root.clientWidth);
  }

  private draw(): void {
    this.plot?.destroy();
    const css = getComputedStyle(document.documentElement);
    const color = (name: string) => css.getPropertyValue(name).trim();
    const xs = this.points.map((p) => Date.parse(p.t) / 1000);
    const value = (_u: uPlot, v: number | null) => (v == null ? "–" : number.format(v));
    const dots = { show: xs.length < 60 };
    const series: uPlot.Series[] = [
      {},
      {
        label: "Views",
        stroke: color("--accent"),
        fill: color("--accent-fill"),
        width: 2,
        points: dots,
        value,
      },
    ];
    const data: uPlot.AlignedData = [xs, this.points.map((p) => p.views)];
    if (hasVisitors(this.points)) {
      // Dashed as well as coloured, so the two lines differ without colour too.
      series.push({
        label: "Visitors",
        stroke: color("--visitors"),
        width: 2,
        dash: [6, 4],
        points: dots,
        value,
      });
      data.push(this.points.map((p) => p.visitors ?? null));
    }
    const axis = {
      stroke: color("--muted"),
      grid: { stroke: color("--border"), width: 1 },
      ticks: { stroke: color("--border") },
    };
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 300,
        series,
        axes: [axis, { ...axis, size: 60 }],
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
