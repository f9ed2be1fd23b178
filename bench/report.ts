import { existsSync } from "node:fs";
import { join } from "node:path";
import { check, cloudfrontInput, ensureCommands, median, OUT, PAGETRACK, row, timed } from "./lib.js";

/**
 * `pagetrack report` with every breakdown (sources, campaigns, entry pages, browsers, systems,
 * devices, countries) on a 1,000,000-line gzipped CloudFront log, side by side with GoAccess with all
 * its panels (referrers, browsers, systems among them; reading the file already decompressed: its
 * fastest fair run, since it cannot read gzip itself) and with `pigz -dc | mawk` applying the
 * page-view rule alone (the practical floor).
 */
export async function benchReport(runs = 3): Promise<boolean> {
  ensureCommands({ goaccess: "goaccess", pigz: "pigz", mawk: "mawk", "/usr/bin/time": "time" });
  const { path, expected } = await cloudfrontInput(1_000_000);
  const plain = join(OUT, "cloudfront-1000000.log");
  if (!existsSync(plain)) await timed(`pigz -dc '${path}' > '${plain}'`);
  const awk = join(import.meta.dirname, "pageviews.awk");
  const commands = {
    pagetrack: `'${PAGETRACK}' report --json '${path}'`,
    goaccess: `goaccess '${plain}' --log-format=CLOUDFRONT -o '${join(OUT, "goaccess.json")}'`,
    "pigz+mawk": `pigz -dc '${path}' | mawk -f '${awk}'`,
  };
  const results: Record<string, { seconds: number[]; peakMb: number[]; stdout: string }> = {};
  for (let run = 0; run < runs; run++) {
    // Interleaved, so that a noisy moment on this shared machine hits every tool alike.
    for (const [name, command] of Object.entries(commands)) {
      const t = await timed(command);
      results[name] ??= { seconds: [], peakMb: [], stdout: "" };
      results[name].seconds.push(t.seconds);
      results[name].peakMb.push(t.peakMb);
      results[name].stdout = t.stdout;
    }
  }
  const report = JSON.parse(results.pagetrack.stdout);
  const views = report.summary.views;
  const browsers = Object.values(report.breakdowns.browser as Record<string, number>).reduce(
    (a, b) => a + b,
    0,
  );
  const awkViews = Number(/(\d+)\tTOTAL/.exec(results["pigz+mawk"].stdout)?.[1]);
  const time = (name: string) => median(results[name].seconds);
  const rss = Math.max(...results.pagetrack.peakMb);

  console.log(`\nreport: 1,000,000-line gzipped CloudFront log, median of ${runs} interleaved runs`);
  const widths = [12, 10, 12];
  console.log(row(["", "seconds", "peak RSS MB"], widths));
  for (const name of Object.keys(commands)) {
    console.log(row([name, time(name).toFixed(2), Math.max(...results[name].peakMb).toFixed(0)], widths));
  }
  const vsGoaccess = time("goaccess") / time("pagetrack");
  const vsFloor = time("pagetrack") / time("pigz+mawk");
  return [
    check(
      "counts",
      views === expected.views && awkViews === expected.views && browsers === expected.views,
      `pagetrack ${views} (${browsers} by browser), mawk ${awkViews}, expected ${expected.views}`,
    ),
    check("faster than GoAccess", vsGoaccess >= 5, `${vsGoaccess.toFixed(1)}x (target >= 5x)`),
    check("near the pigz+mawk floor", vsFloor <= 1.3, `${vsFloor.toFixed(2)}x its time (target <= 1.3x)`),
    check("peak RSS", rss < 200, `${rss.toFixed(0)} MB (target < 200 MB)`),
  ].every(Boolean);
}
