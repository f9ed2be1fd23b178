import { AlbParser } from "./alb.js";
import { headerlessLayout } from "./cloudfront.js";
import { CloudFrontJsonParser } from "./cloudfront-json.js";
import { CombinedParser } from "./combined.js";
import { ElbParser } from "./elb.js";
import type { FormatName, FormatOption, LineParser } from "./record.js";
import { S3AccessParser } from "./s3access.js";
import { W3cParser } from "./w3c.js";

/** How the first non-blank line of a file tells its format, tried in this order. */
const SIGNATURES: [FormatName, (line: string) => boolean][] = [
  // CloudFront files start with #Version (#Fields once the first line is lost).
  ["cloudfront", (line) => /^#(Version|Fields):/.test(line)],
  // Other W3C extended logs: IIS starts with #Software; #Date, #Remark and #Start-Date are W3C's too.
  ["w3c", (line) => /^#(Software|Date|Start-Date|Remark):/.test(line)],
  // A CloudFront standard log whose header lines were removed: date, time and a known field count.
  ["cloudfront", (line) => headerlessLayout(line) !== undefined],
  // CloudFront standard logging v2 as JSON lines (or CloudWatch Logs events holding them).
  ["cloudfront-json", (line) => line.trimStart().startsWith("{") && /\\?"cs-uri-stem\\?"\s*:/.test(line)],
  // bucket-owner bucket [06/Feb/2019:00:00:38 +0000] ...
  [
    "s3",
    (line) =>
      /^\S+ \S+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] \S+ \S+ \S+ [A-Z0-9_]+\.[A-Z0-9_.]+ /.test(
        line,
      ),
  ],
  ["alb", (line) => /^(https?|h2|grpcs|wss?) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /.test(line)],
  // time elb client:port backend:port (or -) request_processing_time ...: no type first, as ALB has.
  ["elb", (line) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \S+ \S+:\d+ (\S+:\d+|-) -?\d/.test(line)],
  // [vhost] host ident user [time] "request"
  ["combined", (line) => /^(\S+ )?\S+ \S+ .*?\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "/.test(line)],
];

export function createParser(format: FormatName): LineParser {
  switch (format) {
    case "cloudfront":
    case "w3c":
      return new W3cParser(format);
    case "cloudfront-json":
      return new CloudFrontJsonParser();
    case "s3":
      return new S3AccessParser();
    case "alb":
      return new AlbParser();
    case "elb":
      return new ElbParser();
    case "combined":
      return new CombinedParser();
  }
}

/** The format whose signature the first line of a file matches, if any. */
export function detectFormat(firstLine: string): FormatName | undefined {
  return SIGNATURES.find(([, matches]) => matches(firstLine))?.[0];
}

/** A parser for `format`, or, for `auto`, one chosen by the first non-blank line of the file. */
export function parserFor(format: FormatOption, firstLine: string): LineParser | undefined {
  const name = format === "auto" ? detectFormat(firstLine) : format;
  return name && createParser(name);
}
