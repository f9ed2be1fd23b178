/** Time-zone arithmetic with the platform's IANA database (Intl), for buckets of local days, weeks and months. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

export function isValidZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `tz` at an instant (epoch seconds). */
export function localTime(epoch: number, tz: string): LocalTime {
  if (tz === "UTC") {
    const d = new Date(epoch * 1000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
  }
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(epoch * 1000))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

/** Offset of `tz` from UTC at an instant, in seconds (east positive). */
export function offsetAt(epoch: number, tz: string): number {
  const t = localTime(epoch, tz);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) / 1000 - epoch;
}

/**
 * The instant at which the wall clock in `tz` shows the given local time. The offsets in effect a
 * day around it give the candidates; the one whose own offset is the one used is it (in an overlap,
 * the earlier of two). In a gap none is: the wall time is read with the offset before the jump,
 * which gives the instant of the jump for a day starting at a jump at midnight. This also holds for
 * changes of half an hour (Australia/Lord_Howe) and for zones that changed their standard offset.
 */
export function instantOf(year: number, month: number, day: number, hour: number, tz: string): number {
  const asUtc = Date.UTC(year, month - 1, day, hour) / 1000;
  const offsets = new Set([offsetAt(asUtc - 86400, tz), offsetAt(asUtc, tz), offsetAt(asUtc + 86400, tz)]);
  // No change of offset within a day of it (nearly always): the one offset is right.
  if (offsets.size === 1) return asUtc - (offsets.values().next().value as number);
  const candidates = [...offsets].map((offset) => asUtc - offset);
  const valid = candidates.filter((t) => offsetAt(t, tz) === asUtc - t);
  return valid.length > 0 ? Math.min(...valid) : Math.max(...candidates);
}

/** ISO 8601 with the zone's offset: `2024-05-01T00:00:00+02:00`, or `Z` in UTC. */
export function isoInZone(epoch: number, tz: string): string {
  const offset = offsetAt(epoch, tz);
  const t = localTime(epoch, tz);
  const p = (n: number) => String(n).padStart(2, "0");
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const suffix =
    offset === 0 ? "Z" : `${sign}${p(Math.floor(abs / 3600))}:${p(Math.floor((abs % 3600) / 60))}`;
  return `${t.year}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(t.second)}${suffix}`;
}

/** The local date in `tz` at an instant: `2024-05-01`. */
export function localDate(epoch: number, tz: string): string {
  if (tz === "UTC") return new Date(epoch * 1000).toISOString().slice(0, 10);
  const t = localTime(epoch, tz);
  return `${t.year}-${String(t.month).padStart(2, "0")}-${String(t.day).padStart(2, "0")}`;
}
