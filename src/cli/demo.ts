import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { Audience } from "../audience/audience.js";
import { generateHourlyLogs } from "../generator/files.js";
import { ingest } from "../ingest/driver.js";
import { PageViewRule } from "../pageview/rule.js";
import { pageTotals } from "../query/totals.js";
import { expandPaths } from "../readers/sources.js";
import { formatNumber } from "./messages.js";
import { progressBar } from "./progress.js";

interface DemoFlags {
  data: string;
  days: number;
  port: number;
  host: string;
  serve: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "generate a month of realistic CloudFront logs, ingest them into a demo data directory and serve the dashboard",
    )
    .option("--data <dir>", "demo data directory (kept apart from your own data)", ".pagetrack/demo")
    .option("--days <n>", "days of traffic, ending today", (v) => Number.parseInt(v, 10), 30)
    .option("--port <n>", "port of the dashboard", (v) => Number.parseInt(v, 10), 8080)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--no-serve", "stop after ingesting instead of serving the dashboard")
    .action(async (flags: DemoFlags) => {
      await demo(flags);
    });
}

async function demo(flags: DemoFlags): Promise<void> {
  const logs = join(flags.data, "logs");
  const today = new Date();
  const start = new Date(today.getTime() - (flags.days - 1) * 86400000).toISOString().slice(0, 10);
  // Logs are generated once; running the demo again finds them ingested already and skips them.
  if (!existsSync(logs)) {
    process.stderr.write(`Generating ${flags.days} days of CloudFront logs in ${logs} ...\n`);
    await generateHourlyLogs(logs, {
      requests: 2500 * flags.days,
      start,
      days: flags.days,
      posts: 40,
      seed: 2024,
      gzip: true,
      perDay: true,
    });
  }
  const { sources } = await expandPaths([logs]);
  const { connect } = await import("../store/connect.js");
  const connection = await connect({ data: flags.data });
  try {
    const { store, site } = connection;
    const progress = progressBar(
      "Ingesting",
      sources.reduce((sum, s) => sum + (s.size ?? 0), 0),
      {
        unit: "bytes",
      },
    );
    await ingest(store, site, sources, {
      format: "auto",
      rule: new PageViewRule(),
      audience: new Audience(),
      raw: true,
      onBytes: (n) => progress.advance(n),
    });
    progress.stop();
    const totals = await pageTotals(store, site);
    const top = Object.entries(totals.pages).slice(0, 10);
    const width = Math.max(...top.map(([, n]) => formatNumber(n).length));
    process.stdout.write(
      [
        `${formatNumber(totals.total)} page views on ${Object.keys(totals.pages).length} pages since ${totals.since?.slice(0, 10)}; the top ten:`,
        ...top.map(([page, n]) => `  ${formatNumber(n).padStart(width)}  ${page}`),
        "",
        `Ask more with: pagetrack totals --data ${flags.data}   or   pagetrack views /blog/ --data ${flags.data}`,
        "",
      ].join("\n"),
    );
    if (flags.serve) await (await import("./server.js")).serveUntilStopped(connection, flags);
  } finally {
    await connection.close();
  }
}
