import { parseBytes, parseStatus, splitFields, splitRequestLine } from "./fields.js";
import type { LineParser, LogRecord, ParseResult } from "./record.js";
import { epochFromClf } from "./time.js";

/** How a combined line starts, for messages. */
const EXAMPLE = '192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1"';

/**
 * The NCSA combined log format of Apache and nginx, optionally preceded by a virtual host
 * (`example.com 192.0.2.1 - - [...]`). The common log format (no referrer, no user agent) parses
 * too; its requests have no user agent and so count as bots unless --include-bots is given.
 * These logs have no request id: a view is identified by its file and line.
 *
 * A client field that is an X-Forwarded-For list (`203.0.113.7, 10.0.0.2 - - [...]`, as nginx logs
 * `$http_x_forwarded_for` or `$proxy_add_x_forwarded_for` in its place) is read: its first address is
 * the client's, the others are proxies. Lines that start with `#` are comments, skipped.
 */
export class CombinedParser implements LineParser {
  readonly format = "combined";
  private readonly fields: string[] = [];

  parse(line: string): ParseResult {
    if (line.length === 0 || line.charCodeAt(0) === 35 /* # */) return null;
    const f = this.fields;
    const count = splitFields(line, f, 10);
    if (count === -1) return "unterminated quote or bracket";
    // The bracketed time is the 4th field, or the 5th with a virtual host in front; anything else
    // (an address list, missing fields) is read apart.
    let t: number;
    if (count > 3 && isClfTime(f[3]) && !endsWithComma(f[0])) t = 3;
    else if (count > 4 && isClfTime(f[4]) && !endsWithComma(f[0]) && !endsWithComma(f[1])) t = 4;
    else return this.unusual(line);
    const client = f[t - 3];
    const clientIp = client.includes(",") ? firstAddress(client) : client;
    return this.record(f, count, t, clientIp, t === 4 ? f[0] : undefined, count);
  }

  /** The record whose time is `f[t]`, or why there is none; the line has `fields` fields. */
  private record(
    f: string[],
    count: number,
    t: number,
    clientIp: string,
    host: string | undefined,
    fields: number,
  ): LogRecord | string {
    if (count < t + 3) return `truncated line: ${fields} fields`;
    const time = epochFromClf(f[t]);
    if (Number.isNaN(time))
      return `bad time "${f[t]}": combined logs write it as [10/Oct/2000:13:55:36 -0700]`;
    const status = parseStatus(f[t + 2]);
    if (Number.isNaN(status)) return `bad status "${f[t + 2]}"`;
    const request = splitRequestLine(f[t + 1]);
    return {
      time,
      method: request?.method ?? "-",
      status,
      // %b, after the status; a line cut off after the status has none.
      bytes: count > t + 3 ? parseBytes(f[t + 3]) : 0,
      path: request?.target ?? "",
      contentType: undefined,
      userAgent: count > t + 5 ? f[t + 5] : "-",
      referrer: count > t + 4 ? f[t + 4] : "-",
      requestId: undefined,
      clientIp,
      host,
    };
  }

  /**
   * A line whose time is not where a combined line has it: read by the fields before the bracketed
   * time, so that an address list is read and a missing field is named.
   */
  private unusual(line: string): ParseResult {
    const open = line.indexOf("[");
    const quote = line.indexOf('"');
    if (open === -1 || (quote !== -1 && quote < open))
      return `no time in brackets: a combined line starts ${EXAMPLE}`;
    // The fields before the time; an address list ("a, b, c") is one of them.
    const before: string[] = [];
    for (const token of line.slice(0, open).split(" ")) {
      if (token === "") continue;
      const last = before.length - 1;
      if (last >= 0 && endsWithComma(before[last])) before[last] += ` ${token}`;
      else before.push(token);
    }
    const shown = quoted(line.slice(0, open).trim());
    if (before.length === 0)
      return `missing the client, ident and user fields before the time: a combined line starts ${EXAMPLE}`;
    if (before.length === 1)
      return `missing the ident and user fields ("- -") between the client ${shown} and the time: a combined line starts ${EXAMPLE}`;
    if (before.length === 2 || before.length > 4)
      return `${before.length} fields before the time (${shown}) where a combined line has the client, ident and user ("192.0.2.1 - -"), after a virtual host or not`;
    const f = this.fields;
    const count = splitFields(line.slice(open), f, 8);
    if (count === -1) return "unterminated quote or bracket";
    const client = before[before.length - 3];
    const host = before.length === 4 ? before[0] : undefined;
    return this.record(f, count, 0, firstAddress(client), host, before.length + count);
  }
}

/** Whether a field is a CLF time (`10/Oct/2000:13:55:36 -0700`) by its shape. */
function isClfTime(s: string): boolean {
  return s.length >= 26 && s.charCodeAt(2) === 47;
}

function endsWithComma(s: string): boolean {
  return s.charCodeAt(s.length - 1) === 44;
}

/**
 * The client of an X-Forwarded-For list (`203.0.113.7, 10.0.0.2`): its first address (the others
 * are the proxies it went through), without a port; `unknown` entries (RFC 7239) are passed over.
 */
function firstAddress(list: string): string {
  if (!list.includes(",")) return list;
  for (const entry of list.split(",")) {
    let address = entry.trim();
    if (address === "" || address === "-" || address.toLowerCase() === "unknown") continue;
    const v6 = /^\[([^\]]+)\](:\d+)?$/.exec(address);
    if (v6) address = v6[1];
    else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.slice(0, address.indexOf(":"));
    return address;
  }
  return "-";
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}
