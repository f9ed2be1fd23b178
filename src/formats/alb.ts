import { parseBytes, parseStatus, splitFields, splitRequestLine } from "./fields.js";
import type { LineParser, ParseResult } from "./record.js";
import { isAlbConnectionLine, isNlbLine } from "./skip.js";
import { epochFromIso } from "./time.js";

// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
const TYPE = 0;
const TIME = 1;
const CLIENT = 3;
const ELB_STATUS = 8;
const SENT_BYTES = 11;
const REQUEST = 12;
const USER_AGENT = 13;
const TRACE_ID = 17;
/** Why a line of an ALB's connection log, in a file of access logs, is not read. */
export const CONNECTION_LINE = "an ALB connection log line (a TLS handshake), not an access log line";
const NLB_LINE = "a Network Load Balancer log line (a TLS connection), not an ALB access log line";
/** The first field of an ALB access log line. */
export const ALB_TYPES: ReadonlySet<string> = new Set(["http", "https", "h2", "grpcs", "ws", "wss"]);

/**
 * Application Load Balancer access logs. The request is an absolute URL; the status is the one the
 * load balancer returned to the client. ALB logs record neither referrer nor content type.
 * NLB and connection-log lines that end up in the same files are rejected, named as what they are.
 */
export class AlbParser implements LineParser {
  readonly format = "alb";
  private readonly fields: string[] = [];

  parse(line: string): ParseResult {
    if (line.length === 0) return null;
    const f = this.fields;
    const count = splitFields(line, f, TRACE_ID + 1);
    if (count === -1) return "unterminated quote";
    if (!ALB_TYPES.has(f[TYPE])) {
      if (isAlbConnectionLine(line)) return CONNECTION_LINE;
      if (isNlbLine(line)) return NLB_LINE;
      return /^\d{4}-\d\d-\d\dT/.test(f[TYPE])
        ? "a Classic Load Balancer (ELB) log line, not an ALB one: it starts with its time, not a type (--format elb)"
        : `not an ALB access log line (type "${f[TYPE]}")`;
    }
    if (count <= TRACE_ID) return `truncated line: ${count} fields, an ALB log line has at least 18`;
    const time = epochFromIso(f[TIME]);
    if (Number.isNaN(time)) return `bad time "${f[TIME]}"`;
    const status = parseStatus(f[ELB_STATUS]);
    if (Number.isNaN(status)) return `bad status "${f[ELB_STATUS]}"`;
    const request = splitRequestLine(f[REQUEST]);
    return {
      time,
      method: request?.method ?? "-",
      status,
      bytes: parseBytes(f[SENT_BYTES]),
      path: request?.target ?? "",
      contentType: undefined,
      userAgent: f[USER_AGENT],
      referrer: "-",
      requestId: f[TRACE_ID] === "-" ? undefined : f[TRACE_ID],
      clientIp: withoutPort(f[CLIENT]),
      host: request?.host,
    };
  }
}

/** `192.0.2.1:2817` or `[2001:db8::1]:2817` without the port. */
export function withoutPort(address: string): string {
  const colon = address.lastIndexOf(":");
  if (colon === -1 || address === "-") return address;
  const ip = address.slice(0, colon);
  return ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
}
