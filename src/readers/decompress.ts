import { basename } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { createGunzip, gunzip as gunzipCallback, gunzipSync } from "node:zlib";
import { UserError } from "../errors.js";

const gunzipWhole = promisify(gunzipCallback);

/**
 * The text of a raw stream as UTF-8 bytes. gzip is recognised by its magic bytes (1f 8b), never by
 * the file name, and decompressed; other compressions (bzip2, xz, zstd, ...) are named with the
 * command that decompresses them (Node.js cannot). The text's start decides its encoding: a UTF-8
 * byte order mark is dropped, UTF-16 (with a byte order mark, or ASCII-range text with every other
 * byte zero) is converted to UTF-8 as it streams; anything else passes through as it is. Only the
 * first bytes are looked at: the rest of a UTF-8 file is handed on chunk by chunk, untouched.
 * `tap` sees every raw chunk (hashing, progress); `name` names the source in messages.
 */
export async function* decompressed(
  raw: AsyncIterable<Buffer> | Iterable<Buffer>,
  tap?: (chunk: Buffer) => void,
  name?: string,
): AsyncGenerator<Buffer> {
  const input = tapped(raw, tap)[Symbol.asyncIterator]();
  const first = await peek(input, Buffer.alloc(0), MAGIC_BYTES);
  if (first.head.length === 0) return;
  // Whether the source came in one chunk (a small file read whole): then it needs no stream.
  const second = first.done ? undefined : await input.next();
  const whole = first.done || second?.done === true;
  const head = whole ? first.head : Buffer.concat([first.head, second?.value as Buffer]);
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  if (!gzip) {
    const other = COMPRESSIONS.find((c) => c.magic.every((byte, i) => head[i] === byte) && c.check(head));
    if (other) throw new UserError(compressedMessage(other, name));
    yield* text(head, whole ? undefined : input, name);
    return;
  }
  if (whole) {
    // A small one is decompressed here rather than on the thread pool and back.
    const plain =
      head.length <= SMALL_GZIP_BYTES
        ? gunzipSync(head, { chunkSize: 64 * 1024 })
        : await gunzipWhole(head, { chunkSize: 256 * 1024 });
    yield* text(plain, undefined, name);
    return;
  }
  const rest = (async function* () {
    yield head;
    for (let next = await input.next(); !next.done; next = await input.next()) yield next.value;
  })();
  const source = Readable.from(rest, { objectMode: false });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  source.on("error", (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  try {
    const output = (gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const first = await peek(output, Buffer.alloc(0), TEXT_HEAD_BYTES);
    yield* text(first.head, first.done ? undefined : output, name);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

/** gzip files up to this size are decompressed in one synchronous call (a few milliseconds at most). */
const SMALL_GZIP_BYTES = 256 * 1024;
/** Bytes looked at to tell a compression (xz's magic is the longest). */
const MAGIC_BYTES = 6;
/** Bytes looked at to tell a text encoding. */
const TEXT_HEAD_BYTES = 4;

/** The first `bytes` bytes (or all there are) of a stream, and whether that was all. */
async function peek(
  input: AsyncIterator<Buffer>,
  start: Buffer,
  bytes: number,
): Promise<{ head: Buffer; done: boolean }> {
  let head = start;
  while (head.length < bytes) {
    const next = await input.next();
    if (next.done) return { head, done: true };
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  return { head, done: false };
}

/**
 * The text that starts with `head` (at least its first 4 bytes, unless that is all) and goes on
 * with `rest`, as UTF-8.
 */
async function* text(
  head: Buffer,
  rest: AsyncIterator<Buffer> | undefined,
  name: string | undefined,
): AsyncGenerator<Buffer> {
  if (
    (head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) ||
    (head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff)
  )
    throw new UserError(
      `UTF-32 text, which pagetrack does not read; convert it to UTF-8 first: ${convertCommand("iconv -f UTF-32 -t UTF-8", name)}`,
    );
  const utf16 = utf16Of(head);
  if (utf16) {
    yield* fromUtf16(head, rest, utf16);
    return;
  }
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
  if (head.length > 0) yield head;
  if (rest) for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

type Utf16 = "utf-16le" | "utf-16be";

/**
 * UTF-16 (as Windows tools write logs: PowerShell's `>`, Notepad's "Unicode"): by its byte order
 * mark, or, without one, by the zero bytes that ASCII-range text has in every other place. No
 * valid UTF-8 log line has a zero byte, so neither can be taken for one.
 */
function utf16Of(head: Buffer): Utf16 | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  if (head.length < 4) return undefined;
  if (head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0) return "utf-16le";
  if (head[0] === 0 && head[1] !== 0 && head[2] === 0 && head[3] !== 0) return "utf-16be";
  return undefined;
}

/** UTF-16 converted to UTF-8 as it streams (the decoder keeps a character split across chunks). */
async function* fromUtf16(
  head: Buffer,
  rest: AsyncIterator<Buffer> | undefined,
  encoding: Utf16,
): AsyncGenerator<Buffer> {
  // Drops a byte order mark; an unpaired surrogate becomes U+FFFD.
  const decoder = new TextDecoder(encoding);
  yield Buffer.from(decoder.decode(head, { stream: true }), "utf8");
  if (rest)
    for (let next = await rest.next(); !next.done; next = await rest.next())
      yield Buffer.from(decoder.decode(next.value, { stream: true }), "utf8");
  const last = decoder.decode();
  if (last.length > 0) yield Buffer.from(last, "utf8");
}

interface Compression {
  name: string;
  magic: number[];
  /** The command that writes the file decompressed to stdout. */
  command: string;
  /** The file name's usual ending. */
  ext: string;
  check(head: Buffer): boolean;
}

const ANY = () => true;

/** Compressions Node.js cannot read, by their magic bytes. */
const COMPRESSIONS: Compression[] = [
  // "BZh" and the block size, 1 to 9.
  {
    name: "bzip2",
    magic: [0x42, 0x5a, 0x68],
    command: "bzip2 -dc",
    ext: ".bz2",
    check: (h) => h[3] >= 0x31 && h[3] <= 0x39,
  },
  { name: "xz", magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], command: "xz -dc", ext: ".xz", check: ANY },
  { name: "zstd", magic: [0x28, 0xb5, 0x2f, 0xfd], command: "zstd -dc", ext: ".zst", check: ANY },
  { name: "lz4", magic: [0x04, 0x22, 0x4d, 0x18], command: "lz4 -dc", ext: ".lz4", check: ANY },
  { name: "zip", magic: [0x50, 0x4b, 0x03, 0x04], command: "unzip -p", ext: ".zip", check: ANY },
  // Unix compress (.Z), which gzip also reads.
  { name: "compress (.Z)", magic: [0x1f, 0x9d], command: "gzip -dc", ext: ".Z", check: ANY },
];

/**
 * What to say of a compressed file pagetrack cannot read: the compression, and the command that
 * turns the file (named as given) into one it reads.
 */
function compressedMessage(c: Compression, name: string | undefined): string {
  const start = `compressed with ${c.name}, which pagetrack does not read (it reads gzip and plain text)`;
  if (name === undefined || name === "-")
    return `${start}; decompress it before piping it in (${c.command} FILE)`;
  const file = basename(name);
  const out =
    file.endsWith(c.ext) && file.length > c.ext.length ? file.slice(0, -c.ext.length) : `${file}.log`;
  return `${start}; decompress it first: ${command(c.command, name, out)}`;
}

/** The command that converts the file `name` into `out` (in the same folder; a local copy of an S3 object). */
function command(program: string, name: string, out: string): string {
  if (name.startsWith("s3://")) return `aws s3 cp ${quote(name)} - | ${program} > ${quote(out)}`;
  const target = name.slice(0, name.length - basename(name).length) + out;
  return `${program} ${quote(name)} > ${quote(target)}`;
}

/** The command that converts a text file to UTF-8: `access.log` into `access.utf8.log`. */
function convertCommand(program: string, name: string | undefined): string {
  if (name === undefined || name === "-") return `${program} FILE`;
  const file = basename(name);
  const dot = file.lastIndexOf(".");
  const out = dot > 0 ? `${file.slice(0, dot)}.utf8${file.slice(dot)}` : `${file}.utf8.log`;
  return command(program, name, out);
}

/** A word as a POSIX shell reads it back. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

async function* tapped(
  raw: AsyncIterable<Buffer> | Iterable<Buffer>,
  tap?: (chunk: Buffer) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of raw) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    tap?.(buffer);
    yield buffer;
  }
}
