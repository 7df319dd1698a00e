#!/usr/bin/env node
// Bundles the CLI (bin/cli.ts with lib/ and sim/) into one ESM file. Used by the bin shim in a
// checkout (rebuilt when a source changes) and by `npm pack` (prepack) for the installed package,
// which runs dist/cli.mjs and needs neither esbuild nor tsx. npm packages stay external: the
// runtime ones are declared in package.json "dependencies" (test/cli/package.test.ts checks it).
import { readFileSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

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
