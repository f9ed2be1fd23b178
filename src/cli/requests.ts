/**
 * `pagetrack crawlers|notfound|feeds`: what only the server's log tells, over a range, as a table,
 * the JSON of `GET /crawlers|/notfound|/feeds`, or CSV.
 */
import type { Command } from "commander";
import type { Crawlers, Feeds, NotFound } from "../contract/answers.js";
import { toCsv } from "../contract/csv.js";
import { BREAKDOWN_LIMIT } from "../contract/rules.js";
import { resolveRange } from "../query/range.js";
import { crawlers, feeds, notFound, type RangeQuery } from "../query/server.js";
import { siteSettings } from "../query/site.js";
import type { Store } from "../store/store.js";
import type { Io } from "./io.js";
import { formatBytes, formatNumber, plural } from "./messages.js";
import { wholeOption, zoneOption } from "./options.js";
import { type OutputFlags, outputOf, print, write } from "./query.js";
import { addStoreOptions, type StoreFlags, withStore } from "./store-options.js";

interface RangeFlags extends StoreFlags, OutputFlags {
  from?: string;
  to?: string;
  tz?: string;
  limit: number;
}

/** One command: its name, what it says it does, the CSV it writes and the table it prints. */
interface ServerQuery<A> {
  name: string;
  description: string;
  limit?: boolean;
  answer(store: Store, site: string, q: RangeQuery & { limit: number }): Promise<A>;
  csv(answer: A): string;
  table(answer: A): string[];
}

const COMMANDS = [
  {
    name: "crawlers",
    description:
      "every crawler's requests, pages, bytes and last request: search engines, AI crawlers, monitors",
    answer: crawlers,
    csv: (a: Crawlers) =>
      toCsv(
        ["name", "category", "requests", "pages", "bytes", "last"],
        a.crawlers.map((c) => [c.name, c.category, c.requests, c.pages, c.bytes, c.last]),
      ),
    table: crawlersTable,
  } satisfies ServerQuery<Crawlers>,
  {
    name: "notfound",
    description: "missing pages (404 and 410) with the pages and sites that link to them",
    limit: true,
    answer: notFound,
    csv: (a: NotFound) =>
      toCsv(
        ["path", "requests", "link", "from", "count"],
        a.paths.flatMap((p) => [
          ...p.internal.map((l) => [p.path, p.requests, "internal", l.page, l.count]),
          ...p.external.map((l) => [p.path, p.requests, "external", l.referrer, l.count]),
          ...(p.none > 0 ? [[p.path, p.requests, "none", "", p.none]] : []),
        ]),
      ),
    table: notFoundTable,
  } satisfies ServerQuery<NotFound>,
  {
    name: "feeds",
    description:
      "each feed's subscribers on the last day it was fetched: readers' own counts plus other clients",
    answer: feeds,
    csv: (a: Feeds) =>
      toCsv(
        ["path", "day", "subscribers", "reader", "reported"],
        a.feeds.flatMap((f) =>
          f.readers.length === 0
            ? [[f.path, f.day, f.subscribers, "", ""]]
            : f.readers.map((r) => [f.path, f.day, f.subscribers, r.name, r.subscribers]),
        ),
      ),
    table: feedsTable,
  } satisfies ServerQuery<Feeds>,
];

export function registerServerQueries(program: Command, io: Io): void {
  for (const query of COMMANDS as ServerQuery<unknown>[]) {
    const command = program
      .command(query.name)
      .description(query.description)
      .option("--from <date>", "start: YYYY-MM-DD (in --tz) or an ISO 8601 time (default: 30 days ago)")
      .option("--to <date>", "end, exclusive for a time, inclusive for a date (default: now)")
      .option("--tz <zone>", "IANA time zone of the dates (default: the site's)", zoneOption);
    if (query.limit)
      command.option(
        "--limit <n>",
        `paths to list (1 to ${BREAKDOWN_LIMIT.max})`,
        wholeOption(1, BREAKDOWN_LIMIT.max),
        BREAKDOWN_LIMIT.default,
      );
    addStoreOptions(
      command
        .option("--json", `print the JSON the HTTP API returns for /${query.name}`, false)
        .option("--csv", "print CSV", false),
    ).action(async (flags: RangeFlags) => {
      const output = outputOf(flags);
      await withStore(io, flags, async ({ store, site }) => {
        const tz = flags.tz ?? (await siteSettings(store, site)).timeZone;
        const range = resolveRange(flags.from, flags.to, "day", tz);
        const answer = await query.answer(store, site, { tz, limit: flags.limit, ...range });
        if (output === "json") print(io, answer);
        else if (output === "csv") write(io, query.csv(answer));
        else write(io, `${query.table(answer).join("\n")}\n`);
      });
    });
  }
}

/** Crawlers, most requests first, AI crawlers marked so that they stand out. */
function crawlersTable(a: Crawlers): string[] {
  const rows = a.crawlers.map((c) => [
    formatNumber(c.requests),
    formatNumber(c.pages),
    formatBytes(c.bytes),
    c.last.slice(0, 16).replace("T", " "),
    c.category === "ai" ? "ai *" : c.category,
    c.name,
  ]);
  const header = ["Requests", "Pages", "Bytes", "Last (UTC)", "Category", "Crawler"];
  const requests = a.crawlers.reduce((sum, c) => sum + c.requests, 0);
  const ai = a.crawlers.filter((c) => c.category === "ai").reduce((sum, c) => sum + c.requests, 0);
  return [
    ...columns(header, rows, 4),
    rows.length === 0 ? "  (no requests from crawlers in this range)" : "",
    `${a.from} to ${a.to}: ${plural(requests, "request")} from ${plural(a.crawlers.length, "crawler")}; * AI crawlers: ${formatNumber(ai)}`,
  ].filter((line) => line !== "");
}

const LINKS_SHOWN = 3;

/** Missing paths, each with where its links are: the site's own pages first (broken links to fix). */
function notFoundTable(a: NotFound): string[] {
  const lines = ["Requests  Missing page"];
  const indent = "".padStart(10);
  // The three most frequent links of each kind: --json and --csv have them all.
  const some = (links: string[]) =>
    links.length > LINKS_SHOWN
      ? [...links.slice(0, LINKS_SHOWN), `(${links.length - LINKS_SHOWN} more)`]
      : links;
  for (const p of a.paths) {
    lines.push(`${formatNumber(p.requests).padStart(8)}  ${p.path}`);
    for (const link of some(p.internal.map((l) => `linked from ${l.page} on this site (${l.count})`)))
      lines.push(`${indent}${link}`);
    for (const link of some(p.external.map((l) => `linked from ${l.referrer} (${l.count})`)))
      lines.push(`${indent}${link}`);
    if (p.none > 0) lines.push(`${indent}no referrer: typed, bookmarked or probed (${p.none})`);
  }
  if (a.paths.length === 0) lines.push("          (no missing pages in this range)");
  else if (a.paths.every((p) => p.internal.length === 0 && p.external.length === 0))
    lines.push(
      "(no request had a referrer: ALB and ELB logs record none, so where the links are is unknown)",
    );
  lines.push(`${a.from} to ${a.to}: ${plural(a.total, "request")} of missing pages`);
  return lines;
}

function feedsTable(a: Feeds): string[] {
  const rows = a.feeds.map((f) => [
    formatNumber(f.subscribers),
    f.day,
    f.path,
    f.readers.map((r) => `${r.name} ${formatNumber(r.subscribers)}`).join(", "),
  ]);
  return [
    ...columns(["Subscribers", "Day", "Feed", "Reported by readers"], rows, 1),
    ...(rows.length === 0 ? ["  (no feed fetched in this range)"] : []),
    `${a.from} to ${a.to}: subscribers on the last day each feed was fetched (readers' own counts, plus one per other client)`,
  ];
}

/** Rows as columns: the first `right` right-aligned (numbers), the others left-aligned. */
function columns(header: string[], rows: string[][], right: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < right ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
