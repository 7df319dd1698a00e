#!/usr/bin/env node
// Bundles the CLI (bin/cli.ts with lib/ and sim/) into one ESM file. Used by the bin shim in a
// checkout (rebuilt when a source changes) and by `npm pack` (prepack) for the installed package,
// which runs dist/cli.mjs and needs neither esbuild nor tsx. npm packages stay external: the
// runtime ones are declared in package.json "dependencies" (test/cli/package.test.ts checks it).
import { readFileSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The CLI checks region names against aws-cdk-lib's region-info (infra/validators.ts), but needs
 * only the names, not aws-cdk-lib (a dev dependency) or its 1.4 MB of region facts: the bundle gets
 * the list as this CDK version has it, through the same RegionInfo.regions shape.
 */
const regionNamesOnly = {
  name: "region-names-only",
  setup(build) {
    build.onResolve({ filter: /^aws-cdk-lib\/region-info$/ }, () => ({
      path: "region-info",
      namespace: "region-names",
    }));
    build.onLoad({ filter: /.*/, namespace: "region-names" }, () => {
      const { RegionInfo } = createRequire(import.meta.url)("aws-cdk-lib/region-info");
      const regions = RegionInfo.regions.map((r) => ({ name: r.name }));
      return { contents: `export const RegionInfo = { regions: ${JSON.stringify(regions)} };`, loader: "js" };
    });
  },
};

/** Build to `outfile`, written aside and renamed so a CLI started meanwhile never loads half a file. */
export async function buildCli(outfile, { metafile = false } = {}) {
  const esbuild = await import("esbuild");
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const temp = `${outfile}.${process.pid}.tmp`;
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, "bin", "cli.ts")],
    outfile: temp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    packages: "external",
    define: { __COINM_GUARD_VERSION__: JSON.stringify(version) },
    banner: { js: "// coinm-guard CLI, bundled from bin/cli.ts by bin/build-cli.mjs" },
    plugins: [regionNamesOnly],
    metafile,
    logLevel: "error",
  });
  renameSync(temp, outfile);
  return result.metafile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  await buildCli(join(ROOT, "dist", "cli.mjs"));
}
