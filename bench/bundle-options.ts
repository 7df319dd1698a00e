/**
 * How the stack bundles the Lambda: a copy of the `bundling` block of the monitor's
 * `NodejsFunction` in infra/constructs/monitor-function.ts, as the esbuild options CDK derives
 * from it (aws-lambda-nodejs bundling.js: --platform=node, --target from the runtime = node24).
 * infra/ does not export these options, so they are mirrored here and `checkInfraBundling` in
 * bundle.ts compares the two on every run and prints any drift.
 */
import type { BuildOptions } from "esbuild";

export const LAMBDA_ENTRY = "functions/monitor.ts";

/**
 * ESM bundles have no `require`; a bundled CommonJS dependency's require() of a Node built-in
 * would throw "Dynamic require of ... is not supported". Same text as infra's REQUIRE_BANNER.
 */
export const ESM_REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

/** The esbuild options CDK passes for the monitor function. */
export const LAMBDA_BUNDLING = {
  format: "esm",
  platform: "node",
  target: "node24",
  mainFields: ["module", "main"],
  minify: true,
  sourcemap: "external",
  sourcesContent: false,
  banner: { js: ESM_REQUIRE_BANNER },
  external: ["@aws-sdk/*"],
} as const satisfies BuildOptions;

export type BundleVariant = "deployed" | "sdk-bundled" | "sdk-bundled-cjs";

export const VARIANTS: Readonly<Record<BundleVariant, { readonly label: string; readonly options: BuildOptions }>> = {
  deployed: {
    label: "deployed: @aws-sdk/* external (the runtime's SDK)",
    options: { ...LAMBDA_BUNDLING, mainFields: [...LAMBDA_BUNDLING.mainFields], external: [...LAMBDA_BUNDLING.external] },
  },
  "sdk-bundled": {
    // The stack's options without the external: mainFields module-first picks the SDK's ES module
    // build, which esbuild tree-shakes down to the commands the monitor uses.
    label: "SDK bundled (stack options, no external: ES module dist)",
    options: { ...LAMBDA_BUNDLING, mainFields: [...LAMBDA_BUNDLING.mainFields], external: [] },
  },
  "sdk-bundled-cjs": {
    // esbuild's default for platform node (main first) picks the CommonJS build: no tree-shaking.
    label: "SDK bundled from its CommonJS dist (esbuild default mainFields)",
    options: { ...LAMBDA_BUNDLING, mainFields: ["main", "module"], external: [] },
  },
};
