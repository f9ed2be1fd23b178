import { parseBytes, parseStatus, splitFields, splitRequestLine } from "./fields.js";
import type { LineParser, ParseResult } from "./record.js";
import { epochFromClf } from "./time.js";

// Field positions of the S3 server access log; AWS only ever appends fields, so later ones are ignored.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html
const BUCKET = 1;
const TIME = 2;
const REMOTE_IP = 3;
const REQUEST_ID = 5;
const OPERATION = 6;
const KEY = 7;
const REQUEST_URI = 8;
const STATUS = 9;
const BYTES_SENT = 11;
const REFERRER = 15;
const USER_AGENT = 16;

/**
 * S3 server access logs, the source of a site served from an S3 website endpoint. The page is the
 * object key (`blog/x/index.html` is the page `/blog/x/`), so only object operations
 * (`WEBSITE.GET.OBJECT`, `REST.GET.OBJECT`, ...) have a path; bucket operations have none and are
 * never page views. S3 logs carry no content type: the page-view rule falls back to the extension.
 */
export class S3AccessParser implements LineParser {
  readonly format = "s3";
  private readonly fields: string[] = [];

  parse(line: string): ParseResult {
    if (line.length === 0) return null;
    const f = this.fields;
    const count = splitFields(line, f, USER_AGENT + 1);
    if (count === -1) return "unterminated quote or bracket";
    if (count <= USER_AGENT) return `truncated line: ${count} fields, an S3 access log line has at least 17`;
    const time = epochFromClf(f[TIME]);
    if (Number.isNaN(time)) return `bad time "${f[TIME]}"`;
    const status = parseStatus(f[STATUS]);
    if (Number.isNaN(status)) return `bad status "${f[STATUS]}"`;
    // OPERATION is SOURCE.METHOD.TYPE, e.g. WEBSITE.GET.OBJECT or REST.HEAD.OBJECT.
    const [, method = "-", type] = f[OPERATION].split(".");
    const key = f[KEY];
    // Keys are URL-encoded with `+` for a space; keep the path encoded (the rule decodes it).
    const path = type === "OBJECT" && key !== "-" ? `/${key.replaceAll("+", "%20")}` : "";
    // The key has no query string; the request line has.
    const target = splitRequestLine(f[REQUEST_URI])?.target ?? "";
    const q = target.indexOf("?");
    return {
      time,
      method,
      status,
      bytes: parseBytes(f[BYTES_SENT]),
      path,
      contentType: undefined,
      userAgent: f[USER_AGENT],
      referrer: f[REFERRER],
      requestId: f[REQUEST_ID],
      query: q === -1 ? undefined : target.slice(q + 1),
      clientIp: f[REMOTE_IP],
      // A site served from S3 is requested by its bucket's name (www.example.com).
      host: f[BUCKET],
    };
  }
}
