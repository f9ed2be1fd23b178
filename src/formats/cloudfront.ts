import { parseStatusAt } from "./fields.js";
import type { LineParser, LogRecord, ParseResult } from "./record.js";
import { epochFromDateAndTime } from "./time.js";

/**
 * CloudFront standard logs (legacy and v2 "W3C"), and any W3C extended log with a `#Fields` header:
 * the header names the columns, so 24-field (before 2019), 33-field and v2 files with fields added,
 * removed or reordered all parse. Records are tab-separated; v2 can deliver them space-separated,
 * which is detected from the first record. Several names are accepted for the same value (the v2
 * and real-time logs use `cs-user-agent` where the legacy logs use `cs(User-Agent)`).
 */
const COLUMNS = {
  date: ["date"],
  time: ["time"],
  timestamp: ["timestamp"],
  timestampMs: ["timestamp(ms)"],
  method: ["cs-method"],
  status: ["sc-status"],
  path: ["cs-uri-stem"],
  userAgent: ["cs(User-Agent)", "cs-user-agent"],
  referrer: ["cs(Referer)", "cs-referer", "cs-referrer"],
  requestId: ["x-edge-request-id"],
  contentType: ["sc-content-type"],
  clientIp: ["c-ip"],
  // The Host header the viewer sent; cs(Host) is the distribution's own domain, a fallback only.
  host: ["x-host-header", "cs(Host)", "cs-host"],
  query: ["cs-uri-query"],
  country: ["c-country"],
} as const;
type Column = keyof typeof COLUMNS;
const COLUMN_NAMES = Object.keys(COLUMNS) as Column[];

interface Layout {
  fieldCount: number;
  /** For each column of the line, the slot of `values` it fills, or -1. */
  slotOfColumn: Int8Array;
  slot: Record<Column, number>;
}

export class CloudFrontParser implements LineParser {
  readonly format = "cloudfront";
  private layout: Layout | undefined;
  private headerError: string | undefined;
  private delimiter: string | undefined;
  // Where each needed column starts and ends in the current line: slicing only what is kept.
  private readonly starts = new Int32Array(COLUMN_NAMES.length);
  private readonly ends = new Int32Array(COLUMN_NAMES.length);

  parse(line: string): ParseResult {
    if (line.charCodeAt(0) === 35 /* # */) {
      if (line.startsWith("#Fields:")) this.readHeader(line.slice(8));
      return null;
    }
    if (line.length === 0) return null;
    const layout = this.layout;
    if (layout === undefined) {
      return (
        this.headerError ??
        "record before any #Fields header (CloudFront standard logs start with #Version and #Fields lines)"
      );
    }
    if (this.delimiter === undefined) this.delimiter = line.includes("\t") ? "\t" : " ";
    const delimiter = this.delimiter;
    const { starts, ends } = this;
    const slots = layout.slotOfColumn;
    let start = 0;
    let column = 0;
    for (;;) {
      const end = line.indexOf(delimiter, start);
      if (column < slots.length) {
        const slot = slots[column];
        if (slot >= 0) {
          starts[slot] = start;
          ends[slot] = end === -1 ? line.length : end;
        }
      }
      column++;
      if (end === -1) break;
      start = end + 1;
    }
    // A trailing delimiter (seen in real files) adds one empty column.
    if (column === layout.fieldCount + 1 && start === line.length) column--;
    if (column !== layout.fieldCount) {
      return column < layout.fieldCount
        ? `truncated line: ${column} of ${layout.fieldCount} fields`
        : `${column} fields where the #Fields header names ${layout.fieldCount}`;
    }
    return this.toRecord(line, layout.slot);
  }

  private toRecord(line: string, slot: Record<Column, number>): LogRecord | string {
    const { starts, ends } = this;
    const value = (column: Column, absent: string) => {
      const i = slot[column];
      return i < 0 ? absent : line.slice(starts[i], ends[i]);
    };
    let time: number;
    if (slot.date >= 0) time = epochFromDateAndTime(line, starts[slot.date], starts[slot.time]);
    else if (slot.timestamp >= 0) time = Math.floor(Number(value("timestamp", "")));
    else time = Math.floor(Number(value("timestampMs", "")) / 1000);
    if (
      Number.isNaN(time) ||
      (slot.date >= 0 &&
        (ends[slot.date] - starts[slot.date] !== 10 || ends[slot.time] - starts[slot.time] !== 8))
    ) {
      return "bad date or time";
    }
    const status =
      ends[slot.status] - starts[slot.status] === 3 ? parseStatusAt(line, starts[slot.status]) : Number.NaN;
    if (Number.isNaN(status)) return `bad status "${value("status", "")}"`;
    // The common values are shared constants, not fresh strings: this runs for every line.
    const method = isField(line, starts[slot.method], ends[slot.method], "GET") ? "GET" : value("method", "");
    let contentType: string | undefined;
    if (slot.contentType >= 0) {
      const i = slot.contentType;
      if (isField(line, starts[i], ends[i], "text/html")) contentType = "text/html";
      else if (!isField(line, starts[i], ends[i], "-") && ends[i] > starts[i])
        contentType = value("contentType", "");
    }
    return {
      time,
      method,
      status,
      path: value("path", ""),
      contentType,
      userAgent: value("userAgent", "-"),
      referrer: value("referrer", "-"),
      requestId: slot.requestId >= 0 ? value("requestId", "") : undefined,
      clientIp: value("clientIp", "-"),
      host: slot.host >= 0 ? value("host", "") : undefined,
      query: optional(value("query", "-")),
      country: optional(value("country", "-")),
    };
  }

  private readHeader(text: string): void {
    const names = text.trim().split(/[\t ]+/);
    const slot = {} as Record<Column, number>;
    const slotOfColumn = new Int8Array(names.length).fill(-1);
    COLUMN_NAMES.forEach((column, i) => {
      // The first name a column lists wins when a header has several of them.
      const index =
        (COLUMNS[column] as readonly string[]).map((name) => names.indexOf(name)).find((at) => at !== -1) ??
        -1;
      slot[column] = index === -1 ? -1 : i;
      if (index !== -1) slotOfColumn[index] = i;
    });
    const missing: string[] = [];
    const hasTime = (slot.date >= 0 && slot.time >= 0) || slot.timestamp >= 0 || slot.timestampMs >= 0;
    if (!hasTime) missing.push("date and time (or timestamp)");
    for (const column of ["method", "status", "path", "userAgent"] as const) {
      if (slot[column] < 0) missing.push(COLUMNS[column][0]);
    }
    if (missing.length > 0) {
      this.layout = undefined;
      this.headerError = `the #Fields header lacks ${missing.join(", ")}; pagetrack needs them to count page views (add them to the distribution's logging fields)`;
      return;
    }
    this.headerError = undefined;
    this.delimiter = undefined;
    this.layout = { fieldCount: names.length, slotOfColumn, slot };
  }
}

/** A field that may be `-`: undefined then. */
function optional(field: string): string | undefined {
  return field === "-" || field === "" ? undefined : field;
}

function isField(line: string, start: number, end: number, expected: string): boolean {
  return end - start === expected.length && line.startsWith(expected, start);
}
