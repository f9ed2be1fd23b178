import { parseBytes, parseStatus } from "./fields.js";
import type { LineParser, ParseResult } from "./record.js";
import { epochFromDateAndTime, epochFromIso, epochFromTimestamp } from "./time.js";
import { COLUMNS, type Column, missingColumns } from "./w3c.js";

const NOT_AN_OBJECT = "not a JSON object (this format has one JSON object a line)";

/**
 * CloudFront standard logging (v2) delivered as JSON: to CloudWatch Logs, to Data Firehose, or to S3
 * with the JSON output format. One object a line whose keys are the v2 field names (`date`, `time`,
 * `c-ip`, `cs-method`, `cs-uri-stem`, `sc-status`, `cs(User-Agent)`, `x-edge-request-id`,
 * `x-host-header`, `c-country`, `timestamp`, ...; the names of the W3C files, w3c.ts). Values may be
 * strings or numbers; `-`, an empty string or null are "not logged" (a user agent that is not logged
 * is a bot's); a record without a field pagetrack needs (a key missing) is rejected.
 *
 * A CloudWatch Logs event exported as it is stored (`{"timestamp": ..., "message": "{...}"}`) is read
 * through its message.
 */
export class CloudFrontJsonParser implements LineParser {
  readonly format = "cloudfront-json";

  parse(line: string): ParseResult {
    if (line.trim() === "") return null;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (!line.trimStart().startsWith("{")) return NOT_AN_OBJECT;
      return `bad JSON (${error instanceof Error ? error.message : String(error)})`;
    }
    let record = asObject(value);
    if (record === undefined) return NOT_AN_OBJECT;
    if (!hasAny(record, "path") && typeof record.message === "string") {
      // A CloudWatch Logs event: the log record is its message.
      const message = record.message;
      let inner: unknown;
      try {
        inner = JSON.parse(message);
      } catch {
        return "a CloudWatch Logs event whose message is not a JSON object (standard logging v2 in JSON writes one)";
      }
      record = asObject(inner);
      if (record === undefined) return "a CloudWatch Logs event whose message is not a JSON object";
    }
    if (Array.isArray(record.logEvents)) {
      return "a CloudWatch Logs subscription batch (logEvents): write one event a line, or their messages";
    }
    const fields = record;
    /** The value of a column as logged (`-` too), or undefined when the record has no such key. */
    const raw = (column: Column): string | undefined => {
      for (const name of COLUMNS[column]) {
        const v = fields[name];
        if (typeof v === "string") return v;
        if (typeof v === "number" && Number.isFinite(v)) return String(v);
        if (v === null) return "-";
      }
      return undefined;
    };
    /** The value of a column, undefined when it is not logged or `-`. */
    const get = (column: Column): string | undefined => {
      const v = raw(column);
      return v === "" || v === "-" ? undefined : v;
    };
    const missing = missingColumns((column) => raw(column) !== undefined);
    if (missing.length > 0) {
      return `no ${missing.join(", ")} in the record; pagetrack needs them to count page views (add them to the distribution's logging fields)`;
    }
    const date = get("date");
    const clock = get("time");
    let time: number;
    if (date !== undefined && clock !== undefined) {
      time =
        date.length === 10 && clock.length === 8
          ? epochFromDateAndTime(`${date} ${clock}`, 0, 11)
          : Number.NaN;
    } else {
      const timestamp = get("timestamp");
      if (timestamp !== undefined) {
        time = timestamp.includes("T") ? epochFromIso(timestamp) : epochFromTimestamp(timestamp);
      } else {
        time = Math.floor(Number(get("timestampMs")) / 1000);
      }
    }
    if (Number.isNaN(time)) return "bad date or time";
    const statusText = get("status") ?? "";
    const status = parseStatus(statusText);
    if (Number.isNaN(status)) return `bad status "${statusText}"`;
    const contentType = get("contentType");
    return {
      time,
      method: get("method") ?? "-",
      status,
      bytes: parseBytes(raw("bytes")),
      path: get("path") ?? "",
      contentType,
      userAgent: raw("userAgent") || "-",
      referrer: get("referrer") ?? "-",
      requestId: get("requestId"),
      clientIp: get("clientIp") ?? "-",
      host: get("host"),
      query: get("query"),
      country: get("country"),
    };
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function hasAny(record: Record<string, unknown>, column: Column): boolean {
  return COLUMNS[column].some((name) => name in record);
}
