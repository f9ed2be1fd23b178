import { Readable } from "node:stream";
import { promisify } from "node:util";
import { createGunzip, gunzip as gunzipCallback } from "node:zlib";

const gunzipWhole = promisify(gunzipCallback);

/**
 * The decompressed bytes of a raw stream: gzip is recognised by its magic bytes (1f 8b), never by
 * the file name; anything else passes through. `tap` sees every raw chunk (hashing, progress).
 */
export async function* decompressed(
  raw: AsyncIterable<Buffer>,
  tap?: (chunk: Buffer) => void,
): AsyncGenerator<Buffer> {
  const input = tapped(raw, tap)[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await input.next();
    if (next.done) {
      if (head.length > 0) yield head;
      return;
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  let second = await input.next();
  if (second.done) {
    // A file that came in one chunk (most log files are small): no stream to set up.
    yield gzip ? await gunzipWhole(head, { chunkSize: 256 * 1024 }) : head;
    return;
  }
  const rest = (async function* () {
    yield head;
    while (!second.done) {
      yield second.value;
      second = await input.next();
    }
  })();
  if (!gzip) {
    yield* rest;
    return;
  }
  const source = Readable.from(rest, { objectMode: false });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  source.on("error", (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  try {
    yield* gunzip;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

async function* tapped(raw: AsyncIterable<Buffer>, tap?: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of raw) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    tap?.(buffer);
    yield buffer;
  }
}
