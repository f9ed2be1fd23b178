import cliProgress from "cli-progress";
import type { Output } from "./io.js";
import { formatNumber, plural } from "./messages.js";

/** A progress bar on stderr, shown only on a terminal and never with --json. */
export interface Progress {
  /** Some of the work is done: bytes read, say. */
  advance(amount: number): void;
  /** There is more to do than the total said: a file that is read a second time. */
  grow(amount: number): void;
  setTotal(total: number): void;
  /** One more file is finished (shown when `files` was given). */
  fileDone(): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Never shown (--json). */
  quiet?: boolean;
  /** "bytes" shows the amounts in B, KB, MB, GB; another word is shown after plain counts. */
  unit?: string;
  /** The number of files, when the caller says as each is finished (`fileDone`). */
  files?: number;
  /** Where to draw (default stderr): nothing is drawn unless it is a terminal. */
  stream?: Output;
}

/** What one frame of the bar shows. */
export interface ProgressFrame {
  label: string;
  value: number;
  /** 0 when unknown (stdin): then there is no percentage, bar or time left. */
  total: number;
  unit?: string;
  filesDone?: number;
  files?: number;
  /** Seconds left, as estimated; not shown unless finite. */
  eta?: number;
}

const BAR_WIDTH = 30;

/**
 * One frame of the bar: `Ingesting [██████░░░░] 48% | 12.9 MB of 26.9 MB | 1 of 2 files | 3s left`.
 */
export function progressLine(frame: ProgressFrame): string {
  const parts: string[] = [];
  const amount = (n: number) => (frame.unit === "bytes" ? formatBytes(n) : formatNumber(n));
  const suffix = frame.unit && frame.unit !== "bytes" ? ` ${frame.unit}` : "";
  if (frame.total > 0) {
    const share = Math.min(1, Math.max(0, frame.value / frame.total));
    const done = Math.round(share * BAR_WIDTH);
    parts.push(
      `${frame.label} [${"█".repeat(done)}${"░".repeat(BAR_WIDTH - done)}] ${Math.floor(share * 100)}%`,
      `${amount(frame.value)} of ${amount(frame.total)}${suffix}`,
    );
  } else parts.push(`${frame.label} ${amount(frame.value)}${suffix}`);
  if (frame.files !== undefined)
    parts.push(`${formatNumber(frame.filesDone ?? 0)} of ${plural(frame.files, "file")}`);
  if (frame.total > 0 && frame.value < frame.total && frame.eta !== undefined && Number.isFinite(frame.eta))
    parts.push(`${formatDuration(frame.eta)} left`);
  return parts.join(" | ");
}

/** Bytes in decimal units, three significant digits: "512 B", "1.5 KB", "26.9 MB", "269 MB", "1.2 GB". */
export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value < 99.95 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Seconds as "7s", "2m 05s", "1h 02m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

const silent: Progress = { advance() {}, grow() {}, setTotal() {}, fileDone() {}, stop() {} };

export function progressBar(label: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !stream.isTTY) return silent;
  let value = 0;
  let filesDone = 0;
  const bar = new cliProgress.SingleBar(
    {
      // Only a terminal gets here: a real stream, as cli-progress needs.
      stream: stream as NodeJS.WritableStream,
      format: (_options, params) =>
        progressLine({
          label,
          value,
          total: params.total,
          unit: options.unit,
          filesDone,
          files: options.files,
          eta: params.eta,
        }),
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let barTotal = total;
  const setTotal = (n: number) => {
    barTotal = n;
    bar.setTotal(n);
  };
  bar.start(total, 0);
  return {
    advance: (amount) => {
      value += amount;
      // A source of unknown size (stdin), or one that grew: the total is at least what was read.
      if (barTotal > 0 && value > barTotal) setTotal(value);
      bar.update(value);
    },
    grow: (amount) => {
      if (barTotal > 0) setTotal(barTotal + amount);
    },
    setTotal,
    fileDone: () => {
      filesDone++;
      bar.update(value);
    },
    stop: () => bar.stop(),
  };
}
