/** Fast, allocation-free parsing of the timestamps that access logs use. */

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/** The last date read, as `YYYYMMDD`, and its epoch seconds: a log repeats the same day for hours. */
let lastDate = -1;
let lastDateEpoch = Number.NaN;

/**
 * The epoch seconds of `YYYY-MM-DD` at `dateAt` and `HH:MM:SS` at `timeAt` in `text` (UTC), NaN when
 * malformed. Reads the digits in place (a comparison of the date's text with the last one costs more
 * than reading it) and computes a new day's start only.
 */
export function epochFromDateAndTime(text: string, dateAt: number, timeAt: number): number {
  if (text.charCodeAt(dateAt + 4) !== 45 || text.charCodeAt(dateAt + 7) !== 45) return Number.NaN;
  const y = digits(text, dateAt, 4);
  const m = digits(text, dateAt + 5, 2);
  const d = digits(text, dateAt + 8, 2);
  const date = y * 10000 + m * 100 + d;
  if (date !== lastDate) {
    if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31)) return Number.NaN;
    lastDate = date;
    lastDateEpoch = Date.UTC(y, m - 1, d) / 1000;
  }
  if (text.charCodeAt(timeAt + 2) !== 58 || text.charCodeAt(timeAt + 5) !== 58) return Number.NaN;
  const h = digits(text, timeAt, 2);
  const mi = digits(text, timeAt + 3, 2);
  const s = digits(text, timeAt + 6, 2);
  if (!(h < 24 && mi < 60 && s < 61)) return Number.NaN;
  return lastDateEpoch + h * 3600 + mi * 60 + s;
}

/** `06/Feb/2019:00:00:38 +0000` (the bracketed part of S3 and combined logs) to epoch seconds. */
export function epochFromClf(s: string): number {
  if (s.length < 26 || s.charCodeAt(2) !== 47 || s.charCodeAt(6) !== 47 || s.charCodeAt(11) !== 58) {
    return Number.NaN;
  }
  const month = MONTHS[s.slice(3, 6)];
  if (month === undefined) return Number.NaN;
  const day = digits(s, 0, 2);
  const year = digits(s, 7, 4);
  const h = digits(s, 12, 2);
  const mi = digits(s, 15, 2);
  const sec = digits(s, 18, 2);
  const sign = s.charCodeAt(21) === 45 ? -1 : s.charCodeAt(21) === 43 ? 1 : 0;
  const oh = digits(s, 22, 2);
  const om = digits(s, 24, 2);
  if (sign === 0 || Number.isNaN(day + year + h + mi + sec + oh + om)) return Number.NaN;
  if (!(day >= 1 && day <= 31 && h < 24 && mi < 60 && sec < 61)) return Number.NaN;
  return Date.UTC(year, month, day, h, mi, sec) / 1000 - sign * (oh * 3600 + om * 60);
}

/** ISO 8601 with a `Z` or offset (ALB: `2018-07-02T22:22:48.364123Z`) to epoch seconds. */
export function epochFromIso(s: string): number {
  const ms = Date.parse(s);
  return Number.isNaN(ms) || !/^\d{4}-\d\d-\d\dT/.test(s) ? Number.NaN : Math.floor(ms / 1000);
}

/**
 * An epoch timestamp as logs write it (CloudFront v2 `timestamp`, real-time logs: `1714568709.123`) to
 * whole epoch seconds. A value above 10^11 can only be milliseconds (10^11 seconds is the year 5138).
 */
export function epochFromTimestamp(s: string): number {
  const n = s === "" ? Number.NaN : Number(s);
  if (!Number.isFinite(n) || n < 0) return Number.NaN;
  return Math.floor(n > 1e11 ? n / 1000 : n);
}

/** UTC day (`YYYY-MM-DD`) of an epoch second; cached because logs repeat days. */
const dayCache = new Map<number, string>();
export function utcDay(epochSeconds: number): string {
  const dayNumber = Math.floor(epochSeconds / 86400);
  let day = dayCache.get(dayNumber);
  if (day === undefined) {
    day = new Date(dayNumber * 86400000).toISOString().slice(0, 10);
    dayCache.set(dayNumber, day);
  }
  return day;
}
