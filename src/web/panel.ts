import type { Noun } from "../counters/registry.js";

/**
 * What the dashboard's panels share: building their elements, writing their figures, and the
 * loading, empty and error states of a panel that asks the API for one answer (`Panel`).
 */

export const number = new Intl.NumberFormat();
const percent = new Intl.NumberFormat(undefined, {
  style: "percent",
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** A count's share of a total: "12.5%", "<0.1%" for a small one, "–" of nothing. */
export function share(count: number, total: number): string {
  if (total === 0) return "–";
  const part = count / total;
  return part > 0 && part < 0.0005 ? `<${percent.format(0.001)}` : percent.format(part);
}

const UNITS = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte", "petabyte"];

/** Bytes in decimal units ("1.2 GB", 1 GB being 1,000,000,000 bytes), the exact count being in a title. */
export function bytesText(bytes: number): string {
  let unit = 0;
  while (unit < UNITS.length - 1 && bytes >= 1000 ** (unit + 1)) unit++;
  return new Intl.NumberFormat(undefined, {
    style: "unit",
    unit: UNITS[unit],
    unitDisplay: "short",
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(bytes / 1000 ** unit);
}

/** "1 entry from outside the site", "1,234 page views", "10 sources". */
export function amount(n: number, noun: Noun): string {
  return `${number.format(n)} ${n === 1 ? noun.one : noun.many}`;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** A share of a total as a thin bar (hidden from screen readers: the share is written beside it). */
export function bar(count: number, total: number, className = "bar"): HTMLElement {
  const fill = el("span");
  fill.style.width = `${total ? (count / total) * 100 : 0}%`;
  const node = el("span", { className }, fill);
  node.setAttribute("aria-hidden", "true");
  return node;
}

/** Where the range is, as every panel asks the API for it. */
export interface Range {
  from: string;
  to: string;
  tz: string;
}

export type PanelState = "loading" | "ready" | "empty" | "error" | "unavailable";

/**
 * A panel that shows one answer of the API for the range: a heading and its total, a message for
 * its loading, empty and error states, and its content once the answer came. A subclass says how to
 * ask (`ask`) and how to draw an answer (`draw`, false when it has nothing to show). A panel that
 * cannot load does not stop the others: `load` never rejects.
 */
export abstract class Panel<T> {
  readonly root: HTMLElement;
  protected readonly heading: HTMLElement;
  protected readonly total: HTMLElement;
  protected readonly message: HTMLElement;
  /** What the answer is drawn in: shown in the ready state only. */
  protected readonly content: HTMLElement;
  protected range: Range | undefined;
  protected answer: T | undefined;
  private request = 0;

  constructor(
    id: string,
    title: string,
    /** What the panel lists, in its messages: "crawlers", "missing pages". */
    private readonly what: string,
    hint?: string,
  ) {
    this.heading = el("h3", { id: `${id}-title`, textContent: title });
    this.total = el("p", { className: "total", id: `${id}-total` });
    this.message = el("p", { className: "message", tabIndex: -1 });
    this.content = el("div", { className: "panel-content" });
    this.root = el(
      "section",
      { className: "panel breakdown server-panel", id },
      el("div", { className: "breakdown-head" }, this.heading, this.total),
      ...(hint ? [el("p", { className: "note hint", textContent: hint })] : []),
      this.message,
      this.content,
    );
    this.root.setAttribute("aria-labelledby", `${id}-title`);
    this.setState("loading", "Loading…");
  }

  protected abstract ask(range: Range): Promise<T>;
  /** Draws the answer; false when it has nothing to show (the empty state). */
  protected abstract draw(answer: T): boolean;
  /** The empty state's message. */
  protected abstract nothing(): string;

  /** Loads the panel for a range; resolves when it shows the answer or the error (never rejects). */
  async load(range: Range): Promise<void> {
    this.range = range;
    const mine = ++this.request;
    this.root.setAttribute("aria-busy", "true");
    if (this.answer === undefined) this.setState("loading", "Loading…");
    else this.root.dataset.state = "loading";
    try {
      const answer = await this.ask(range);
      if (mine !== this.request) return;
      this.answer = answer;
      this.redraw();
    } catch (error) {
      if (mine !== this.request) return;
      this.answer = undefined;
      const message = error instanceof Error ? error.message : String(error);
      this.setState("error", `Could not load the ${this.what}: ${message}`);
    } finally {
      if (mine === this.request) this.root.removeAttribute("aria-busy");
    }
  }

  /** Says why there is nothing to show (a range the API does not break down, for instance). */
  unavailable(message: string): void {
    this.request++;
    this.answer = undefined;
    this.setState("unavailable", message);
  }

  /** Draws the answer held again (after a "show more", say). */
  protected redraw(): void {
    if (this.answer === undefined) return;
    this.content.replaceChildren();
    if (this.draw(this.answer)) this.setState("ready");
    else this.setState("empty", this.nothing());
  }

  private setState(state: PanelState, message = ""): void {
    this.root.dataset.state = state;
    this.message.textContent = message;
    this.message.className = state === "error" ? "message error" : "message";
    this.message.hidden = !message;
    this.content.hidden = state !== "ready";
    if (state !== "ready" && state !== "empty") {
      this.content.replaceChildren();
      this.total.textContent = "";
    }
  }
}
