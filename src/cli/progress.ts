import cliProgress from "cli-progress";

/** A progress bar on stderr, shown only on a terminal and never with --json. */
export interface Progress {
  advance(amount: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const silent: Progress = { advance() {}, setTotal() {}, stop() {} };

export function progressBar(
  label: string,
  total: number,
  options: { quiet?: boolean; unit?: string } = {},
): Progress {
  if (options.quiet || !process.stderr.isTTY) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${options.unit ?? ""} | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    advance: (amount) => bar.increment(amount),
    setTotal: (n) => bar.setTotal(n),
    stop: () => bar.stop(),
  };
}
