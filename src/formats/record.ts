/** One request as read from a log line, before the page-view rule is applied. */
export interface LogRecord {
  /** Request time, whole seconds since the Unix epoch (UTC). */
  time: number;
  /** HTTP method, upper case (`GET`), or `-` when the log has none. */
  method: string;
  /** HTTP status; 0 when the log records none (`-`, `000`). */
  status: number;
  /**
   * Bytes of the response sent to the client, as the log records them; 0 when it records none, `-`,
   * or a value that is not digits. CloudFront (legacy, v2 files and JSON), IIS and other W3C logs:
   * `sc-bytes` (the 4th field of a CloudFront line without its header). S3: Bytes Sent. ALB and
   * ELB: `sent_bytes`. Combined and common: the `%b` field after the status (body bytes only).
   */
  bytes: number;
  /** Request path as logged, possibly percent-encoded, possibly with a query string. */
  path: string;
  /** Response content type, or undefined when the format does not record one or it is `-`. */
  contentType: string | undefined;
  /** User agent, still encoded as the format stores it (decoded by the page-view rule, pageview/decode.ts). */
  userAgent: string;
  /** Referrer as logged, `-` when absent. */
  referrer: string;
  /** The log's own request id (CloudFront, S3, ALB), or undefined (combined, ELB and IIS logs). */
  requestId: string | undefined;
  /** The client's IP address as logged (no port), or `-`. */
  clientIp: string;
  /** The host the request was made to, where the format logs it (Host header, bucket, vhost). */
  host: string | undefined;
  /** The query string, where the format logs it apart from the path (CloudFront `cs-uri-query`). */
  query?: string;
  /** The client's country (ISO 3166-1 alpha-2), where the format logs it (CloudFront `c-country`). */
  country?: string;
}

/** The result of parsing one line: a record, a reason the line is rejected, or null for a comment. */
export type ParseResult = LogRecord | string | null;

export interface LineParser {
  readonly format: FormatName;
  /** Parses one line (without its newline). Returns a string to reject the line with that reason. */
  parse(line: string): ParseResult;
  /**
   * Whether a record can change how the records after it read (beyond the headers, and the first
   * record after them): then the file's lines are read in order, by one thread.
   */
  readonly ordered?: boolean;
}

/**
 * The `--format` names. `cloudfront` and `w3c` are the same reader of W3C extended logs (columns named
 * by `#Fields`; CloudFront's legacy layouts also without it): the name only labels the file.
 */
export const FORMATS = ["cloudfront", "cloudfront-json", "w3c", "s3", "alb", "elb", "combined"] as const;
export type FormatName = (typeof FORMATS)[number];
export type FormatOption = FormatName | "auto";
