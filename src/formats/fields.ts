/**
 * Splits a space-separated log line whose fields may be "quoted" or [bracketed] and then contain
 * spaces (S3 server access, ALB and combined logs). Quotes and brackets are removed. A quote inside a
 * quoted field is escaped with a backslash (Apache, S3) or written as \x22 (nginx), so a quoted field
 * ends only at a quote that is followed by a space or the end of the line.
 * Returns the number of fields written to `out`, or -1 when a quote or bracket is never closed.
 */
export function splitFields(line: string, out: string[], max = 64): number {
  const n = line.length;
  let i = 0;
  let count = 0;
  while (i < n && count < max) {
    const c = line.charCodeAt(i);
    if (c === 32) {
      i++;
      continue;
    }
    let end: number;
    if (c === 34 /* " */) {
      end = i + 1;
      for (;;) {
        end = line.indexOf('"', end);
        if (end === -1) return -1;
        if (line.charCodeAt(end - 1) !== 92 /* \ */ && (end + 1 === n || line.charCodeAt(end + 1) === 32))
          break;
        end++;
      }
      out[count++] = line.slice(i + 1, end);
      i = end + 1;
    } else if (c === 91 /* [ */) {
      end = line.indexOf("]", i + 1);
      if (end === -1) return -1;
      out[count++] = line.slice(i + 1, end);
      i = end + 1;
    } else {
      end = line.indexOf(" ", i);
      if (end === -1) end = n;
      out[count++] = line.slice(i, end);
      i = end;
    }
  }
  return count;
}

/** Parses a 3-digit status (`200`, `000`) without allocating; `-` is 0, anything else NaN. */
export function parseStatus(s: string): number {
  if (s.length !== 3) return s === "-" ? 0 : Number.NaN;
  return parseStatusAt(s, 0);
}

/** The 3-digit status at `at` in `line`, or NaN. */
export function parseStatusAt(line: string, at: number): number {
  const a = line.charCodeAt(at) - 48;
  const b = line.charCodeAt(at + 1) - 48;
  const c = line.charCodeAt(at + 2) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return Number.NaN;
  return a * 100 + b * 10 + c;
}

/**
 * The byte count from `start` to `end` of `line`, read in place (this runs for every line): 0 when
 * empty, `-` or not all digits, so that a malformed count does not cost the line.
 */
export function parseBytesAt(line: string, start: number, end: number): number {
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const digit = line.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return 0;
    bytes = bytes * 10 + digit;
  }
  return bytes;
}

/** A byte count field (`2390`), 0 when absent, `-` or malformed. */
export function parseBytes(field: string | undefined): number {
  return field === undefined ? 0 : parseBytesAt(field, 0, field.length);
}

/**
 * Splits an HTTP request line (`GET /path?q HTTP/1.1`) into method and target. The target may be an
 * absolute URL (ALB logs `https://host:443/path`), which is reduced to its path and query; its host
 * (with any port) is returned apart.
 */
export function splitRequestLine(
  request: string,
): { method: string; target: string; host?: string } | undefined {
  const sp1 = request.indexOf(" ");
  if (sp1 <= 0) return undefined;
  const sp2 = request.lastIndexOf(" ");
  // "GET /a b HTTP/1.1": the target keeps inner spaces; "GET /a" (HTTP/0.9) has no protocol.
  const target =
    sp2 > sp1 && request.startsWith("HTTP/", sp2 + 1) ? request.slice(sp1 + 1, sp2) : request.slice(sp1 + 1);
  const method = request.slice(0, sp1);
  if (target.charCodeAt(0) === 47 /* / */) return { method, target };
  const scheme = target.indexOf("://");
  if (scheme === -1) return { method, target };
  let end = target.indexOf("/", scheme + 3);
  const query = target.indexOf("?", scheme + 3);
  if (end === -1 || (query !== -1 && query < end)) end = query;
  const host = target.slice(scheme + 3, end === -1 ? target.length : end);
  if (end === -1) return { method, target: "/", host };
  return { method, target: target[end] === "/" ? target.slice(end) : `/${target.slice(end)}`, host };
}
