import { isAscii, isUtf8 } from "node:buffer";

/** Longer lines are rejected without being held in memory (CloudFront caps URLs at 8 KiB, headers at 20 KiB). */
export const MAX_LINE_BYTES = 256 * 1024;

const BLOCK_BYTES = 64 * 1024;

/** Why a line with NUL bytes that is not UTF-8 is rejected: no text log writes one (a binary file). */
export const BINARY_LINE = "binary data (NUL bytes)";

export interface LineSink {
  line(text: string, lineNumber: number): void;
  reject(lineNumber: number, reason: string): void;
  /** Called after each chunk's lines: a consumer can apply backpressure by returning a promise. */
  afterChunk?(): Promise<void> | void;
  /**
   * Offered each chunk's complete lines (newline-separated, without the last newline) before they are
   * split here: returning true takes them whole (another thread splits them with splitLines), and
   * they are only counted here.
   */
  take?(block: Buffer, firstLine: number): boolean;
}

/**
 * Splits a byte stream into lines (LF or CRLF) with bounded memory whatever the input: complete
 * lines are decoded a whole block at a time, and an over-long line is skipped as it streams past.
 * Lines that are not valid UTF-8 are rejected (as binary data when they hold NUL bytes). Returns the
 * number of lines.
 */
export async function forEachLine(input: AsyncIterable<Buffer>, sink: LineSink): Promise<number> {
  let lineNumber = 0;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let skipping = false;

  const emitOne = (bytes: Buffer) => {
    lineNumber++;
    emitLine(bytes, lineNumber, sink);
  };

  // One chunk's complete lines; a line it ends inside is carried into the next.
  const splitChunk = async (chunk: Buffer) => {
    let start = 0;
    if (carryBytes > 0 || skipping) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        if (!skipping) {
          carry.push(chunk);
          carryBytes += chunk.length;
          if (carryBytes > MAX_LINE_BYTES) {
            skipping = true;
            carry = [];
            carryBytes = 0;
          }
        }
        return;
      }
      if (skipping) {
        lineNumber++;
        sink.reject(lineNumber, tooLong());
        skipping = false;
      } else {
        carry.push(chunk.subarray(0, nl));
        emitOne(Buffer.concat(carry));
      }
      carry = [];
      carryBytes = 0;
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start && sink.take?.(chunk.subarray(start, last), lineNumber + 1)) {
      lineNumber += countLines(chunk, start, last);
      start = last + 1;
    }
    while (last >= start) {
      // Decode at most ~64 KiB at a time: V8 allocates larger strings in a slow space.
      let end = last;
      if (end - start > BLOCK_BYTES) {
        end = chunk.lastIndexOf(10, start + BLOCK_BYTES);
        if (end < start) end = chunk.indexOf(10, start + BLOCK_BYTES);
      }
      lineNumber = emitBlock(chunk.subarray(start, end), lineNumber, sink);
      start = end + 1;
      // A turn of the event loop between blocks: a gzip stream's next steps (its next input, the
      // next chunk's decompression on the thread pool) each wait for one, and without them the
      // decompression would wait for the lines, and the lines for the decompression.
      if (last >= start) await nextTurn();
    }
    if (start < chunk.length) {
      const tail = chunk.subarray(start);
      if (tail.length > MAX_LINE_BYTES) skipping = true;
      else {
        carry = [Buffer.from(tail)];
        carryBytes = tail.length;
      }
    }
  };

  // The next chunk is asked for before this one's lines are split: a gzip stream decompresses it on
  // the thread pool meanwhile, where it would otherwise wait for the ask with this thread idle.
  const chunks = input[Symbol.asyncIterator]();
  const ask = () => {
    const chunk = chunks.next();
    // A failure (a truncated gzip file) is thrown where the chunk is awaited; until then the
    // promise must not count as an unhandled rejection, which would end the process.
    chunk.catch(() => {});
    return chunk;
  };
  let next = ask();
  let done = false;
  try {
    for (;;) {
      const read = await next;
      if (read.done) {
        done = true;
        break;
      }
      next = ask();
      await splitChunk(read.value);
      await sink.afterChunk?.();
    }
  } finally {
    // Left early (a sink threw, the input failed): the chunk asked for is not wanted.
    if (!done) await chunks.return?.();
  }

  if (skipping) {
    lineNumber++;
    sink.reject(lineNumber, tooLong());
  } else if (carryBytes > 0) emitOne(Buffer.concat(carry));
  return lineNumber;
}

/**
 * Splits complete lines (newline-separated, without the last newline), the first of them numbered
 * `firstLine`, as forEachLine does: what a thread given a block by LineSink.take runs. Returns the
 * number of lines.
 */
export function splitLines(
  block: Buffer,
  firstLine: number,
  sink: Pick<LineSink, "line" | "reject">,
): number {
  let lineNumber = firstLine - 1;
  let start = 0;
  for (;;) {
    let end = block.length;
    if (end - start > BLOCK_BYTES) {
      end = block.lastIndexOf(10, start + BLOCK_BYTES);
      if (end < start) end = block.indexOf(10, start + BLOCK_BYTES);
      if (end === -1) end = block.length;
    }
    lineNumber = emitBlock(block.subarray(start, end), lineNumber, sink);
    if (end === block.length) return lineNumber - firstLine + 1;
    start = end + 1;
  }
}

/** Lines in chunk[start, end): newlines + 1. */
function countLines(chunk: Buffer, start: number, end: number): number {
  let lines = 1;
  for (let nl = chunk.indexOf(10, start); nl !== -1 && nl < end; nl = chunk.indexOf(10, nl + 1)) lines++;
  return lines;
}

function emitLine(bytes: Buffer, lineNumber: number, sink: Pick<LineSink, "line" | "reject">): void {
  if (bytes.length > MAX_LINE_BYTES) sink.reject(lineNumber, tooLong());
  else if (!isUtf8(bytes)) sink.reject(lineNumber, bytes.includes(0) ? BINARY_LINE : "invalid UTF-8");
  else sink.line(stripCr(bytes.toString("utf8")), lineNumber);
}

/**
 * Newline-separated complete lines, without the final newline, the line before them numbered
 * `lineNumber`: decoded at once when they are valid UTF-8. Returns the number of the last.
 */
function emitBlock(block: Buffer, lineNumber: number, sink: Pick<LineSink, "line" | "reject">): number {
  const ascii = isAscii(block);
  if (!ascii && !isUtf8(block)) {
    let start = 0;
    for (;;) {
      const nl = block.indexOf(10, start);
      emitLine(block.subarray(start, nl === -1 ? block.length : nl), ++lineNumber, sink);
      if (nl === -1) return lineNumber;
      start = nl + 1;
    }
  }
  const text = block.toString(ascii ? "latin1" : "utf8");
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl;
    lineNumber++;
    if (end - start > MAX_LINE_BYTES) sink.reject(lineNumber, tooLong());
    else sink.line(stripCr(start === 0 && nl === -1 ? text : text.slice(start, end)), lineNumber);
    if (nl === -1) return lineNumber;
    start = nl + 1;
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

function tooLong(): string {
  return `line longer than ${MAX_LINE_BYTES / 1024} KiB`;
}
