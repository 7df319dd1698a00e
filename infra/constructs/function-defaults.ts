/**
 * What every function of the stack shares: runtime, architecture, ESM bundling with the local
 * esbuild, source maps, and an explicit log group with retention.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RemovalPolicy } from "aws-cdk-lib";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import {
  type BundlingOptions,
  type NodejsFunctionProps,
  OutputFormat,
  SourceMapMode,
} from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * ESM bundles have no `require`; esbuild turns a bundled CommonJS dependency's require() into a
 * stub that throws at run time. Defining it up front keeps such a dependency working.
 */
const REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

/** esbuild options for every function; the benchmarks bundle with the same ones. */
export const BUNDLING: BundlingOptions = {
  // esbuild from node_modules, never Docker: synth must work offline on a plain machine.
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  mainFields: ["module", "main"],
  minify: true,
  sourceMap: true,
  // DEFAULT is esbuild's "linked": the .map file plus the `//# sourceMappingURL` comment that
  // `--enable-source-maps` follows. EXTERNAL writes the map without the comment, so Node never
  // found it and stack traces pointed into the minified line (test/integration/node24-bundle.test.ts).
  sourceMapMode: SourceMapMode.DEFAULT,
  // Mappings are enough for stack traces; embedding the sources would double the asset.
  sourcesContent: false,
  banner: REQUIRE_BANNER,
  // The Node.js runtime ships AWS SDK v3, and gets AWS's fixes without a redeploy. Bundling it
  // would add ~360 KB (over the 250 KB budget) to save ~70 ms per cold start, which at one run a
  // minute happens a few times a day (docs/performance.md, "Lambda bundle").
  externalModules: ["@aws-sdk/*"],
};

/** NodejsFunction props shared by the stack's functions. */
export function functionDefaults(entry: string): NodejsFunctionProps {
  return {
    entry: join(REPO_ROOT, entry),
    handler: "handler",
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    environment: {
      // Stack traces point at the TypeScript source through the bundled source map.
      NODE_OPTIONS: "--enable-source-maps",
    },
    bundling: BUNDLING,
  };
}

/** A log group the stack owns, so retention is set and teardown removes it. */
export function functionLogGroup(scope: Construct, id: string, name: string | undefined, retention: RetentionDays) {
  return new LogGroup(scope, id, {
    logGroupName: name,
    retention,
    // Logs are for debugging and expire anyway; the monitor's history lives in the table.
    removalPolicy: RemovalPolicy.DESTROY,
  });
}
