/**
 * The package as a user installs it: `npm pack`, then `npm install -g <tarball> --omit=dev` into
 * a temporary prefix (from npm's cache where it can), then the installed `coinm-guard` runs
 * --version, --help and a real (fast) demo from a folder outside the checkout. Also: the bundle's
 * npm imports are all runtime dependencies, so an install without dev dependencies has them.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
  version: string;
  files: string[];
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

let temp: string;
let prefix: string;
let packed: string[];
let bin: string;

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), "coinm-guard-pack-"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", temp], { cwd: REPO });
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error("npm pack printed no package");
  packed = info.files.map((f) => f.path).sort();
  prefix = join(temp, "prefix");
  const tarball = join(temp, info.filename);
  // From npm's cache where it can (the project's own `npm ci` filled it); the registry otherwise.
  await run(
    "npm",
    ["install", "-g", tarball, "--prefix", prefix, "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"],
    { cwd: temp, maxBuffer: 1 << 22 },
  );
  bin = join(prefix, "bin", "coinm-guard");
}, 120_000);

afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

const installedRoot = () => join(prefix, "lib", "node_modules", "coinm-guard");

describe("the packed and installed package", () => {
  it("ships only what runs: the bin shim, the bundled CLI, package.json and README", () => {
    expect(packed).toEqual(["README.md", "bin/coinm-guard.mjs", "dist/cli.mjs", "package.json"]);
  });

  it("installs without dev dependencies: no esbuild, no tsx", async () => {
    const modules = await readdir(join(installedRoot(), "node_modules"));
    expect(modules).toContain("dynalite");
    expect(modules).not.toContain("esbuild");
    expect(modules).not.toContain("tsx");
  });

  it("--version and --help work outside the checkout", async () => {
    const cwd = join(temp, "elsewhere");
    await mkdir(cwd, { recursive: true });
    const version = await run(bin, ["--version"], { cwd });
    expect(version.stdout.trim()).toBe(`coinm-guard ${pkg.version}`);
    const help = await run(bin, ["--help"], { cwd });
    expect(help.stdout).toMatch(/^Usage: coinm-guard <command>/);
    expect(help.stdout).toMatch(/demo\s+Run the monitor locally/);
    const commandHelp = await run(bin, ["help", "run-once"], { cwd });
    expect(commandHelp.stdout).toMatch(/^Usage: coinm-guard run-once/);
  });

  it("runs the demo's real cycles and writes nothing inside the installed package", async () => {
    const cwd = join(temp, "demo-folder");
    await mkdir(cwd, { recursive: true });
    const { stdout } = await run(bin, ["demo", "--interval-ms", "0"], { cwd, maxBuffer: 1 << 22 });
    expect(stdout).toMatch(/demo\s+BTC cross\s+ratio\s+82\.5%/);
    expect(stdout).toMatch(/ALERT\s+subject: coinm-guard: demo BTC cross rose to WARNING/);
    expect(stdout).toMatch(/Done: 16 cycles, \d+ alerts published/);
    expect(existsSync(join(cwd, ".demo-data", "dynalite"))).toBe(true);
    expect(existsSync(join(installedRoot(), "node_modules", ".cache"))).toBe(false);
    expect(existsSync(join(installedRoot(), ".demo-data"))).toBe(false);

    // The runtime dependencies a chart needs (resvg's native binding, the bundled font) came along.
    await run(bin, ["history", "--demo", "--account", "demo", "--since", "1h", "--out", "chart.png"], { cwd });
    const png = await readFile(join(cwd, "chart.png"));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });
});

describe("package.json", () => {
  it("declares every npm package the CLI bundle imports as a runtime dependency", async () => {
    const { buildCli } = await import("../../bin/build-cli.mjs");
    const metafile = await buildCli(join(temp, "cli-check.mjs"), { metafile: true });
    const external = new Set<string>();
    for (const output of Object.values(metafile?.outputs ?? {})) {
      for (const i of output.imports) {
        if (!i.external || i.path.startsWith("node:")) continue;
        const m = /^((?:@[^/]+\/)?[^/]+)/.exec(i.path);
        if (m?.[1]) external.add(m[1]);
      }
    }
    expect(external.size).toBeGreaterThan(0);
    for (const name of external)
      expect(Object.keys(pkg.dependencies), `${name} is imported at runtime`).toContain(name);
    expect(Object.keys(pkg.dependencies)).not.toContain("tsx");
    expect(Object.keys(pkg.devDependencies)).toContain("tsx");
  });

  it("states the Node floor the toolchain needs", () => {
    expect(pkg.engines.node).toBe(">=20.19");
  });

  it("covers every dependency's install script in allowScripts, so `npm ci` is quiet", async () => {
    const { stdout } = await run("npm", ["install-scripts", "ls", "--json"], { cwd: REPO });
    expect(JSON.parse(stdout)).toEqual({ allowScripts: [] });
  });

  it("leaves the AWS SDK's Node.js support warning visible to users (only tests silence it)", async () => {
    const bundle = await readFile(join(installedRoot(), "dist", "cli.mjs"), "utf8");
    expect(bundle).not.toContain("AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED");
  });
});
