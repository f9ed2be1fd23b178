/**
 * CSV as spreadsheets read it (RFC 4180): a header row, comma-separated, CRLF line ends, a field
 * quoted when it holds a comma, a quote or a line break (quotes doubled). Numbers are written
 * plainly (no thousands separators). A field that a spreadsheet would run as a formula (`=`, `+`,
 * `-`, `@` first: a page path or a referrer comes from the logs, i.e. from anyone) gets a leading `'`.
 */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  return [header, ...rows]
    .map((row) => row.map(field).join(","))
    .join("\r\n")
    .concat("\r\n");
}

function field(value: string | number): string {
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
