import type { TrafficEvent } from "./traffic.js";

/** How each log format writes a generated request. */
export type LogWriter = {
  header: string[];
  line(event: TrafficEvent): string;
};

// The 33 fields of the CloudFront Developer Guide's "Standard log file fields", in order. Files before
// December 2019 had the first 26 of them, and before field-level encryption (2017) the first 24.
const CLOUDFRONT_FIELDS =
  "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end";

/** CloudFront percent-encodes spaces, quotes, backslashes, `%` and non-ASCII in its values. */
function cloudfrontEscape(value: string, legacy: boolean): string {
  const escaped = value.replace(/[\s"%\\]|[^\x20-\x7e]/gu, (c) => encodeURIComponent(c));
  return legacy ? escaped.replaceAll("%", "%25") : escaped;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function clfTime(time: number): string {
  const d = new Date(time * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/**
 * CloudFront standard log (legacy), 33 fields. `legacy` double-encodes the user agent as files before
 * 2020 did. `columns` writes the 24 or 26 fields of older files. `headerless` leaves out the
 * `#Version` and `#Fields` lines, as `zcat *.gz | sed '/^#/d'` does.
 */
export function cloudfrontWriter(
  options: { legacy?: boolean; columns?: 24 | 26 | 33; headerless?: boolean } = {},
): LogWriter {
  const legacy = options.legacy ?? false;
  const columns = options.columns ?? 33;
  const fields = CLOUDFRONT_FIELDS.split(" ").slice(0, columns).join(" ");
  const line = (e: TrafficEvent) => {
    const values = cloudfrontValues(e, legacy);
    return (columns === 33 ? values : values.slice(0, columns)).join("\t");
  };
  return { header: options.headerless ? [] : ["#Version: 1.0", `#Fields: ${fields}`], line };
}

/** The 33 values of a CloudFront standard log line (legacy), in the order of CLOUDFRONT_FIELDS. */
function cloudfrontValues(e: TrafficEvent, legacy: boolean): (string | number)[] {
  const iso = new Date(e.time * 1000).toISOString();
  const status = e.status === 0 ? "000" : String(e.status);
  const result = e.status === 0 ? "Error" : e.status === 304 ? "RefreshHit" : "Hit";
  return [
    iso.slice(0, 10),
    iso.slice(11, 19),
    "FRA56-P1",
    e.bytes,
    e.clientIp,
    e.method,
    "d111111abcdef8.cloudfront.net",
    e.path,
    status,
    e.referrer === "-" ? "-" : cloudfrontEscape(e.referrer, legacy),
    e.userAgent === "-" ? "-" : cloudfrontEscape(e.userAgent, legacy),
    e.query === "" ? "-" : e.query,
    "-",
    result,
    e.requestId,
    e.host,
    "https",
    420,
    "0.002",
    "-",
    "TLSv1.3",
    "TLS_AES_128_GCM_SHA256",
    result,
    "HTTP/2.0",
    "-",
    "-",
    "51234",
    "0.002",
    result,
    e.contentType,
    e.bytes - 300,
    "-",
    "-",
  ];
}

/** A documentation ASN (64496-64511) that a client IP belongs to: the same for the same IP. */
function asnOf(ip: string): number {
  let hash = 0;
  for (let i = 0; i < ip.length; i++) hash = (hash * 31 + ip.charCodeAt(i)) >>> 0;
  return 64496 + (hash % 16);
}

/**
 * The fields of a CloudFront standard logging (v2) file delivered to S3 in W3C format: the fields
 * a distribution logs by default (those of the legacy logs, with `timestamp` and `DistributionId`
 * in front and `timestamp(ms)`, `origin-fbl`, `origin-lbl` and `asn` at the end), plus `c-country`,
 * which v2 logs when it is selected.
 */
export const CLOUDFRONT_V2_FIELDS = [
  "timestamp",
  "DistributionId",
  ...CLOUDFRONT_FIELDS.split(" "),
  "timestamp(ms)",
  "origin-fbl",
  "origin-lbl",
  "asn",
  "c-country",
] as const;

/** The values of the v2 `fields` of a request, as CloudFront writes them (percent-encoded). */
function cloudfrontV2Values(fields: readonly string[]): (e: TrafficEvent) => string[] {
  const legacyIndex = new Map(CLOUDFRONT_FIELDS.split(" ").map((name, i) => [name, i]));
  for (const name of fields) {
    if (!legacyIndex.has(name) && !(CLOUDFRONT_V2_FIELDS as readonly string[]).includes(name)) {
      throw new Error(`unknown CloudFront v2 field ${name}`);
    }
  }
  return (e) => {
    const values = cloudfrontValues(e, false);
    return fields.map((name) => {
      const i = legacyIndex.get(name);
      if (i !== undefined) return String(values[i]);
      switch (name) {
        case "timestamp":
          return String(e.time);
        case "DistributionId":
          return "E2EXAMPLE0PAGE";
        case "timestamp(ms)":
          return String(e.time * 1000 + (e.bytes % 1000));
        case "asn":
          return String(asnOf(e.clientIp));
        case "c-country":
          return e.country;
        default:
          return "-";
      }
    });
  };
}

/**
 * CloudFront standard logging (v2), W3C format: a `#Fields:` header names the columns, which the
 * distribution's owner chooses and orders (`fields`, any of CLOUDFRONT_V2_FIELDS), separated by
 * tabs or, when so configured, spaces (values never contain either: CloudFront percent-encodes them).
 */
export function cloudfrontV2Writer(
  options: { fields?: readonly string[]; delimiter?: "\t" | " " } = {},
): LogWriter {
  const fields = options.fields ?? CLOUDFRONT_V2_FIELDS;
  const delimiter = options.delimiter ?? "\t";
  const values = cloudfrontV2Values(fields);
  return {
    header: ["#Version: 1.0", `#Fields: ${fields.join(" ")}`],
    line: (e) => values(e).join(delimiter),
  };
}

/**
 * CloudFront standard logging (v2) delivered as JSON (to CloudWatch Logs, Data Firehose, or S3 with
 * the JSON output format): one object a line, keyed by the v2 field names (`fields`, as for the W3C
 * format), no header. The values are the W3C file's, as strings.
 */
export function cloudfrontJsonWriter(options: { fields?: readonly string[] } = {}): LogWriter {
  const fields = options.fields ?? CLOUDFRONT_V2_FIELDS;
  const values = cloudfrontV2Values(fields);
  return {
    header: [],
    line(e) {
      const row = values(e);
      return JSON.stringify(Object.fromEntries(fields.map((name, i) => [name, row[i]])));
    },
  };
}

/**
 * Classic Load Balancer (ELB) access log, as the ELB guide's "Access log entries" shows it: an
 * HTTPS listener, the request as an absolute URL with the port, no referrer. A request the client
 * aborted got no response: `-` for both statuses, as ELB logs when no response was sent.
 */
export function elbWriter(): LogWriter {
  return {
    header: [],
    line(e) {
      const iso = new Date(e.time * 1000)
        .toISOString()
        .replace("Z", `${String(e.bytes % 1000).padStart(3, "0")}Z`);
      const target = e.query === "" ? e.path : `${e.path}?${e.query}`;
      const status = e.status === 0 ? "-" : String(e.status);
      return `${iso} my-loadbalancer ${e.clientIp}:${40000 + (e.bytes % 20000)} 10.0.0.1:80 0.000073 0.001048 0.000057 ${status} ${status} 0 ${e.bytes} "${e.method} https://${e.host}:443${target} HTTP/1.1" "${e.userAgent}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`;
    },
  };
}

/**
 * Application Load Balancer access log, as the ALB guide's "Access log entries" shows it: an HTTPS
 * listener, the request as an absolute URL with the port, the trace id unique per request, no
 * referrer and no content type. A request the client aborted got no response: `-` for both statuses.
 */
export function albWriter(): LogWriter {
  return {
    header: [],
    line(e) {
      const iso = new Date(e.time * 1000).toISOString().replace("Z", "000Z");
      const target = e.query === "" ? e.path : `${e.path}?${e.query}`;
      const status = e.status === 0 ? "-" : String(e.status);
      const trace = `Root=1-${e.time.toString(16).padStart(8, "0")}-${Buffer.from(e.requestId, "base64url").subarray(0, 12).toString("hex")}`;
      return `https ${iso} app/my-lb/50dc6c495c0c9188 ${e.clientIp}:${40000 + (e.bytes % 20000)} 10.0.0.1:80 0.001 0.002 0.000 ${status} ${status} 120 ${e.bytes} "${e.method} https://${e.host}:443${target} HTTP/1.1" "${e.userAgent}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/site/73e2d6bc24d8a067 "${trace}" "${e.host}" "-" 0 ${iso} "forward" "-" "-" "10.0.0.1:80" "${status}" "-" "-"`;
    },
  };
}

/**
 * IIS W3C extended log with IIS 10's default fields (`host` adds `cs-host`, the Host header, which
 * IIS logs when it is selected). IIS writes times in UTC, the URI stem decoded (UTF-8), and a `+`
 * for each space in a value (the user agent, the referrer). IIS has no status for a request the
 * client aborted: it is written as 000, as CloudFront does, for the intent to stay unambiguous.
 */
export function iisWriter(options: { host?: boolean } = {}): LogWriter {
  const fields = [
    "date",
    "time",
    "s-ip",
    "cs-method",
    "cs-uri-stem",
    "cs-uri-query",
    "s-port",
    "cs-username",
    "c-ip",
    "cs(User-Agent)",
    "cs(Referer)",
    ...(options.host ? ["cs-host"] : []),
    "sc-status",
    "sc-substatus",
    "sc-win32-status",
    "time-taken",
  ];
  const plus = (value: string) => (value === "" ? "-" : value.replaceAll(" ", "+"));
  return {
    header: [
      "#Software: Microsoft Internet Information Services 10.0",
      "#Version: 1.0",
      `#Fields: ${fields.join(" ")}`,
    ],
    line(e) {
      const iso = new Date(e.time * 1000).toISOString();
      return [
        iso.slice(0, 10),
        iso.slice(11, 19),
        "10.0.0.4",
        e.method,
        plus(decodeURIComponent(e.path)),
        e.query === "" ? "-" : e.query,
        "443",
        "-",
        e.clientIp,
        plus(e.userAgent),
        plus(e.referrer),
        ...(options.host ? [e.host] : []),
        e.status === 0 ? "000" : String(e.status),
        "0",
        "0",
        String(15 + (e.bytes % 200)),
      ].join(" ");
    },
  };
}

/** S3 server access log of a site on the S3 website endpoint: the key is what the URL resolves to. */
export function s3Writer(): LogWriter {
  return {
    header: [],
    line(e) {
      let key = e.path.slice(1);
      if (key === "" || key.endsWith("/")) key += "index.html";
      const target = e.query === "" ? e.path : `${e.path}?${e.query}`;
      const requestId = Buffer.from(e.requestId.slice(0, 8)).toString("hex").toUpperCase();
      return [
        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        // A static site's bucket is named for its host.
        e.host,
        `[${clfTime(e.time)}]`,
        e.clientIp,
        "-",
        requestId,
        `WEBSITE.${e.method}.OBJECT`,
        key,
        `"${e.method} ${target} HTTP/1.1"`,
        e.status === 0 ? "-" : String(e.status),
        e.status === 404 ? "NoSuchKey" : "-",
        e.bytes,
        e.bytes,
        12,
        11,
        `"${e.referrer}"`,
        `"${e.userAgent}"`,
        "-",
        "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=",
        "-",
        "-",
        "-",
        `${e.host}.s3-website-us-east-1.amazonaws.com`,
        "-",
        "-",
        "-",
      ].join(" ");
    },
  };
}

/**
 * nginx/Apache combined log; nginx logs a request the client aborted as 499. `vhost` puts the host
 * the request was made to in front of each line (`www.example.com 10.1.2.3 - - [...] ...`), as
 * Apache's `vhost_combined` and many nginx setups do.
 */
export function combinedWriter(options: { vhost?: boolean } = {}): LogWriter {
  const vhost = options.vhost ?? false;
  return {
    header: [],
    line(e) {
      const target = e.query === "" ? e.path : `${e.path}?${e.query}`;
      const status = e.status === 0 ? 499 : e.status;
      const line = `${e.clientIp} - - [${clfTime(e.time)}] "${e.method} ${target} HTTP/1.1" ${status} ${e.bytes} "${e.referrer}" "${e.userAgent}"`;
      return vhost ? `${e.host} ${line}` : line;
    },
  };
}
