import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import {
  type Expected,
  emptyExpected,
  random,
  type TrafficEvent,
  type TrafficOptions,
  traffic,
} from "./traffic.js";
import {
  albWriter,
  cloudfrontJsonWriter,
  cloudfrontV2Writer,
  cloudfrontWriter,
  combinedWriter,
  elbWriter,
  iisWriter,
  type LogWriter,
  s3Writer,
} from "./writers.js";

/**
 * The logs the generator writes: CloudFront standard logs (legacy), v2 in W3C format and v2 as JSON
 * lines, S3 server access, Classic and Application Load Balancer (ELB, ALB), IIS (a W3C extended log) and combined.
 */
export type GeneratedFormat =
  | "cloudfront"
  | "cloudfront-v2"
  | "cloudfront-json"
  | "s3"
  | "elb"
  | "alb"
  | "iis"
  | "combined";

export interface GenerateOptions extends TrafficOptions {
  /** Default `cloudfront` (the legacy standard log). Only `cloudfront-v2` and `cloudfront-json` have c-country. */
  format?: GeneratedFormat;
  gzip?: boolean;
  /** Double-encode CloudFront user agents, as files before 2020 did (format `cloudfront`). */
  legacy?: boolean;
  /** The 24 or 26 fields of older CloudFront files (format `cloudfront`; default 33). */
  columns?: 24 | 26 | 33;
  /** Leave out the `#Version` and `#Fields` lines (format `cloudfront`), as `sed '/^#/d'` does. */
  headerless?: boolean;
  /** Log the host asked for: in front of each line (format `combined`), as `cs-host` (format `iis`). */
  vhost?: boolean;
  /** The fields of a `cloudfront-v2` or `cloudfront-json` file, in order (default CLOUDFRONT_V2_FIELDS). */
  fields?: readonly string[];
  /** The column separator of a `cloudfront-v2` file (default a tab). */
  delimiter?: "\t" | " ";
}

/** What chooses the writer: the options that are not the traffic's. */
export type WriterOptions = Omit<GenerateOptions, keyof TrafficOptions | "gzip">;

export function writerFor(options: WriterOptions): LogWriter {
  switch (options.format ?? "cloudfront") {
    case "cloudfront":
      return cloudfrontWriter({
        legacy: options.legacy,
        columns: options.columns,
        headerless: options.headerless,
      });
    case "cloudfront-v2":
      return cloudfrontV2Writer({ fields: options.fields, delimiter: options.delimiter });
    case "cloudfront-json":
      return cloudfrontJsonWriter({ fields: options.fields });
    case "s3":
      return s3Writer();
    case "elb":
      return elbWriter();
    case "alb":
      return albWriter();
    case "iis":
      return iisWriter({ host: options.vhost });
    case "combined":
      return combinedWriter({ vhost: options.vhost });
  }
}

async function writeLines(path: string, writer: LogWriter, events: Iterable<TrafficEvent>, gzip: boolean) {
  // Lines are joined into ~64 KiB strings: one stream write per line would dominate the run time.
  function* chunks() {
    let chunk = writer.header.map((h) => `${h}\n`).join("");
    for (const event of events) {
      chunk += `${writer.line(event)}\n`;
      if (chunk.length > 65536) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk) yield chunk;
  }
  const out = createWriteStream(path);
  if (gzip) await pipeline(Readable.from(chunks()), createGzip({ level: 6 }), out);
  else await pipeline(Readable.from(chunks()), out);
}

/** Writes one log file of generated traffic and returns the counts it must give. */
export async function generateLogFile(path: string, options: GenerateOptions): Promise<Expected> {
  const expected = emptyExpected();
  await writeLines(path, writerFor(options), traffic(options, expected), options.gzip ?? false);
  return expected;
}

/**
 * Writes generated traffic as CloudFront delivers it: files named
 * `<distribution>.YYYY-MM-DD-HH.<id>[.gz]`, one an hour, or `filesPerHour` of them (CloudFront
 * writes several an hour, each with the requests of some of its edge servers: here, requests go to
 * a random one of the hour's files), or one a day. Returns the paths and the counts they must give.
 */
export async function generateHourlyLogs(
  dir: string,
  options: GenerateOptions & { perDay?: boolean; filesPerHour?: number },
): Promise<{ files: string[]; expected: Expected }> {
  await mkdir(dir, { recursive: true });
  const expected = emptyExpected();
  const parts = options.perDay ? 1 : (options.filesPerHour ?? 1);
  const pick = random((options.seed ?? 1) + 7919);
  const files = new Map<string, TrafficEvent[]>();
  for (const event of traffic(options, expected)) {
    const hour = new Date(event.time * 1000)
      .toISOString()
      .slice(0, options.perDay ? 10 : 13)
      .replace("T", "-");
    const file = `${hour}#${Math.floor(pick() * parts)}`;
    const list = files.get(file) ?? [];
    files.set(file, list);
    list.push(event);
  }
  const writer = writerFor(options);
  const paths: string[] = [];
  for (const [file, events] of [...files].sort()) {
    const id = createHash("sha1").update(file).digest("hex").slice(0, 8);
    const path = join(
      dir,
      `E2EXAMPLE0PAGE.${file.split("#")[0]}.${id}${options.gzip === false ? "" : ".gz"}`,
    );
    await writeLines(path, writer, events, options.gzip ?? true);
    paths.push(path);
  }
  return { files: paths, expected };
}
