import { ALB_TYPES, CONNECTION_LINE, withoutPort } from "./alb.js";
import { parseBytes, parseStatus, splitFields, splitRequestLine } from "./fields.js";
import type { LineParser, ParseResult } from "./record.js";
import { isAlbConnectionLine } from "./skip.js";
import { epochFromIso } from "./time.js";

// https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html
// timestamp elb client:port backend:port request_processing_time backend_processing_time
// response_processing_time elb_status_code backend_status_code received_bytes sent_bytes "request"
// "user_agent" ssl_cipher ssl_protocol
const TIME = 0;
const CLIENT = 2;
const ELB_STATUS = 7;
const SENT_BYTES = 10;
const REQUEST = 11;
const USER_AGENT = 12;

/**
 * Classic Load Balancer (ELB) access logs. The status is the one the load balancer returned to the
 * client; the request is an absolute URL (`GET http://www.example.com:80/ HTTP/1.1`), whose host is
 * the one asked for. ELB logs record neither referrer, content type nor request id (a view is
 * identified by its file and line). Logs written before the user agent was added to the format (2015)
 * end at the request: their requests have no user agent and so count as bots. TCP and SSL listeners
 * log `"- - - "` for the request: no method, never a page view.
 */
export class ElbParser implements LineParser {
  readonly format = "elb";
  private readonly fields: string[] = [];

  parse(line: string): ParseResult {
    const result = this.read(line);
    // Checked only for lines refused anyway: this runs for every line.
    return typeof result === "string" && isAlbConnectionLine(line) ? CONNECTION_LINE : result;
  }

  private read(line: string): ParseResult {
    if (line.length === 0) return null;
    const f = this.fields;
    const count = splitFields(line, f, USER_AGENT + 1);
    if (count === -1) return "unterminated quote";
    if (ALB_TYPES.has(f[0]))
      return `an ALB log line (type "${f[0]}"), not a Classic Load Balancer one (--format alb)`;
    if (count <= REQUEST)
      return `truncated line: ${count} fields, a Classic Load Balancer log line has at least 12`;
    const time = epochFromIso(f[TIME]);
    if (Number.isNaN(time)) return `bad time "${f[TIME]}"`;
    const status = parseStatus(f[ELB_STATUS]);
    if (Number.isNaN(status)) return `bad status "${f[ELB_STATUS]}"`;
    if (!f[CLIENT].includes(":"))
      return `bad client "${f[CLIENT]}": a Classic Load Balancer logs address:port`;
    const request = f[REQUEST].startsWith("- - -") ? undefined : splitRequestLine(f[REQUEST]);
    return {
      time,
      method: request?.method ?? "-",
      status,
      bytes: parseBytes(f[SENT_BYTES]),
      path: request?.target ?? "",
      contentType: undefined,
      userAgent: count > USER_AGENT ? f[USER_AGENT] : "-",
      referrer: "-",
      requestId: undefined,
      clientIp: withoutPort(f[CLIENT]),
      host: request?.host,
    };
  }
}
