import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { describeError } from "../errors.js";

/** Somewhere log bytes come from: a file, stdin, an S3 object. */
export interface LogSource {
  /** How messages name it: the path, `-` for stdin, `s3://bucket/key`. */
  readonly name: string;
  /** Size in bytes when known before reading (for progress). */
  readonly size?: number;
  /** Whether `open()` can be called again cheaply (a local file); otherwise a second read needs a copy. */
  readonly replayable?: boolean;
  /** The raw (possibly gzipped) bytes; a replayable source can stop after the first `limit` bytes. */
  open(limit?: number): Promise<Chunks>;
}

/** Bytes as they are read: a stream, or a small file's bytes in one. */
export type Chunks = AsyncIterable<Buffer> | Iterable<Buffer>;

export interface SourceError {
  name: string;
  error: string;
}

/** A file or folder under a directory given that is not read, and why. */
export interface SkippedSource {
  name: string;
  reason: string;
}

/**
 * Files up to this size are read whole, in one synchronous call: most logs are small (CloudFront
 * writes several an hour), and a stream's set-up, its 256 KiB buffers and four trips to the thread
 * pool (open, stat, read, close: ~0.5 ms) cost many times what reading one takes (~25 µs).
 */
const WHOLE_FILE_BYTES = 1024 * 1024;

export function fileSource(path: string, size?: number): LogSource {
  return {
    name: path,
    size,
    replayable: true,
    open: async (limit) => {
      if (size !== undefined && size <= WHOLE_FILE_BYTES) {
        const bytes = readFileSync(path);
        return [limit === undefined ? bytes : bytes.subarray(0, limit)];
      }
      return createReadStream(path, {
        highWaterMark: 256 * 1024,
        end: limit === undefined ? undefined : limit - 1,
      });
    },
  };
}

export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  return match ? { bucket: match[1], prefix: match[2] } : undefined;
}

export function stdinSource(stdin: Readable = process.stdin): LogSource {
  return { name: "-", open: async () => stdin };
}

/** Where `-` and `s3://` paths are read from: a run's stdin, and the environment that finds S3. */
export interface SourceContext {
  stdin: Readable;
  env: NodeJS.ProcessEnv;
}

/**
 * Expands command-line paths into sources: `-` is stdin, `s3://bucket/prefix` every object under the
 * prefix, a directory every file below it (recursively, in sorted order), anything else a file.
 * Hidden folders are read (a shipper's `.archive/`); a version control system's own folder is
 * skipped, and named in `skipped`. Hidden files are not read: no server writes its log to one, and
 * they are the desktop's and editors' (`.DS_Store`, `.gitkeep`, swap files).
 */
export async function expandPaths(
  paths: string[],
  context: SourceContext = { stdin: process.stdin, env: process.env },
): Promise<{ sources: LogSource[]; errors: SourceError[]; skipped: SkippedSource[] }> {
  const sources: LogSource[] = [];
  const errors: SourceError[] = [];
  const skipped: SkippedSource[] = [];
  for (const path of paths) {
    if (path === "-") {
      sources.push(stdinSource(context.stdin));
      continue;
    }
    try {
      const s3 = parseS3Url(path);
      if (s3) {
        // The S3 client is loaded only for an s3:// path.
        const { listS3, newS3Client } = await import("./s3.js");
        const objects = await listS3(s3.bucket, s3.prefix, newS3Client(context.env));
        if (objects.length === 0) errors.push({ name: path, error: "no objects under this prefix" });
        sources.push(...objects);
        continue;
      }
      const info = await stat(path);
      if (info.isDirectory()) {
        const files = await walk(path, skipped);
        if (files.length === 0) errors.push({ name: path, error: "directory holds no log files" });
        sources.push(...files);
      } else {
        sources.push(fileSource(path, info.size));
      }
    } catch (error) {
      errors.push({ name: path, error: describeError(error) });
    }
  }
  return { sources, errors, skipped };
}

/**
 * What marks a folder as an embedded engine's data directory (`.pagetrack`, or any `--data DIR`): its
 * LevelDB's `CURRENT` file. `pagetrack ingest .` in the folder it keeps its data in must not read
 * its own database.
 */
const ENGINE_MARK = join("db", "CURRENT");

/** Folders of version control systems: their files are the system's, never logs. */
const VCS_FOLDERS: ReadonlySet<string> = new Set([".git", ".hg", ".svn", ".bzr"]);

async function walk(dir: string, skipped: SkippedSource[]): Promise<LogSource[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const sources: LogSource[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (VCS_FOLDERS.has(entry.name))
        skipped.push({ name: path, reason: "a version control folder, not logs" });
      else if (existsSync(join(path, ENGINE_MARK)))
        skipped.push({ name: path, reason: "pagetrack's own data directory (--data), not logs" });
      else sources.push(...(await walk(path, skipped)));
    } else if (entry.isFile() && !entry.name.startsWith(".")) {
      // Synchronous: a directory of thousands of small files is stat'ed in milliseconds, not a second.
      sources.push(fileSource(path, statSync(path).size));
    }
  }
  return sources;
}
