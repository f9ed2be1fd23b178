import { isUtf8 } from "node:buffer";

/**
 * Percent-decoding that never throws. CloudFront double-encodes in old files (`%2520` for a space),
 * so a value whose encoded form contained `%25` and still holds escapes after one pass is decoded
 * once more. Escapes of bytes that are not UTF-8 (`%E9` in an old Latin-1 URL) are kept as they are
 * (in upper case): decoded, every such byte would become U+FFFD and distinct URLs would merge.
 */
export function percentDecode(value: string): string {
  if (!value.includes("%")) return value;
  let decoded = decodeOnce(value);
  if (value.includes("%25") && /%[0-9A-Fa-f]{2}/.test(decoded)) decoded = decodeOnce(decoded);
  return decoded;
}

function decodeOnce(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return decodeLeniently(value);
  }
}

/**
 * A stray `%` or an escape of a byte that is not UTF-8: each run of escapes is decoded as far as it
 * is UTF-8, and the escapes of the other bytes are kept.
 */
function decodeLeniently(value: string): string {
  let out = "";
  let i = 0;
  while (i < value.length) {
    if (!isEscape(value, i)) {
      const next = value.indexOf("%", i + 1);
      const end = next === -1 ? value.length : next;
      out += value.slice(i, end);
      i = end;
      continue;
    }
    const bytes: number[] = [];
    while (isEscape(value, i)) {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 3;
    }
    out += utf8OrEscapes(Buffer.from(bytes));
  }
  return out;
}

function isEscape(value: string, i: number): boolean {
  return value.charCodeAt(i) === 37 && isHex(value.charCodeAt(i + 1)) && isHex(value.charCodeAt(i + 2));
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** The bytes as text where they are UTF-8; each other byte as its escape, `%E9`. */
function utf8OrEscapes(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString("utf8");
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes[i]);
    if (n > 0 && i + n <= bytes.length && isUtf8(bytes.subarray(i, i + n))) {
      out += bytes.toString("utf8", i, i + n);
      i += n;
    } else {
      out += `%${bytes[i].toString(16).toUpperCase().padStart(2, "0")}`;
      i++;
    }
  }
  return out;
}

/** How many bytes the UTF-8 sequence that starts with `lead` has; 0 when it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}
