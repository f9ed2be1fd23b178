import { spawn } from "node:child_process";
import { join } from "node:path";
import autocannon from "autocannon";
import { bundleLambdas } from "../scripts/bundle.js";
import { check, median, OUT, PAGETRACK, ROOT, row } from "./lib.js";

/** Starts `pagetrack serve` on the totals benchmark's data (200 pages, 1,000,000 views). */
async function serve(): Promise<{ base: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [PAGETRACK, "serve", "--port", "0", "--site", "v1m", "--data", join(OUT, "totals-data")],
    {
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d) => resolve(/(http:\/\/\S+)\//.exec(String(d))?.[1] ?? ""));
    child.once("exit", (code) =>
      reject(new Error(`serve exited with ${code}; run \`npm run bench totals\` first to create its data`)),
    );
  });
  return {
    base,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function load(url: string): Promise<autocannon.Result> {
  return autocannon({ url, connections: 50, duration: 10 });
}

/**
 * The API under load: /pagetotals (200 pages) and /pageviews (one page, a year of daily points) on
 * `pagetrack serve` with 50 concurrent connections; then the Lambda bundles' size and module
 * initialisation time (the cold start's share that is ours).
 */
export async function benchApi(): Promise<boolean> {
  const server = await serve();
  const results: Record<string, autocannon.Result> = {};
  try {
    results["/pagetotals"] = await load(`${server.base}/pagetotals`);
    results["/pageviews"] = await load(
      `${server.base}/pageviews?page=/blog/post-1/&from=2024-01-01&to=2024-12-31&interval=day`,
    );
  } finally {
    await server.stop();
  }
  console.log("\napi: pagetrack serve, 50 connections, 10 s each");
  const widths = [14, 10, 9, 9, 8];
  console.log(row(["", "req/s", "p50 ms", "p99 ms", "errors"], widths));
  for (const [name, r] of Object.entries(results)) {
    console.log(
      row([name, r.requests.average.toFixed(0), r.latency.p50, r.latency.p99, r.errors + r.non2xx], widths),
    );
  }

  const sizes = await bundleLambdas();
  const init: Record<string, number> = {};
  for (const name of Object.keys(sizes)) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++)
      times.push(await initTime(join(ROOT, "dist/lambda-bundles", name, "index.mjs")));
    init[name] = median(times);
  }
  console.log(
    "\nlambda bundles (esbuild, minified): size, and module initialisation (median of 5 cold processes)",
  );
  for (const name of Object.keys(sizes))
    console.log(
      `  ${name.padEnd(8)} ${(sizes[name] / 1024).toFixed(0).padStart(5)} KiB  ${init[name].toFixed(0).padStart(4)} ms`,
    );
  const totals = results["/pagetotals"];
  const views = results["/pageviews"];
  return [
    check(
      "/pagetotals throughput",
      totals.requests.average >= 1000,
      `${totals.requests.average.toFixed(0)} req/s (target >= 1,000)`,
    ),
    check("/pagetotals p99", totals.latency.p99 < 50, `${totals.latency.p99} ms (target < 50 ms)`),
    check("/pageviews p99", views.latency.p99 < 50, `${views.latency.p99} ms (target < 50 ms)`),
    check(
      "no errors",
      totals.errors + totals.non2xx + views.errors + views.non2xx === 0,
      "every answer a 200",
    ),
    check(
      "bundle size",
      Object.values(sizes).every((s) => s < 1024 * 1024),
      "each under 1 MiB",
    ),
    check(
      "module initialisation",
      Object.values(init).every((ms) => ms < 150),
      `${Object.entries(init)
        .map(([n, ms]) => `${n} ${ms.toFixed(0)} ms`)
        .join(", ")} (target < 150 ms)`,
    ),
  ].every(Boolean);
}

/** Milliseconds to import a bundle in a fresh Node.js process, with the environment Lambda gives it. */
function initTime(bundle: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(bundle)}); process.stdout.write(String(performance.now() - t));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: {
        ...process.env,
        TARGET_DYNAMO_TABLE: "pagetrack",
        AWS_REGION: "us-east-1",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(Number(out)) : reject(new Error(`importing ${bundle} failed`)),
    );
  });
}
