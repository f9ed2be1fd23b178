import type { TrafficEvent } from "./traffic.js";

/** How each log format writes a generated request. */
export type LogWriter = {
  header: string[];
  line(event: TrafficEvent): string;
};

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

/** CloudFront standard log (33 fields). `legacy` double-encodes the user agent as files before 2020 did. */
export function cloudfrontWriter(options: { legacy?: boolean } = {}): LogWriter {
  const legacy = options.legacy ?? false;
  return {
    header: ["#Version: 1.0", `#Fields: ${CLOUDFRONT_FIELDS}`],
    line(e) {
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
      ].join("\t");
    },
  };
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
  const legacy = cloudfrontWriter();
  const legacyIndex = new Map(CLOUDFRONT_FIELDS.split(" ").map((name, i) => [name, i]));
  for (const name of fields) {
    if (!legacyIndex.has(name) && !(CLOUDFRONT_V2_FIELDS as readonly string[]).includes(name)) {
      throw new Error(`unknown CloudFront v2 field ${name}`);
    }
  }
  return {
    header: ["#Version: 1.0", `#Fields: ${fields.join(" ")}`],
    line(e) {
      const values = legacy.line(e).split("\t");
      return fields
        .map((name) => {
          const i = legacyIndex.get(name);
          if (i !== undefined) return values[i];
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
        })
        .join(delimiter);
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
