import { parseStatus, splitFields, splitRequestLine } from "./fields.js";
import type { LineParser, ParseResult } from "./record.js";
import { epochFromClf } from "./time.js";

/**
 * The NCSA combined log format of Apache and nginx, optionally preceded by a virtual host
 * (`example.com 192.0.2.1 - - [...]`). The common log format (no referrer, no user agent) parses
 * too; its requests have no user agent and so count as bots unless --include-bots is given.
 * These logs have no request id: a view is identified by its file and line.
 */
export class CombinedParser implements LineParser {
  readonly format = "combined";
  private readonly fields: string[] = [];

  parse(line: string): ParseResult {
    if (line.length === 0) return null;
    const f = this.fields;
    const count = splitFields(line, f, 10);
    if (count === -1) return "unterminated quote or bracket";
    // The bracketed time is the 4th field, or the 5th with a virtual host in front.
    const t = count > 3 && f[3].length >= 26 && f[3].charCodeAt(2) === 47 ? 3 : 4;
    if (count < t + 3) return `truncated line: ${count} fields`;
    const time = epochFromClf(f[t]);
    if (Number.isNaN(time)) return `bad time "${f[t]}"`;
    const status = parseStatus(f[t + 2]);
    if (Number.isNaN(status)) return `bad status "${f[t + 2]}"`;
    const request = splitRequestLine(f[t + 1]);
    return {
      time,
      method: request?.method ?? "-",
      status,
      path: request?.target ?? "",
      contentType: undefined,
      userAgent: count > t + 5 ? f[t + 5] : "-",
      referrer: count > t + 4 ? f[t + 4] : "-",
      requestId: undefined,
      clientIp: f[t - 3],
      host: t === 4 ? f[0] : undefined,
    };
  }
}
