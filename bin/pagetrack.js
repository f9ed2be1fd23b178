#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=512
// The V8 flags keep the resident memory of long runs low: without them V8 lets garbage grow to
// several hundred megabytes before collecting it. (They apply when the file is run as a program.)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

// In a clone (src/ beside dist/), the first run builds dist/: the package has no install script,
// so that installing it runs nothing. An installed package ships dist/ built and has no src/.
// `npm run build` compiles the CLI and bundles the dashboard it serves, nothing more: the Lambda
// bundles are made when the CDK app needs them (cdk.json).
const built = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(built) && existsSync(new URL("../src/cli/main.ts", import.meta.url))) {
  process.stderr.write(
    "pagetrack: building dist/ (the first run in a clone; `npm run build` after a pull) ...\n",
  );
  const build = spawnSync("npm", ["run", "--silent", "build"], {
    cwd: new URL("..", import.meta.url),
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (build.status !== 0) {
    process.stderr.write("pagetrack: the build failed; run `npm install`, then `npm run build` to see why\n");
    process.exit(1);
  }
}
const { main } = await import(built.href);
process.exitCode = await main(process.argv);
