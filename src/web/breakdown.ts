import type { Breakdown } from "../contract/answers.js";
import { breakdownSpec, type Dimension, type DimensionSpec, MEASURES } from "../counters/registry.js";
import { get } from "./api.js";
import { amount, bar, el, number, type Range, share } from "./panel.js";

export type { Range };

/**
 * One audience panel: a dimension's values in the range, largest first, with a bar and a share each.
 * Its names, what it counts, what its shares are of, its hint and how its values are shown come
 * from the counters' registry, as in `report` and `top`.
 */

/** Rows shown first, then after each "show more" (the API lists at most 1000). */
const LIMITS = [10, 100, 1000];

const HOST = /^(?=.{1,253}$)[\p{Ll}\p{Lo}\p{Nd}_-]+(\.[\p{Ll}\p{Lo}\p{Nd}_-]+)+$/u;
/** Android app ids (`android-app://org.example.reader/`) read as reversed hosts: no site to link to. */
const APP_ID = /^(com|org|net|io|app|dev|de|fr|uk|co)\.[^.]+\.[^.]/;

/**
 * The link of a source that is a referrer's host: lower case (as the API gives hosts) with a dot, not
 * an app id. Other sources are names, not links: `(direct)`, utm values and the referrer families
 * (capitalised, without a dot: "Google", "Hacker News").
 */
export function sourceLink(value: string): string | undefined {
  if (!HOST.test(value) || APP_ID.test(value)) return;
  try {
    return new URL(`https://${value}/`).href;
  } catch {
    return undefined;
  }
}

const regions = (() => {
  try {
    return new Intl.DisplayNames(undefined, { type: "region" });
  } catch {
    return undefined;
  }
})();

/** Text with its http(s) URLs as links (an attribution such as "… by DB-IP (https://db-ip.com) …"). */
function linkify(text: string): (Node | string)[] {
  return text
    .split(/(https?:\/\/[^\s()]+)/)
    .map((part, i) =>
      i % 2 === 1
        ? el("a", { href: part, rel: "noopener noreferrer", target: "_blank", textContent: part })
        : part,
    );
}

export class BreakdownPanel {
  readonly root: HTMLElement;
  private readonly spec: DimensionSpec;
  private readonly total: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly message: HTMLElement;
  private readonly rest: HTMLElement;
  private readonly more: HTMLButtonElement;
  private readonly fewer: HTMLButtonElement;
  private readonly announce: HTMLElement;
  private readonly attribution: HTMLElement;
  private readonly heading: HTMLElement;
  private range: Range | undefined;
  /** The page whose audience the panel shows, or undefined for the whole site. */
  private page: string | undefined;
  /** Its title for the whole site, when not the registry's (`retitle`). */
  private siteTitle: string | undefined;
  private answer: Breakdown | undefined;
  /** The limit the answer was asked with, and the rows shown. */
  private asked = 0;
  private limit = LIMITS[0];
  private request = 0;

  constructor(
    readonly dimension: Dimension,
    level: "h2" | "h3",
  ) {
    const spec = breakdownSpec(dimension);
    this.spec = spec;
    const id = `breakdown-${dimension}`;
    this.total = el("p", { className: "total", id: `${id}-total` });
    this.body = el("tbody");
    const head = el(
      "tr",
      {},
      el("th", { scope: "col", textContent: spec.label }),
      el("th", {
        scope: "col",
        className: "num",
        textContent: MEASURES[spec.counts].header,
      }),
      el("th", { scope: "col", className: "num", textContent: "Share" }),
    );
    this.table = el("table", { className: "breakdown-table" }, el("thead", {}, head), this.body);
    this.table.setAttribute("aria-labelledby", `${id}-title`);
    this.table.setAttribute("aria-describedby", `${id}-total`);
    this.message = el("p", { className: "message", tabIndex: -1 });
    this.rest = el("p", { className: "note rest" });
    const noun = el("span", { className: "visually-hidden", textContent: ` ${spec.values.many}` });
    this.more = el("button", { type: "button", className: "more" }, "Show more", noun);
    this.fewer = el(
      "button",
      { type: "button", className: "fewer" },
      "Show the top 10",
      noun.cloneNode(true),
    );
    this.more.addEventListener("click", () => void this.showMore());
    this.fewer.addEventListener("click", () => this.showFewer());
    this.announce = el("p", { className: "visually-hidden" });
    this.announce.setAttribute("aria-live", "polite");
    this.attribution = el("p", { className: "note attribution", hidden: true });
    this.heading = el(level, { id: `${id}-title`, textContent: spec.title });
    this.root = el(
      "section",
      { className: "panel breakdown" },
      el("div", { className: "breakdown-head" }, this.heading, this.total),
      ...(spec.hint ? [el("p", { className: "note hint", textContent: spec.hint })] : []),
      this.message,
      this.table,
      this.rest,
      el("div", { className: "breakdown-actions" }, this.more, this.fewer),
      this.attribution,
      this.announce,
    );
    this.root.id = id;
    this.root.dataset.dimension = dimension;
    this.root.setAttribute("aria-labelledby", `${id}-title`);
    this.setState("loading", "Loading…");
  }

  /**
   * Loads the panel for a range, of one page (its audience: `/breakdown?page=`) or of the whole
   * site; resolves when it shows the answer or the error (never rejects).
   */
  async load(range: Range, page?: string): Promise<void> {
    this.range = range;
    this.page = page;
    this.heading.textContent = page ? `${this.spec.title} of ${page}` : (this.siteTitle ?? this.spec.title);
    await this.fetch(this.limit);
  }

  /** The registry's title of its dimension: "Entry pages". */
  get title(): string {
    return this.spec.title;
  }

  /** Its title: the registry's, or another ("Entry pages of the whole site" while a page is selected). */
  retitle(title?: string): void {
    this.siteTitle = title;
    if (!this.page) this.heading.textContent = title ?? this.spec.title;
  }

  /** Says why there is nothing to show (a range the API does not break down, for instance). */
  unavailable(message: string): void {
    this.request++;
    this.answer = undefined;
    this.root.hidden = false;
    this.setState("unavailable", message);
  }

  private async fetch(limit: number): Promise<void> {
    const range = this.range;
    if (!range) return;
    const mine = ++this.request;
    this.root.setAttribute("aria-busy", "true");
    if (!this.answer) this.setState("loading", "Loading…");
    else this.root.dataset.state = "loading";
    try {
      const answer = await get<Breakdown>("/breakdown", {
        dimension: this.dimension,
        ...range,
        page: this.page,
        limit: String(limit),
      });
      if (mine !== this.request) return;
      this.answer = answer;
      this.asked = limit;
      this.render();
    } catch (error) {
      if (mine !== this.request) return;
      this.answer = undefined;
      this.root.hidden = false;
      const message = error instanceof Error ? error.message : String(error);
      this.setState("error", `Could not load the ${this.spec.values.many}: ${message}`);
    } finally {
      if (mine === this.request) this.root.removeAttribute("aria-busy");
    }
  }

  private setState(state: "loading" | "ready" | "empty" | "error" | "unavailable", message = ""): void {
    this.root.dataset.state = state;
    this.message.textContent = message;
    this.message.className = state === "error" ? "message error" : "message";
    this.message.hidden = !message;
    const rows = state === "ready";
    this.table.hidden = !rows;
    if (!rows) {
      this.body.replaceChildren();
      this.total.textContent = "";
      this.rest.hidden = true;
      this.more.hidden = true;
      this.fewer.hidden = true;
      this.attribution.hidden = true;
    }
  }

  private render(): void {
    const answer = this.answer as Breakdown;
    const { values, total } = answer;
    const counted = this.spec.total;
    this.total.textContent = amount(total, counted);
    this.total.dataset.total = String(total);
    this.root.dataset.limit = String(this.limit);
    // A dimension the logs may not tell (countries) only when known: such logs give only "(unknown)".
    this.root.hidden = this.spec.unknown !== undefined && values.every((v) => v.value === "(unknown)");
    if (values.length === 0) {
      const of = this.page ? ` for ${this.page}` : "";
      this.setState("empty", `No ${counted.many}${of} in this range.`);
      this.total.textContent = amount(0, counted);
      return;
    }
    this.setState("ready");
    const shown = values.slice(0, this.limit);
    this.body.replaceChildren(...shown.map((v) => this.row(v.value, v.count, total)));
    const listed = shown.reduce((sum, v) => sum + v.count, 0);
    const left = total - listed;
    this.rest.hidden = left <= 0;
    this.rest.textContent =
      left > 0 ? `Other ${this.spec.values.many}: ${amount(left, counted)} (${share(left, total)})` : "";
    // More values exist when those listed do not add up to the total.
    this.more.hidden = left <= 0 || this.limit >= LIMITS[LIMITS.length - 1];
    this.fewer.hidden = this.limit <= LIMITS[0] || shown.length <= LIMITS[0];
    this.attribution.hidden = !answer.attribution;
    this.attribution.replaceChildren(...linkify(answer.attribution ?? ""));
  }

  private row(value: string, count: number, total: number): HTMLTableRowElement {
    const label = el("span", { className: "label" });
    const link = this.spec.show === "host" ? sourceLink(value) : undefined;
    if (link) {
      label.append(el("a", { href: link, rel: "noopener noreferrer", target: "_blank", textContent: value }));
    } else if (this.spec.show === "region" && /^[A-Z]{2}$/.test(value)) {
      let name: string | undefined;
      try {
        name = regions?.of(value);
      } catch {
        name = undefined;
      }
      if (name && name !== value)
        label.append(`${name} `, el("span", { className: "code", textContent: value }));
      else label.textContent = value;
    } else label.textContent = value;
    const row = el(
      "tr",
      {},
      el("td", { className: "value" }, label, bar(count, total)),
      el("td", { className: "num", textContent: number.format(count) }),
      el("td", { className: "num", textContent: share(count, total) }),
    );
    row.dataset.value = value;
    row.dataset.count = String(count);
    return row;
  }

  private async showMore(): Promise<void> {
    if (this.root.dataset.state === "loading") return;
    const before = this.body.rows.length;
    this.limit = LIMITS.find((l) => l > this.limit) ?? this.limit;
    if (this.asked >= this.limit) this.render();
    else await this.fetch(this.limit);
    this.settleFocus(this.more, before);
  }

  private showFewer(): void {
    this.limit = LIMITS[0];
    this.render();
    this.settleFocus(this.fewer, 0);
  }

  /** After a change of rows: tell screen readers, and keep the focus in the panel. */
  private settleFocus(from: HTMLButtonElement, before: number): void {
    const rows = this.body.rows.length;
    this.announce.textContent = `${amount(rows, this.spec.values)} listed`;
    if (!from.hidden) return;
    const other = from === this.more ? this.fewer : this.more;
    if (!other.hidden) other.focus();
    else if (this.table.hidden) this.message.focus();
    else {
      const first = this.body.rows[before] ?? this.body.rows[0];
      const target = first?.querySelector("a") ?? this.table;
      if (target === this.table) this.table.tabIndex = -1;
      target.focus();
    }
  }
}
