import type { Crawlers, NotFound } from "../contract/answers.js";
import { breakdownSpec, type Noun } from "../counters/registry.js";
import type { Category } from "../pageview/crawler.js";
import { get } from "./api.js";
import { amount, bar, el, number, Panel, type Range, share } from "./panel.js";

/**
 * The panels of what only the server's log tells that have more than a breakdown's values: the
 * crawlers (`GET /crawlers`, each with its category) and the missing pages (`GET /notfound`, each
 * with where its links are). Downloads are a breakdown panel; feeds are in feeds.ts.
 */

/** Each category as its badge says it. */
const CATEGORIES: Record<Category, string> = {
  ai: "AI",
  search: "Search",
  seo: "SEO",
  social: "Social",
  monitor: "Monitor",
  feed: "Feed reader",
  other: "Other",
};

/** Rows shown at first, then all those the answer has. */
const FIRST_ROWS = 10;

/** A category's badge: its name in words, so that it is not told by colour alone. */
function badge(category: Category): HTMLElement {
  const node = el("span", { className: `badge badge-${category}`, textContent: CATEGORIES[category] });
  node.dataset.category = category;
  return node;
}

/** A table of values with their count and share, its first column named `label`. */
function table(titleId: string, label: string, counts: string): [HTMLTableElement, HTMLTableSectionElement] {
  const body = el("tbody");
  const head = el(
    "tr",
    {},
    el("th", { scope: "col", textContent: label }),
    el("th", { scope: "col", className: "num", textContent: counts }),
    el("th", { scope: "col", className: "num", textContent: "Share" }),
  );
  const node = el("table", { className: "breakdown-table" }, el("thead", {}, head), body);
  node.setAttribute("aria-labelledby", titleId);
  return [node, body];
}

/** A button that lists every row or the first ones again. */
function toggle(text: string, onClick: () => void): HTMLButtonElement {
  const button = el("button", { type: "button", className: "more", textContent: text });
  button.addEventListener("click", onClick);
  return button;
}

/**
 * Every crawler's requests in the range, most first, each with its category as a badge. AI
 * crawlers stand out: a badge of their own colour (and the word "AI"), a bar of that colour, and a
 * line above the table with their requests and share.
 */
export class CrawlersPanel extends Panel<Crawlers> {
  private all = false;
  private readonly spec = breakdownSpec("crawler");

  constructor() {
    const spec = breakdownSpec("crawler");
    super("crawlers", spec.title, spec.values.many, spec.hint);
  }

  protected ask(range: Range): Promise<Crawlers> {
    return get<Crawlers>("/crawlers", { ...range });
  }

  protected nothing(): string {
    return `No ${this.spec.total.many} in this range.`;
  }

  protected draw({ crawlers }: Crawlers): boolean {
    const total = crawlers.reduce((sum, c) => sum + c.requests, 0);
    this.total.textContent = amount(total, this.spec.total);
    this.total.dataset.total = String(total);
    if (crawlers.length === 0) return false;
    const ai = crawlers.filter((c) => c.category === "ai").reduce((sum, c) => sum + c.requests, 0);
    const summary = el(
      "p",
      { className: "ai-summary" },
      badge("ai"),
      ai > 0
        ? ` ${amount(ai, { one: "request", many: "requests" })} from AI crawlers (${share(ai, total)})`
        : " No requests from AI crawlers",
    );
    summary.dataset.requests = String(ai);
    const [node, body] = table(this.heading.id, this.spec.label, "Requests");
    const shown = this.all ? crawlers : crawlers.slice(0, FIRST_ROWS);
    for (const crawler of shown) {
      const row = el(
        "tr",
        {},
        el(
          "td",
          {},
          el("span", { className: "label" }, `${crawler.name} `, badge(crawler.category)),
          bar(crawler.requests, total, `bar bar-${crawler.category}`),
        ),
        el("td", { className: "num", textContent: number.format(crawler.requests) }),
        el("td", { className: "num", textContent: share(crawler.requests, total) }),
      );
      row.dataset.value = crawler.name;
      row.dataset.category = crawler.category;
      row.dataset.count = String(crawler.requests);
      body.append(row);
    }
    this.content.append(summary, node);
    if (crawlers.length > FIRST_ROWS) {
      const text = this.all ? "Show the top 10" : `Show all ${number.format(crawlers.length)} crawlers`;
      const button = toggle(text, () => {
        this.all = !this.all;
        this.redraw();
        this.content.querySelector<HTMLButtonElement>("button.more")?.focus();
      });
      this.content.append(el("div", { className: "breakdown-actions" }, button));
    }
    return true;
  }
}

/** Links of one kind listed under a missing page: at most this many, then how many more. */
const LINKS_SHOWN = 5;

/** A line under a missing page: where links to it are, and how many requests came through them. */
function linkItem(kind: string, count: number, ...text: (Node | string)[]): HTMLLIElement {
  const li = el("li", { className: kind }, ...text, ` (${number.format(count)})`);
  li.dataset.count = String(count);
  return li;
}

/** The links of one kind (pages of the site, other sites): the first few, then how many more. */
function linkItems(kind: string, links: { at: string; count: number }[], lead: string, others: Noun) {
  const items = links.slice(0, LINKS_SHOWN).map((l) => {
    const li = linkItem(kind, l.count, lead, el("span", { className: "path", textContent: l.at }));
    li.dataset.at = l.at;
    return li;
  });
  const left = links.slice(LINKS_SHOWN);
  if (left.length > 0)
    items.push(
      linkItem(
        `${kind} more-links`,
        left.reduce((sum, l) => sum + l.count, 0),
        `and ${amount(left.length, others)}`,
      ),
    );
  return items;
}

/**
 * The missing pages asked for in the range, most requests first, and under each where its links
 * are: the site's own pages first (broken links to fix), then other sites, then requests without
 * a referrer. Logs that record no referrer (ALB, ELB) have only the last: the panel then says so
 * once instead of under every path.
 */
export class NotFoundPanel extends Panel<NotFound> {
  private readonly spec = breakdownSpec("notfound");
  /** Paths asked for: 10, then 100. */
  private limit = 10;

  constructor() {
    const spec = breakdownSpec("notfound");
    super("notfound", spec.title, spec.values.many, spec.hint);
  }

  protected ask(range: Range): Promise<NotFound> {
    return get<NotFound>("/notfound", { ...range, limit: String(this.limit) });
  }

  protected nothing(): string {
    return `No ${this.spec.total.many} in this range.`;
  }

  protected draw({ total, paths }: NotFound): boolean {
    this.total.textContent = amount(total, this.spec.total);
    this.total.dataset.total = String(total);
    if (paths.length === 0) return false;
    const noReferrer = paths.every((p) => p.internal.length === 0 && p.external.length === 0);
    const broken = new Set(paths.flatMap((p) => p.internal.map((l) => l.page))).size;
    if (noReferrer)
      this.content.append(
        el("p", {
          className: "note no-referrer",
          textContent:
            "These logs record no referrer (ALB and ELB logs do not): where the links to these pages are cannot be told.",
        }),
      );
    else if (broken > 0)
      this.content.append(
        el(
          "p",
          { className: "broken-summary" },
          el("span", { className: "badge badge-broken", textContent: "Broken link" }),
          ` ${amount(broken, { one: "page of the site links", many: "pages of the site link" })} to a missing page (“linked from” below): fix those links first.`,
        ),
      );
    const [node, body] = table(this.heading.id, this.spec.label, "Requests");
    for (const path of paths) {
      const links = noReferrer ? [] : this.links(path);
      const row = el(
        "tr",
        {},
        el("td", {}, el("span", { className: "label", textContent: path.path }), bar(path.requests, total)),
        el("td", { className: "num", textContent: number.format(path.requests) }),
        el("td", { className: "num", textContent: share(path.requests, total) }),
      );
      row.dataset.value = path.path;
      row.dataset.count = String(path.requests);
      body.append(row);
      // Where its links are, in a row of their own under it: the whole width of the panel.
      if (links.length > 0) {
        row.className = "has-links";
        const cell = el("td", { colSpan: 3 }, el("ul", { className: "links" }, ...links));
        const under = el("tr", { className: "links-row" }, cell);
        under.dataset.path = path.path;
        body.append(under);
      }
    }
    this.content.append(node);
    const listed = paths.reduce((sum, p) => sum + p.requests, 0);
    if (listed < total)
      this.content.append(
        el("p", {
          className: "note rest",
          textContent: `Other missing pages: ${amount(total - listed, { one: "request", many: "requests" })} (${share(total - listed, total)})`,
        }),
      );
    if (listed < total || this.limit > 10) {
      const more = this.limit === 10;
      const button = toggle(more ? "Show more" : "Show the top 10", () => void this.resize(more ? 100 : 10));
      button.append(el("span", { className: "visually-hidden", textContent: " missing pages" }));
      this.content.append(el("div", { className: "breakdown-actions" }, button));
    }
    return true;
  }

  /** Where a path's links are: internal first, then external, then none. */
  private links(path: NotFound["paths"][number]): HTMLLIElement[] {
    return [
      ...linkItems(
        "internal",
        path.internal.map((l) => ({ at: l.page, count: l.count })),
        "linked from ",
        { one: "other page of the site", many: "other pages of the site" },
      ),
      ...linkItems(
        "external",
        path.external.map((l) => ({ at: l.referrer, count: l.count })),
        "from ",
        { one: "other site", many: "other sites" },
      ),
      ...(path.none > 0 ? [linkItem("none", path.none, "no referrer")] : []),
    ];
  }

  private async resize(limit: number): Promise<void> {
    this.limit = limit;
    if (this.range) await this.load(this.range);
    this.content.querySelector<HTMLButtonElement>("button.more")?.focus();
  }
}
