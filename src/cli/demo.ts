import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { Audience } from "../audience/audience.js";
import { generateHourlyLogs } from "../generator/files.js";
import { ingest } from "../ingest/driver.js";
import { PageViewRule } from "../pageview/rule.js";
import { pageTotals } from "../query/totals.js";
import { expandPaths } from "../readers/sources.js";
import { EarlierLayoutError } from "../store/meta.js";
import { DEMO_DATA_DIR } from "./defaults.js";
import type { Io } from "./io.js";
import { formatNumber } from "./messages.js";
import { checkPort, port } from "./port.js";
import { progressBar } from "./progress.js";

interface DemoFlags {
  data: string;
  days: number;
  port: number;
  host: string;
  serve: boolean;
}

export function registerDemo(program: Command, io: Io): void {
  program
    .command("demo")
    .description(
      "generate a month of realistic CloudFront logs, ingest them into a demo data directory and serve the dashboard",
    )
    .option("--data <dir>", "demo data directory (kept apart from your own data)", DEMO_DATA_DIR)
    .option("--days <n>", "days of traffic, ending now", days, 30)
    .option("--port <n>", "port of the dashboard", port, 8080)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--no-serve", "stop after ingesting instead of serving the dashboard")
    .action(async (flags: DemoFlags) => {
      await demo(flags, io);
    });
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3660)
    throw new InvalidArgumentError(`"${value}" is not a number of days from 1 to 3660`);
  return n;
}

async function demo(flags: DemoFlags, io: Io): Promise<void> {
  // Before any work: a busy port would otherwise fail only once the logs are ingested.
  if (flags.serve) await checkPort(flags.port, flags.host);
  // Who started the demo, read now: the server must stop with them, also if they go while it ingests.
  const server = flags.serve ? await import("./server.js") : undefined;
  const starters = server?.startedBy();
  const logs = join(flags.data, "logs");
  const now = Math.floor(Date.now() / 1000);
  // The last N days up to now, from the start of the first (UTC) day: a day's worth of traffic even
  // just after midnight, when today has hardly begun.
  const start = new Date((now - flags.days * 86400) * 1000).toISOString().slice(0, 10);
  // Logs are generated once; running the demo again finds them ingested already and skips them.
  if (!existsSync(logs)) {
    io.stderr.write(`Generating ${flags.days} days of CloudFront logs in ${logs} ...\n`);
    // Up to now, never later: today's logs end at this minute, as a real site's would.
    const seconds = now - Date.parse(`${start}T00:00:00Z`) / 1000;
    await generateHourlyLogs(logs, {
      requests: Math.round((2500 * seconds) / 86400),
      start,
      days: flags.days + 1,
      end: now,
      posts: 40,
      seed: 2024,
      gzip: true,
      perDay: true,
    });
  }
  const { sources } = await expandPaths([logs], io);
  const { connect } = await import("./connect.js");
  let connection = await connect({ data: flags.data, env: io.env });
  const ingestDemo = async () => {
    const progress = progressBar(
      "Ingesting",
      sources.reduce((sum, s) => sum + (s.size ?? 0), 0),
      { unit: "bytes", files: sources.length, stream: io.stderr },
    );
    try {
      await ingest(connection.store, connection.site, sources, {
        format: "auto",
        rule: new PageViewRule(),
        audience: new Audience(),
        raw: true,
        onBytes: (n) => progress.advance(n),
        onReread: (n) => progress.grow(n),
        onFileRead: () => progress.fileDone(),
      });
    } finally {
      progress.stop();
    }
  };
  try {
    try {
      await ingestDemo();
    } catch (error) {
      if (!(error instanceof EarlierLayoutError)) throw error;
      // The demo's own table, counted by an earlier pagetrack: its logs are still here, so count
      // them again into a new table.
      io.stderr.write(
        `The demo's table in ${flags.data} is of an earlier pagetrack: counting its logs again ...\n`,
      );
      await connection.close();
      await rm(join(flags.data, "db"), { recursive: true, force: true });
      connection = await connect({ data: flags.data, env: io.env });
      await ingestDemo();
    }
    const { store, site } = connection;
    const totals = await pageTotals(store, site);
    const top = Object.entries(totals.pages).slice(0, 10);
    const width = Math.max(...top.map(([, n]) => formatNumber(n).length));
    io.stdout.write(
      [
        `${formatNumber(totals.total)} page views on ${Object.keys(totals.pages).length} pages since ${totals.since?.slice(0, 10)}; the top ten:`,
        ...top.map(([page, n]) => `  ${formatNumber(n).padStart(width)}  ${page}`),
        "",
        `Ask more with: npx pagetrack totals --data ${flags.data}   or   npx pagetrack views / --data ${flags.data}`,
        "",
      ].join("\n"),
    );
    if (server) await server.serveUntilStopped(io, connection, flags, starters);
  } finally {
    await connection.close();
  }
}
