import { bundleLambdas, bundleWeb, compileCli } from "../../scripts/bundle.js";

/**
 * Tests that run the `pagetrack` command, or deploy the Lambda bundles, need dist/ to match the
 * sources: built once here, without a second type check (`npm test` runs the type check first).
 */
export default async function setup(): Promise<void> {
  await compileCli();
  await Promise.all([bundleLambdas(), bundleWeb()]);
}
