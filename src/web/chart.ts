import uPlot from "uplot";
import type { Point } from "./api.js";

/** A uPlot line chart of views over time, in the page's colours; drawn again when they change. */
export class ViewsChart {
  private plot: uPlot | undefined;
  private points: Point[] = [];
  private label = "Views";

  constructor(private readonly root: HTMLElement) {
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.draw());
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: 300 })).observe(root);
  }

  show(points: Point[], label: string): void {
    this.points = points;
    this.label = label;
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
    const ys = this.points.map((p) => p.views);
    const axis = {
      stroke: color("--muted"),
      grid: { stroke: color("--border"), width: 1 },
      ticks: { stroke: color("--border") },
    };
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 300,
        series: [
          {},
          {
            label: this.label,
            stroke: color("--accent"),
            fill: color("--accent-fill"),
            width: 2,
            points: { show: xs.length < 60 },
          },
        ],
        axes: [axis, { ...axis, size: 60 }],
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
        legend: { show: true },
      },
      [xs, ys],
      this.root,
    );
  }
}
