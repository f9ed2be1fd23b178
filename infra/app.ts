/**
 * The CDK app (cdk.json runs it after bundling the functions): one pagetrack stack, configured by
 * CDK context (`-c configFile=site.json` and/or `-c pagetrack='{...}'`, see docs/deploy.md).
 * The stack is environment-agnostic, so `cdk synth` needs neither credentials nor a network.
 */
import { App } from "aws-cdk-lib";
import { configFromContext } from "./config.js";
import { PagetrackStack } from "./stack.js";

const app = new App();
try {
  const config = configFromContext((key) => app.node.tryGetContext(key));
  new PagetrackStack(app, config.stackName, {
    config,
    description: `pagetrack: page views of site "${config.site}" counted from its access logs`,
  });
  app.synth();
} catch (error) {
  console.error(`pagetrack: ${(error as Error).message}`);
  process.exit(1);
}
