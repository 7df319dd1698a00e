/**
 * The CLI as a user runs it, in a child process: `history --demo` reads the demo's persisted
 * dynalite data from the working directory, usage errors exit 2, runtime errors exit 1 with one
 * line, and a reader that closes the pipe early (`| head`) gets a quiet exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTable, startDynalite } from "../../sim/dynalite.js";
import { fillSnapshots, series } from "./support/snapshots.js";

const REPO = resolve(import.meta.dirname, "../..");
const TSX = join(REPO, "node_modules", ".bin", "tsx");
const CLI = join(REPO, "bin", "cli.ts");

let project: string;
let empty: string;
const start = new Date(Date.now() - 50 * 60_000);

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "coinm-guard-cli-"));
  empty = await mkdtemp(join(tmpdir(), "coinm-guard-empty-"));
  // What `npm start` leaves behind: the demo table in .demo-data/dynalite under the project.
  const dynalite = await startDynalite({ path: join(project, ".demo-data", "dynalite") });
  const client = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  try {
    await ensureTable(client, "coinm-guard-demo");
    await fillSnapshots(client, "coinm-guard-demo", series("demo", start, 40, 60_000, ["BTC", "BNB"]));
    await fillSnapshots(client, "coinm-guard-demo", series("demo-eth", start, 3000, 1000, ["ETH"]));
  } finally {
    client.destroy();
    await dynalite.stop();
  }
}, 60_000);

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
  await rm(empty, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: readonly string[], cwd: string, onSpawn?: (child: ChildProcess) => void): Promise<Exit> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(TSX, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    onSpawn?.(child);
  });
}

describe("coinm-guard in a child process", () => {
  it("history --demo prints the demo's snapshots and stops dynalite afterwards", async () => {
    const r = await cli(["history", "--demo", "--account", "demo", "--since", "1h"], project);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TAKEN AT \(UTC\)\s+POOL\s+RATIO\s+DISTANCE\s+LEVEL$/);
    // BTC's cross pool and isolated position, BNB's cross pool.
    expect(lines).toHaveLength(1 + 40 * 3);
    expect(lines[1]).toContain(start.toISOString().slice(0, 10));
    // The process exited by itself: nothing (dynalite, sockets) was left running.
  });

  it("fails on a mis-cased account with the demo's accounts, and renders a PNG chart with resvg", async () => {
    const wrong = await cli(["history", "--demo", "--account", "DEMO"], project);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toMatch(
      /^coinm-guard history: account "DEMO" has no snapshots or alert state in the demo's data; known accounts: demo, demo-eth\b.* \(names are case-sensitive: did you mean "demo"\?\)\n$/,
    );
    const png = await cli(["history", "--demo", "--account", "demo", "--since", "1h", "--out", "chart.png"], project);
    expect(png.code).toBe(0);
    expect(png.stderr).toMatch(/^wrote chart\.png: 40 snapshots, BTC cross max/);
    const bytes = await readFile(join(project, "chart.png"));
    expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1500, 810]);
  });

  it("status --demo lists both demo accounts", async () => {
    const r = await cli(["status", "--demo"], project);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^demo\s+BTC/m);
    expect(r.stdout).toMatch(/^demo-eth\s+ETH/m);
  });

  it("exits 0 quietly when stdout is closed early, like | head", async () => {
    const r = await cli(
      ["history", "--demo", "--account", "demo-eth", "--since", "1h", "--format", "csv"],
      project,
      (child) => {
        let seen = 0;
        child.stdout?.on("data", (d: string) => {
          seen += d.length;
          if (seen > 200) child.stdout?.destroy();
        });
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("exits 2 on a usage error, 1 with one line on a runtime error, 0 for --help", async () => {
    const usage = await cli(["history", "--demo"], project);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--account is required");
    const noDemo = await cli(["history", "--demo", "--account", "demo"], empty);
    expect(noDemo.code).toBe(1);
    expect(noDemo.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(noDemo.stderr).toContain("run `npm start` first");
    const help = await cli(["history", "--help"], empty);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: coinm-guard history --account NAME");
    const list = await cli(["--help"], empty);
    expect(list.stdout).toMatch(/history\s+Print an account's snapshots/);
    expect(list.stdout).toMatch(/status\s+Show each account's latest ratio/);
    expect(list.stdout).toMatch(/put-secret\s+Store an account's Binance API key/);
  });
});
