import { execFileSync } from "node:child_process";
import { bundleLambdas, bundleWeb } from "../../scripts/bundle.js";

/** Tests that run the `pagetrack` command, or deploy the Lambda bundles, need dist/ to match the sources. */
export default async function setup(): Promise<void> {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
  await Promise.all([bundleLambdas(), bundleWeb()]);
}
