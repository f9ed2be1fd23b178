/**
 * What is particular to CloudFront among W3C extended logs (read by w3c.ts): the layouts of its
 * standard logs (legacy), by which a file whose `#Version` and `#Fields` lines were removed
 * (`zcat *.gz | sed '/^#/d'`) can still be read.
 *
 * The fields of the legacy standard log, in order, from the CloudFront Developer Guide ("Standard log
 * file fields"). Files have had the first 24 of them (before field-level encryption, 2017), the first
 * 26 (with `fle-status` and `fle-encrypted-fields`) and all 33 (since December 2019).
 */
export const CLOUDFRONT_LEGACY_FIELDS = [
  "date",
  "time",
  "x-edge-location",
  "sc-bytes",
  "c-ip",
  "cs-method",
  "cs(Host)",
  "cs-uri-stem",
  "sc-status",
  "cs(Referer)",
  "cs(User-Agent)",
  "cs-uri-query",
  "cs(Cookie)",
  "x-edge-result-type",
  "x-edge-request-id",
  "x-host-header",
  "cs-protocol",
  "cs-bytes",
  "time-taken",
  "x-forwarded-for",
  "ssl-protocol",
  "ssl-cipher",
  "x-edge-response-result-type",
  "cs-protocol-version",
  "fle-status",
  "fle-encrypted-fields",
  "c-port",
  "time-to-first-byte",
  "x-edge-detailed-result-type",
  "sc-content-type",
  "sc-content-len",
  "sc-range-start",
  "sc-range-end",
] as const;

/** The field counts of the legacy layouts: each is the first so many of CLOUDFRONT_LEGACY_FIELDS. */
export const CLOUDFRONT_LEGACY_COUNTS: readonly number[] = [24, 26, 33];

const DATE_TIME_TAB = /^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\t/;

/** The number of tab-separated fields of `line`, a trailing tab (seen in real files) not counting. */
function tabFields(line: string): number {
  let count = 1;
  for (let at = line.indexOf("\t"); at !== -1; at = line.indexOf("\t", at + 1)) count++;
  return line.endsWith("\t") ? count - 1 : count;
}

/**
 * The field count of a CloudFront legacy line read without its `#Fields` header: a date and a time,
 * tab-separated, in one of the known layouts. Undefined for any other line.
 */
export function headerlessLayout(line: string): number | undefined {
  if (!DATE_TIME_TAB.test(line)) return undefined;
  const count = tabFields(line);
  return CLOUDFRONT_LEGACY_COUNTS.includes(count) ? count : undefined;
}
