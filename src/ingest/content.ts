import { createHash, type Hash } from "node:crypto";

/**
 * Lines of a log counted together: a log is cut into blocks of this many lines, and what a block
 * adds is stored apart from the other blocks (store/contributions.ts). A log that grew rewrites only
 * its last block and the ones after it; a larger block means fewer items for a large file.
 */
export const BLOCK_LINES = 10_000;

/** What a log's text is, as ingestion tells logs apart: the same records are the same log. */
export interface ContentPrint {
  /** SHA-256 of the whole text, CRLF read as LF: the same records compressed or not, LF or CRLF. */
  id: string;
  /**
   * SHA-256 of the log's head: its header lines (`#...`, blank) and its first record line. A log
   * that grew, was renamed or compressed keeps its head; a log emptied and written anew does not.
   */
  head: string | undefined;
  /** Complete lines (ended by a newline). */
  lines: number;
  /** The text ends in a line that has no newline yet (a log being written): it counts, as a half line. */
  partial: boolean;
  /** SHA-256 of the first k × BLOCK_LINES lines, for each k ≥ 1 the text has. */
  boundaries: string[];
}

const CR = 13;
const LF = 10;

/**
 * Fingerprints a log's text as it streams past (after decompression and decoding), with CRLF read
 * as LF: the whole text, its head, and the text up to every block boundary.
 */
export class ContentPrinter {
  private readonly whole = createHash("sha256");
  private head: Hash | undefined = createHash("sha256");
  private headDigest: string | undefined;
  /** The head's current line holds something other than blanks, and does not start with `#`. */
  private headRecord = false;
  /** Where the head's current line started: it is a record line when its first byte is not `#`. */
  private atLineStart = true;
  private lines = 0;
  private tail = 0;
  private pendingCr = false;
  private readonly boundaries: string[] = [];

  update(chunk: Buffer, end = false): void {
    const text = this.normalised(chunk, end);
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf(LF, start);
      const end = nl === -1 ? text.length : nl + 1;
      const piece = text.subarray(start, end);
      this.whole.update(piece);
      if (this.head) this.feedHead(piece, nl !== -1);
      if (nl === -1) {
        this.tail += piece.length;
        break;
      }
      this.tail = 0;
      this.lines++;
      if (this.lines % BLOCK_LINES === 0) this.boundaries.push(this.whole.copy().digest("hex"));
      start = end;
    }
  }

  finish(): ContentPrint {
    // A CR at the very end, with no LF after it, is text.
    if (this.pendingCr) this.update(Buffer.alloc(0), true);
    // A record line with no newline yet still makes the head: the file has nothing else.
    if (this.head && this.headRecord) this.headDigest = this.head.digest("hex");
    return {
      id: this.whole.digest("hex"),
      head: this.headDigest,
      lines: this.lines,
      partial: this.tail > 0,
      boundaries: this.boundaries,
    };
  }

  /** The head takes whole lines until the first record line is complete. */
  private feedHead(piece: Buffer, ends: boolean): void {
    const head = this.head as Hash;
    head.update(piece);
    for (let i = 0; i < piece.length; i++) {
      const byte = piece[i];
      if (byte === LF) break;
      if (this.atLineStart && byte === 0x23 /* # */) {
        this.atLineStart = false;
        break;
      }
      if (byte !== 0x20 && byte !== 0x09 && byte !== CR) {
        if (this.atLineStart) this.headRecord = true;
        this.atLineStart = false;
        break;
      }
    }
    if (!ends) return;
    if (this.headRecord) {
      this.headDigest = head.digest("hex");
      this.head = undefined;
    }
    this.atLineStart = true;
  }

  /** The chunk with every CR that comes right before an LF left out (also across chunks). */
  private normalised(chunk: Buffer, end = false): Buffer {
    let text = chunk;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text[0] !== LF) text = Buffer.concat([Buffer.of(CR), text]);
    }
    if (text.indexOf(CR) === -1) return text;
    const parts: Buffer[] = [];
    let start = 0;
    for (let cr = text.indexOf(CR); cr !== -1; cr = text.indexOf(CR, cr + 1)) {
      if (cr === text.length - 1 && !end) {
        parts.push(text.subarray(start, cr));
        this.pendingCr = true;
        start = text.length;
        break;
      }
      if (text[cr + 1] === LF) {
        parts.push(text.subarray(start, cr));
        start = cr + 1;
      }
    }
    parts.push(text.subarray(start));
    return Buffer.concat(parts);
  }
}

/** SHA-256 of a file's text up to the last block boundary at or before `lines` ("" at the start). */
export function checkAt(print: ContentPrint, lines: number): string | undefined {
  const k = Math.floor(lines / BLOCK_LINES);
  return k === 0 ? "" : print.boundaries[k - 1];
}
