import { AlbParser } from "./alb.js";
import { CloudFrontParser } from "./cloudfront.js";
import { CombinedParser } from "./combined.js";
import type { FormatName, FormatOption, LineParser } from "./record.js";
import { S3AccessParser } from "./s3access.js";

const SIGNATURES: [FormatName, RegExp][] = [
  ["cloudfront", /^#(Version|Fields):/],
  // bucket-owner bucket [06/Feb/2019:00:00:38 +0000] ...
  ["s3", /^\S+ \S+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] \S+ \S+ \S+ [A-Z0-9_]+\.[A-Z0-9_.]+ /],
  ["alb", /^(https?|h2|grpcs|wss?) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /],
  // [vhost] host ident user [time] "request"
  ["combined", /^(\S+ )?\S+ \S+ .*?\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "/],
];

export function createParser(format: FormatName): LineParser {
  switch (format) {
    case "cloudfront":
      return new CloudFrontParser();
    case "s3":
      return new S3AccessParser();
    case "alb":
      return new AlbParser();
    case "combined":
      return new CombinedParser();
  }
}

/** The format whose signature the first line of a file matches, if any. */
export function detectFormat(firstLine: string): FormatName | undefined {
  return SIGNATURES.find(([, signature]) => signature.test(firstLine))?.[0];
}

/** A parser for `format`, or, for `auto`, one chosen by the first non-blank line of the file. */
export function parserFor(format: FormatOption, firstLine: string): LineParser | undefined {
  const name = format === "auto" ? detectFormat(firstLine) : format;
  return name && createParser(name);
}
