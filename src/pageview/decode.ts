/**
 * Percent-decoding that never throws. CloudFront double-encodes in old files (`%2520` for a space),
 * so a value whose encoded form contained `%25` and still holds escapes after one pass is decoded
 * once more. Invalid UTF-8 sequences become U+FFFD instead of failing the line.
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
    // A stray `%` or a broken UTF-8 escape: decode byte by byte, keeping what is not an escape.
    const bytes: number[] = [];
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c === 37 && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(value[i], "utf8"));
      }
    }
    return Buffer.from(bytes).toString("utf8");
  }
}
