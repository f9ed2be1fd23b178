/**
 * Files in a log folder that are not web access logs (an FTP server's log, a load balancer's
 * connection log, a README): they are skipped, named once, and never make a run fail. A file that
 * looks like a web log pagetrack cannot read is a failure instead: its views would be lost unseen.
 */
export class NotAnAccessLog extends Error {
  /** `reason` is a one-line description of what the file is: "an IIS FTP log, not a web access log". */
  constructor(readonly reason: string) {
    super(reason);
    this.name = "NotAnAccessLog";
  }
}

/** What `auto` reads, for the messages that name the formats. */
export const READABLE_FORMATS =
  "CloudFront (W3C or JSON lines), other W3C extended (IIS), S3 access, ALB, Classic ELB and combined logs";

/**
 * An ALB connection log line: time, client address and port, listener port, TLS protocol and cipher,
 * handshake latency, then the quoted subject of the client's certificate. (Application Load Balancer
 * User Guide, "Connection logs"; the address and port are two fields.)
 */
const ALB_CONNECTION = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \S+?(?: |:)\d+ \d+ \S+ \S+ (-|[\d.]+) "/;

/** A Network Load Balancer's access log line: `tls 2.0 <time> net/...`, TLS connections only. */
const NLB_ACCESS = /^tls \d+\.\d+ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

export function isAlbConnectionLine(line: string): boolean {
  return ALB_CONNECTION.test(line);
}

export function isNlbLine(line: string): boolean {
  return NLB_ACCESS.test(line);
}

/** A reason to skip a file whose first line is this, when it is a known log that is not of web requests. */
export function notAnAccessLog(firstLine: string): string | undefined {
  if (isAlbConnectionLine(firstLine)) return "an ALB connection log, not an access log";
  if (isNlbLine(firstLine)) return "a Network Load Balancer log (TLS connections), not a web access log";
  return undefined;
}

/**
 * Whether a line no format matched still holds an HTTP request: a method standing as a field of its
 * own (`GET /x`, `\tGET\t`, `, GET,`, `"GET"`) or a protocol (`HTTP/1.1`). That is a web log in a
 * layout pagetrack does not know (a custom nginx `log_format`, JSON, IIS's comma-separated format),
 * as opposed to any other text.
 */
export function holdsHttpRequest(line: string): boolean {
  return /(^|[\s",])(GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH)[\s",]|\bHTTP\/[0-9]/.test(line);
}
