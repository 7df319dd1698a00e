#!/usr/bin/env node
// Package bin. Runs the CLI from one esbuild bundle of bin/, lib/ and sim/, rebuilt whenever a
// source file is newer (about 0.1 s), which starts twice as fast as transpiling through tsx on
// every run (0.19 s against 0.38 s to print --help). Without esbuild it falls back to tsx.
import { mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "node_modules", ".cache", "coinm-guard", "cli.mjs");

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ["bin", "lib", "sim"]) walk(join(root, dir));
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(bundle).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

async function build() {
  const esbuild = await import("esbuild");
  mkdirSync(dirname(bundle), { recursive: true });
  // Written aside and renamed, so a CLI started meanwhile never loads half a file.
  const temp = `${bundle}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [join(root, "bin", "cli.ts")],
    outfile: temp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "error",
  });
  renameSync(temp, bundle);
}

let entry;
try {
  if (!bundleIsFresh()) await build();
  entry = pathToFileURL(bundle).href;
} catch {
  // No esbuild (installed without dev dependencies) or a read-only checkout: transpile on the fly.
  const { register } = await import("tsx/esm/api");
  register();
  entry = pathToFileURL(join(root, "bin", "cli.ts")).href;
}
await import(entry);
