import { basename } from "node:path";
import { UserError } from "../errors.js";
import { decompressed } from "../readers/decompress.js";
import { forEachLine } from "../readers/lines.js";
import { fileSource } from "../readers/sources.js";

/**
 * An IP-to-country database that the user installs and points pagetrack to (never fetched): rows of
 * first address, last address and ISO country code, as in DB-IP's free "IP to Country Lite" CSV
 * (CC BY 4.0), gzipped or not; IP2Location's LITE CSV (addresses as integers, quoted) reads too.
 */
export class IpCountry {
  private constructor(
    private readonly v4: { starts: Float64Array; ends: Float64Array; codes: string[] },
    private readonly v6: { start: bigint; end: bigint; code: string }[],
    /** Who to credit where countries are shown. */
    readonly attribution: string,
    /** The file it was read from (a worker thread reads it again: jobs/worker.ts). */
    readonly path: string,
  ) {}

  static async load(path: string): Promise<IpCountry> {
    const v4: [number, number, string][] = [];
    const v6: { start: bigint; end: bigint; code: string }[] = [];
    let bad = 0;
    let firstBad = 0;
    try {
      await forEachLine(decompressed(await fileSource(path).open()), {
        reject: (line) => {
          bad++;
          firstBad ||= line;
        },
        line(text, line) {
          const [from, to, country] = text.split(",").map((f) => f.trim().replace(/^"|"$/g, ""));
          const code = country?.toUpperCase();
          const start = address(from ?? "");
          const end = address(to ?? "");
          if (start === undefined || end === undefined || !/^[A-Z]{2}$/.test(code ?? "")) {
            if (line > 1 || text.trim() === "") return; // a header line, or a blank one
            bad++;
            firstBad ||= line;
            return;
          }
          if (typeof start === "number" && typeof end === "number") v4.push([start, end, code]);
          else v6.push({ start: BigInt(start), end: BigInt(end), code });
        },
      });
    } catch (error) {
      throw new UserError(`${path}: cannot read the IP-to-country database (${(error as Error).message})`);
    }
    if (v4.length + v6.length === 0 || bad > (v4.length + v6.length) / 100) {
      throw new UserError(
        `${path}: not an IP-to-country database (line ${firstBad || 1}): expected rows "first address,last address,country code", as DB-IP's IP to Country Lite CSV`,
      );
    }
    v4.sort((a, b) => a[0] - b[0]);
    v6.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const name = basename(path);
    const attribution = /dbip/i.test(name)
      ? "IP to country by DB-IP (https://db-ip.com), CC BY 4.0"
      : `IP to country from ${name}`;
    return new IpCountry(
      {
        starts: Float64Array.from(v4, (r) => r[0]),
        ends: Float64Array.from(v4, (r) => r[1]),
        codes: v4.map((r) => r[2]),
      },
      v6,
      attribution,
      path,
    );
  }

  /** The country of an IP address, or undefined. */
  lookup(ip: string): string | undefined {
    const at = address(ip);
    if (at === undefined) return undefined;
    if (typeof at === "number") {
      const { starts, ends, codes } = this.v4;
      const i = lastAtOrBefore(starts.length, (k) => starts[k] <= at);
      return i >= 0 && at <= ends[i] ? codes[i] : undefined;
    }
    const i = lastAtOrBefore(this.v6.length, (k) => this.v6[k].start <= at);
    return i >= 0 && at <= this.v6[i].end ? this.v6[i].code : undefined;
  }
}

/** The last index k < n for which `before(k)` holds, the predicate being true then false; -1 if none. */
function lastAtOrBefore(n: number, before: (k: number) => boolean): number {
  let lo = 0;
  let hi = n - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (before(mid)) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** An IPv4 address as a number, an IPv6 one as a bigint (IPv4-mapped ones as IPv4); integers as given. */
function address(text: string): number | bigint | undefined {
  if (/^\d+$/.test(text)) {
    const n = BigInt(text);
    return n <= 0xffffffffn ? Number(n) : n;
  }
  if (text.includes(".") && !text.includes(":")) return ipv4(text);
  if (!text.includes(":")) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) return ipv4(mapped[1]);
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  let value = 0n;
  for (const group of [...head, ...new Array(missing).fill("0"), ...tail]) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}

function ipv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const n = Number(part);
    if (!/^\d{1,3}$/.test(part) || n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}
