import { CLOUDFRONT_LEGACY_COUNTS, CLOUDFRONT_LEGACY_FIELDS, headerlessLayout } from "./cloudfront.js";
import { parseBytesAt, parseStatusAt } from "./fields.js";
import type { LineParser, LogRecord, ParseResult } from "./record.js";
import { NotAnAccessLog } from "./skip.js";
import { epochFromDateAndTime, epochFromTimestamp } from "./time.js";

/**
 * W3C extended log files, whatever wrote them: a `#Fields` header names the columns, so CloudFront's
 * standard logs (24-field files before 2019, 33-field ones, v2 files with fields added, removed or
 * reordered), IIS logs and any other producer's parse alike. Records are tab-separated (CloudFront)
 * or space-separated (IIS, CloudFront v2 when so configured), which is detected from the first
 * record. Several names are accepted for the same value (the v2 and real-time logs use
 * `cs-user-agent` where the legacy logs use `cs(User-Agent)`).
 *
 * The producer is the `#Software` header's (`Microsoft Internet Information Services 10.0`), or
 * CloudFront when the columns are CloudFront's (`x-edge-...`), or else just "W3C extended log": the
 * reasons a line or a header is refused name it and give its advice, not CloudFront's. Microsoft's servers write a space in a
 * value as `+` (they have no other escape); the user agent and referrer of their logs are read so.
 * CloudFront percent-encodes instead, and the page-view rule decodes that.
 *
 * A value may be double-quoted, as Log Parser and other tools write values with spaces
 * (`"Mozilla/5.0 (Windows NT 10.0)"`): it is one field, without its quotes (a quote inside is doubled).
 * A log whose first `#Fields` name no web request (IIS's FTP logs) is not read: NotAnAccessLog.
 *
 * A CloudFront file whose header lines were removed is read by its field count (cloudfront.ts).
 */
export const COLUMNS = {
  date: ["date"],
  time: ["time"],
  timestamp: ["timestamp"],
  timestampMs: ["timestamp(ms)"],
  method: ["cs-method"],
  status: ["sc-status"],
  bytes: ["sc-bytes"],
  path: ["cs-uri-stem"],
  userAgent: ["cs(User-Agent)", "cs-user-agent"],
  referrer: ["cs(Referer)", "cs-referer", "cs-referrer"],
  requestId: ["x-edge-request-id"],
  contentType: ["sc-content-type"],
  clientIp: ["c-ip"],
  // The Host header the viewer sent; cs(Host) is CloudFront's own domain, a fallback only. IIS: cs-host.
  host: ["x-host-header", "cs(Host)", "cs-host"],
  query: ["cs-uri-query"],
  country: ["c-country"],
} as const;
export type Column = keyof typeof COLUMNS;
export const COLUMN_NAMES = Object.keys(COLUMNS) as Column[];

/** The columns without which no page view can be told, by their first name. */
export function missingColumns(has: (column: Column) => boolean): string[] {
  const missing: string[] = [];
  if (!((has("date") && has("time")) || has("timestamp") || has("timestampMs"))) {
    missing.push("date and time (or timestamp)");
  }
  for (const column of ["method", "status", "path", "userAgent"] as const) {
    if (!has(column)) missing.push(COLUMNS[column][0]);
  }
  return missing;
}

interface Layout {
  fieldCount: number;
  /** For each column of the line, the slot of `values` it fills, or -1. */
  slotOfColumn: Int8Array;
  slot: Record<Column, number>;
  /** Read by field count, without a `#Fields` header (a CloudFront legacy line). */
  headerless: boolean;
}

/** "24, 26 or 33" */
const LEGACY_COUNTS = `${CLOUDFRONT_LEGACY_COUNTS.slice(0, -1).join(", ")} or ${CLOUDFRONT_LEGACY_COUNTS.at(-1)}`;

export class W3cParser implements LineParser {
  private layout: Layout | undefined;
  private headerError: string | undefined;
  private delimiter: string | undefined;
  /** The `#Software` header, when the log has one. */
  private software: string | undefined;
  /** Whether the columns are CloudFront's; before any header, whether the file was taken for one. */
  private cloudFront: boolean;
  /** `+` stands for a space in the user agent and referrer (Microsoft's servers). */
  private plusIsSpace = false;
  /** Some value was quoted: a quote inside one is written twice. */
  private quoted = false;
  /** A `#Fields` header was read: only the first one can tell that the file is not a web log. */
  private sawFields = false;
  // Where each needed column starts and ends in the current line: slicing only what is kept.
  private readonly starts = new Int32Array(COLUMN_NAMES.length);
  private readonly ends = new Int32Array(COLUMN_NAMES.length);

  /** The first quoted value changes how quotes in later ones read; CloudFront's columns are never quoted. */
  get ordered(): boolean {
    return !this.cloudFront;
  }

  /** `cloudfront` and `w3c` read the same; the name labels the file and sets the first advice. */
  constructor(readonly format: "cloudfront" | "w3c" = "w3c") {
    this.cloudFront = format === "cloudfront";
  }

  parse(line: string): ParseResult {
    if (line.charCodeAt(0) === 35 /* # */) {
      if (line.startsWith("#Fields:")) this.readHeader(line.slice(8));
      else if (line.startsWith("#Software:")) this.readSoftware(line.slice(10));
      return null;
    }
    if (line.length === 0) return null;
    let layout = this.layout;
    if (layout === undefined) {
      if (this.headerError !== undefined) return this.headerError;
      layout = this.readHeaderless(line);
      if (layout === undefined) return this.noHeaderReason(line);
    }
    if (this.delimiter === undefined) this.delimiter = line.includes("\t") ? "\t" : " ";
    const delimiter = this.delimiter;
    const { starts, ends } = this;
    const slots = layout.slotOfColumn;
    let start = 0;
    let column = 0;
    // Lines with a quote take their own split: CloudFront encodes quotes, other producers seldom
    // write one, and this loop is what every line costs.
    if (!this.cloudFront && line.indexOf('"') !== -1) {
      const split = this.splitQuoted(line, delimiter, slots);
      if (typeof split === "string") return split;
      [column, start] = split;
    } else
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
    if (column !== layout.fieldCount) return this.countMismatch(line, column, layout);
    return this.toRecord(line, layout.slot);
  }

  /**
   * Splits a line that holds a quote: a value that starts with one (Log Parser and others quote
   * values with spaces) is one field, its quotes removed. Returns the columns and where the last began.
   */
  private splitQuoted(line: string, delimiter: string, slots: Int8Array): [number, number] | string {
    const { starts, ends } = this;
    let start = 0;
    let column = 0;
    for (;;) {
      let end: number;
      let from = start;
      let to: number;
      if (line.charCodeAt(start) === 34 /* " */) {
        const close = closingQuote(line, start + 1, delimiter);
        if (close === -1) return "unterminated quote";
        this.quoted = true;
        from = start + 1;
        to = close;
        end = close + 1 === line.length ? -1 : close + 1;
      } else {
        end = line.indexOf(delimiter, start);
        to = end === -1 ? line.length : end;
      }
      if (column < slots.length) {
        const slot = slots[column];
        if (slot >= 0) {
          starts[slot] = from;
          ends[slot] = to;
        }
      }
      column++;
      if (end === -1) return [column, start];
      start = end + 1;
    }
  }

  private toRecord(line: string, slot: Record<Column, number>): LogRecord | string {
    const { starts, ends } = this;
    const value = (column: Column, absent: string) => {
      const i = slot[column];
      return i < 0 ? absent : line.slice(starts[i], ends[i]);
    };
    let time: number;
    if (slot.date >= 0) time = epochFromDateAndTime(line, starts[slot.date], starts[slot.time]);
    else if (slot.timestamp >= 0) time = epochFromTimestamp(value("timestamp", ""));
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
    let userAgent = value("userAgent", "-");
    let referrer = value("referrer", "-");
    if (this.plusIsSpace) {
      userAgent = plusAsSpace(userAgent);
      referrer = plusAsSpace(referrer);
    }
    if (this.quoted) {
      userAgent = unescapeQuotes(userAgent);
      referrer = unescapeQuotes(referrer);
    }
    return {
      time,
      method,
      status,
      // IIS does not log sc-bytes by default.
      bytes: slot.bytes >= 0 ? parseBytesAt(line, starts[slot.bytes], ends[slot.bytes]) : 0,
      path: value("path", ""),
      contentType,
      userAgent,
      referrer,
      requestId: slot.requestId >= 0 ? value("requestId", "") : undefined,
      clientIp: value("clientIp", "-"),
      host: slot.host >= 0 ? value("host", "") : undefined,
      query: optional(value("query", "-")),
      country: optional(value("country", "-")),
    };
  }

  private readSoftware(text: string): void {
    const software = text.trim();
    this.software = software === "" ? undefined : software;
    this.plusIsSpace = this.software !== undefined && /^Microsoft\b/.test(this.software);
  }

  private readHeader(text: string): void {
    const names = text.trim().split(/[\t ]+/);
    this.cloudFront = names.some((name) => name.startsWith("x-edge-"));
    if (!this.sawFields) {
      this.sawFields = true;
      const other = this.notWebRequests(names);
      if (other !== undefined) throw new NotAnAccessLog(other);
    }
    const layout = layoutOf(names, false);
    const missing = missingColumns((column) => layout.slot[column] >= 0);
    if (missing.length > 0) {
      this.layout = undefined;
      this.headerError = `the #Fields header${this.software ? ` of this ${this.software} log` : ""} lacks ${missing.join(", ")}; pagetrack needs them to count page views (${this.fieldsAdvice()})`;
      return;
    }
    this.headerError = undefined;
    this.delimiter = undefined;
    this.layout = layout;
  }

  /**
   * What a log whose columns are not those of web requests is: an FTP server's (IIS logs FTP sessions
   * in the same W3C format, under FTPSVC* beside the web sites' W3SVC*, with `x-session` and
   * `x-fullpath`), or any other W3C log with no request at all (a firewall's). Undefined for a web log,
   * also one that lacks a column pagetrack needs: that is said line by line.
   */
  private notWebRequests(names: string[]): string | undefined {
    if (names.includes("x-session") || names.includes("x-fullpath")) {
      return this.plusIsSpace
        ? "an IIS FTP log, not a web access log"
        : "an FTP server's log, not a web access log";
    }
    if (!this.cloudFront && !names.some((name) => name === "cs-method" || name.startsWith("cs-uri"))) {
      return `a W3C extended log${this.software ? ` of ${this.software}` : ""} that records no web requests (its #Fields name no cs-method or cs-uri-stem), not a web access log`;
    }
    return undefined;
  }

  /** Before any `#Fields` header: a CloudFront legacy line, read by its field count. */
  private readHeaderless(line: string): Layout | undefined {
    if (this.software !== undefined) return undefined;
    const count = headerlessLayout(line);
    if (count === undefined) return undefined;
    this.cloudFront = true;
    this.delimiter = "\t";
    this.layout = layoutOf(CLOUDFRONT_LEGACY_FIELDS.slice(0, count), true);
    return this.layout;
  }

  private countMismatch(line: string, count: number, layout: Layout): ParseResult {
    if (layout.headerless) {
      // Files of several years, concatenated without their headers: each line has its own layout.
      const other = headerlessLayout(line);
      if (other !== undefined && other !== layout.fieldCount) {
        this.layout = layoutOf(CLOUDFRONT_LEGACY_FIELDS.slice(0, other), true);
        return this.parse(line);
      }
      if (count < layout.fieldCount) return `truncated line: ${count} of ${layout.fieldCount} fields`;
      return `${count} fields, where a CloudFront line without a #Fields header has ${LEGACY_COUNTS}`;
    }
    return count < layout.fieldCount
      ? `truncated line: ${count} of ${layout.fieldCount} fields`
      : `${count} fields where the #Fields header names ${layout.fieldCount}`;
  }

  private noHeaderReason(line: string): string {
    if (this.software !== undefined) {
      return `record before any #Fields header (a ${this.software} log names its columns in a #Fields line before its records)`;
    }
    if (line.startsWith("{")) {
      return "record before any #Fields header: this line is JSON (CloudFront standard logging v2 delivered as JSON is read with --format cloudfront-json, or auto)";
    }
    if (this.cloudFront) {
      return `record before any #Fields header, and not a CloudFront standard log line without one (${LEGACY_COUNTS} tab-separated fields, date and time first)`;
    }
    return "record before any #Fields header (a W3C extended log names its columns in a #Fields line before its records)";
  }

  /** Where the fields a log records are chosen, for the producer at hand. */
  private fieldsAdvice(): string {
    if (this.cloudFront && this.software === undefined)
      return "add them to the distribution's logging fields";
    if (this.plusIsSpace) return "select them in the site's Logging fields in IIS Manager";
    return "add them to the fields the server logs";
  }
}

function layoutOf(names: readonly string[], headerless: boolean): Layout {
  const slot = {} as Record<Column, number>;
  const slotOfColumn = new Int8Array(names.length).fill(-1);
  COLUMN_NAMES.forEach((column, i) => {
    // The first name a column lists wins when a header has several of them.
    const index =
      (COLUMNS[column] as readonly string[]).map((name) => names.indexOf(name)).find((at) => at !== -1) ?? -1;
    slot[column] = index === -1 ? -1 : i;
    if (index !== -1) slotOfColumn[index] = i;
  });
  return { fieldCount: names.length, slotOfColumn, slot, headerless };
}

/** A field that may be `-`: undefined then. */
function optional(field: string): string | undefined {
  return field === "-" || field === "" ? undefined : field;
}

/**
 * Where the quoted value that starts before `from` ends: at a quote followed by the delimiter or the
 * end of the line (a doubled quote inside is part of the value); -1 when none.
 */
function closingQuote(line: string, from: number, delimiter: string): number {
  let at = from;
  for (;;) {
    at = line.indexOf('"', at);
    if (at === -1) return -1;
    if (at + 1 === line.length || line.startsWith(delimiter, at + 1)) return at;
    at++;
  }
}

function unescapeQuotes(field: string): string {
  return field.includes('""') ? field.replaceAll('""', '"') : field;
}

function plusAsSpace(field: string): string {
  return field.includes("+") ? field.replaceAll("+", " ") : field;
}

/** Whether the field from `start` to `end` is `expected`: compared in place, and cheaper than startsWith. */
function isField(line: string, start: number, end: number, expected: string): boolean {
  if (end - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++)
    if (line.charCodeAt(start + i) !== expected.charCodeAt(i)) return false;
  return true;
}
