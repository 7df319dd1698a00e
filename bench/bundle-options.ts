/**
 * How the stack bundles the Lambda, taken from the stack itself: infra/ exports the bundling
 * options every function uses (`BUNDLING`) and the runtime (`functionDefaults`), and this module
 * turns them into the esbuild options CDK derives from them (aws-lambda-nodejs bundling.js:
 * --platform=node, --target from the runtime, --format, --main-fields, --minify, --sourcemap=MODE,
 * --sources-content, --banner:js, --external). An option CDK would pass that is not translated here
 * is listed by `untranslatedOptions`, so the figure never silently measures a different bundle.
 */
import type { BundlingOptions } from "aws-cdk-lib/aws-lambda-nodejs";
import type { BuildOptions } from "esbuild";
import { BUNDLING, functionDefaults } from "../infra/constructs/function-defaults.js";

export const LAMBDA_ENTRY = "functions/monitor.ts";

/** Options that do not change the bundle's bytes (Docker, install hooks, ...). */
const IRRELEVANT = new Set<keyof BundlingOptions>([
  "forceDockerBundling",
  "commandHooks",
  "environment",
  "dockerImage",
  "user",
  "workingDirectory",
  "securityOpt",
  "network",
  "volumes",
  "volumesFrom",
  "bundlingFileAccess",
  "assetHash",
  "logLevel",
  "preCompilation",
  "nodeModules",
]);
const TRANSLATED = new Set<keyof BundlingOptions>([
  "format",
  "mainFields",
  "minify",
  "sourceMap",
  "sourceMapMode",
  "sourcesContent",
  "banner",
  "footer",
  "externalModules",
  "target",
  "define",
  "keepNames",
  "charset",
  "loader",
]);

export function untranslatedOptions(bundling: BundlingOptions = BUNDLING): string[] {
  return Object.keys(bundling).filter(
    (k) => !IRRELEVANT.has(k as keyof BundlingOptions) && !TRANSLATED.has(k as keyof BundlingOptions),
  );
}

/** The esbuild options CDK runs for `bundling` on `runtimeName` (e.g. "nodejs24.x"). */
export function esbuildOptionsOf(bundling: BundlingOptions, runtimeName: string): BuildOptions {
  const major = /^nodejs(\d+)/.exec(runtimeName)?.[1];
  if (!major) throw new Error(`not a Node.js runtime: ${runtimeName}`);
  const mode = bundling.sourceMapMode ?? "default";
  return {
    platform: "node",
    target: bundling.target ?? `node${major}`,
    format: bundling.format === "esm" ? "esm" : "cjs",
    ...(bundling.mainFields ? { mainFields: [...bundling.mainFields] } : {}),
    minify: bundling.minify ?? false,
    // CDK: --sourcemap for "default" (a linked map), --sourcemap=<mode> otherwise.
    sourcemap: bundling.sourceMap ? (mode === "default" ? "linked" : (mode as "inline" | "external" | "both")) : false,
    ...(bundling.sourcesContent === false ? { sourcesContent: false } : {}),
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    ...(bundling.footer ? { footer: { js: bundling.footer } } : {}),
    ...(bundling.define ? { define: { ...bundling.define } } : {}),
    ...(bundling.keepNames ? { keepNames: true } : {}),
    ...(bundling.charset ? { charset: bundling.charset === "utf8" ? "utf8" : "ascii" } : {}),
    ...(bundling.loader ? { loader: { ...bundling.loader } as BuildOptions["loader"] } : {}),
    // CDK's default for Node.js 18+ runtimes when externalModules is not set.
    external: [...(bundling.externalModules ?? ["@aws-sdk/*"])],
  };
}

const RUNTIME = functionDefaults(LAMBDA_ENTRY).runtime?.name ?? "nodejs24.x";

/** The esbuild options the stack's monitor function is bundled with. */
export const LAMBDA_BUNDLING: BuildOptions = esbuildOptionsOf(BUNDLING, RUNTIME);

export const BUNDLING_SOURCE = `infra/constructs/function-defaults.ts (BUNDLING, runtime ${RUNTIME})`;

export type BundleVariant = "deployed" | "sdk-bundled" | "sdk-bundled-cjs" | "sdk-stubbed";

export const VARIANTS: Readonly<Record<BundleVariant, { readonly label: string; readonly options: BuildOptions }>> = {
  deployed: {
    label: "deployed: @aws-sdk/* external (the runtime's SDK)",
    options: LAMBDA_BUNDLING,
  },
  "sdk-bundled": {
    // The stack's options without the external: mainFields module-first picks the SDK's ES module
    // build, which esbuild tree-shakes down to the commands the monitor uses.
    label: "SDK bundled (stack options, no external: ES module dist)",
    options: { ...LAMBDA_BUNDLING, external: [] },
  },
  "sdk-bundled-cjs": {
    // esbuild's default for platform node (main first) picks the CommonJS build: no tree-shaking.
    label: "SDK bundled from its CommonJS dist (esbuild default mainFields)",
    options: { ...LAMBDA_BUNDLING, mainFields: ["main", "module"], external: [] },
  },
  "sdk-stubbed": {
    // Not deployable: every @aws-sdk import replaced by empty classes (see bundle.ts), to measure
    // what our own code costs at start-up, i.e. the floor of any design that avoids the SDK at init.
    label: "our code only (SDK imports stubbed; not deployable)",
    options: { ...LAMBDA_BUNDLING, external: [] },
  },
};
