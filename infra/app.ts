/**
 * CDK entry point (cdk.json: "app": "npx tsx infra/app.ts"). Configuration lives in cdk.json
 * under context "coinm-guard"; see docs/deploy.md.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { App } from "aws-cdk-lib";
import { buildApp } from "./build.js";
import { CONTEXT_KEY, DeployConfigError } from "./config/index.js";

/** cdk.json's block, read from the file: `-c coinm-guard='{...}'` hides it from the app's context. */
function fileConfig(): unknown {
  const path = join(process.cwd(), "cdk.json");
  if (!existsSync(path)) return undefined;
  const json = JSON.parse(readFileSync(path, "utf8")) as { context?: Record<string, unknown> };
  return json.context?.[CONTEXT_KEY];
}

const app = new App();
try {
  buildApp(app, { account: process.env.CDK_DEFAULT_ACCOUNT, fileConfig: fileConfig() });
} catch (err) {
  if (!(err instanceof DeployConfigError)) throw err;
  // A config mistake is the user's to fix: print the list, not a stack trace.
  process.stderr.write(`\n${err.message}\n\n`);
  process.exit(1);
}
