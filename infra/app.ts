/**
 * CDK entry point (cdk.json: "app": "npx tsx infra/app.ts"). Configuration lives in cdk.json
 * under context "coinm-guard"; see docs/deploy.md.
 */
import process from "node:process";
import { App } from "aws-cdk-lib";
import { buildApp } from "./build.js";
import { DeployConfigError } from "./config.js";

const app = new App();
try {
  buildApp(app, { account: process.env.CDK_DEFAULT_ACCOUNT });
} catch (err) {
  if (!(err instanceof DeployConfigError)) throw err;
  // A config mistake is the user's to fix: print the list, not a stack trace.
  process.stderr.write(`\n${err.message}\n\n`);
  process.exit(1);
}
