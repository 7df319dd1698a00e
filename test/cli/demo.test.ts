/**
 * The demo as a person meets it, in child processes: one demo per folder (a second is refused and
 * leaves the first one's data alone), `status --demo` / `history --demo` reading a running demo
 * live, and what the demo prints (each snapshot's time, the email body once, hysteresis explained).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hysteresisNote } from "../../bin/commands/demo.js";
import { acquireDemoLock, DemoRunningError, readDemoLock } from "../../sim/demo-lock.js";

const REPO = resolve(import.meta.dirname, "../..");
const BIN = join(REPO, "bin", "coinm-guard.mjs");
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "coinm-guard-demo-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(
  args: readonly string[],
  cwd: string,
): { child: ChildProcess; done: Promise<Exit>; stdout: () => string } {
  // As typed in a terminal, not under `npm test` (the demo suggests `npm run guard --` under npm start).
  const env = { ...process.env, npm_lifecycle_event: undefined };
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const done = new Promise<Exit>((resolveExit, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolveExit({ code, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout };
}

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("one demo at a time", () => {
  it("refuses a second demo, lets status and history read the running one live, and keeps its data", async () => {
    const first = start(["demo", "--interval-ms", "400"], folder);
    try {
      // Running with snapshots written: its dynalite is published in the lock.
      await until(() => /demo\s+BTC cross\s+ratio\s+40\.0%/.test(first.stdout()));
      const lock = JSON.parse(await readFile(join(folder, ".demo-data", "demo.lock"), "utf8")) as {
        pid: number;
        dynamodb?: string;
      };
      expect(lock.pid).toBe(first.child.pid);
      expect(lock.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const second = await start(["demo", "--interval-ms", "0"], folder).done;
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(
        `coinm-guard demo: a demo is already running in this folder (pid ${first.child.pid}`,
      );
      expect(second.stdout).toBe("");

      const status = await start(["status", "--demo"], folder).done;
      expect(status.stderr).toBe("");
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^demo\s+BTC/m);
      const history = await start(
        ["history", "--demo", "--account", "demo", "--since", "1h", "--format", "csv"],
        folder,
      ).done;
      expect(history.stderr).toBe("");
      expect(history.code).toBe(0);
      expect(history.stdout.trim().split("\n").length).toBeGreaterThan(2);
    } finally {
      if (first.child.exitCode === null) first.child.kill("SIGINT");
    }
    const firstExit = await first.done;
    expect(firstExit.code).toBe(0);
    // The second demo wiped nothing: the first one ran on and its data is still there.
    expect(existsSync(join(folder, ".demo-data", "dynalite"))).toBe(true);
    expect(existsSync(join(folder, ".demo-data", "demo.lock"))).toBe(false);
  }, 90_000);

  it("takes over the lock a killed demo left, and refuses while a live process holds it", async () => {
    const file = join(folder, "stale.lock");
    const gone = spawn(process.execPath, ["-e", ""]);
    const deadPid = await new Promise<number>((r) => gone.on("close", () => r(gone.pid ?? 0)));
    await writeFile(file, JSON.stringify({ pid: deadPid, startedAt: "2026-11-27T10:00:00.000Z" }));
    expect(readDemoLock(file)).toBeUndefined();
    const lock = await acquireDemoLock(file);
    expect(readDemoLock(file)?.pid).toBe(process.pid);
    await expect(acquireDemoLock(file)).rejects.toBeInstanceOf(DemoRunningError);
    lock.release();
    expect(existsSync(file)).toBe(false);
  });
});

describe("what the demo prints", () => {
  it("each snapshot with its own time, the email body once, and why 77% is still critical", async () => {
    const own = await mkdtemp(join(tmpdir(), "coinm-guard-demo-out-"));
    try {
      const r = await start(["demo", "--interval-ms", "0"], own).done;
      expect(r.code).toBe(0);
      const lines = r.stdout.split("\n");
      expect(lines.filter((l) => l.includes("│ EMAIL"))).toHaveLength(1);
      expect(r.stdout).toContain("│   Binance liquidates a pool when its ratio reaches 100%");
      expect(r.stdout).toMatch(
        /demo\s+BTC cross\s+ratio\s+77\.0%\s+4\.74% to liq 46390\.4\s+level warning, alert held at critical/,
      );
      expect(r.stdout).toContain(
        "↳ 77.0% is below critical (80%) but the alert stays critical: it clears only below 75% (80% minus the 5% hysteresis)",
      );
      for (const line of lines.filter((l) => /^\S.* ratio +[\d∞]/.test(l))) expect(line).toMatch(/^\d\d:\d\d:\d\d {2}/);
      expect(r.stdout).toContain("See them with: coinm-guard history --demo --account demo --since 1h");
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it("explains a held level only when the ratio sits below it", () => {
    const levels = [
      { name: "warning", ratio: 0.5 },
      { name: "critical", ratio: 0.8 },
    ];
    expect(hysteresisNote(0.77, "warning", "critical", levels, 0.05)).toMatch(/clears only below 75%/);
    expect(hysteresisNote(0.47, "ok", "warning", levels, 0.05)).toMatch(/clears only below 45%/);
    expect(hysteresisNote(0.83, "critical", "critical", levels, 0.05)).toBeUndefined();
    expect(hysteresisNote(0.66, "warning", "warning", levels, 0.05)).toBeUndefined();
    expect(hysteresisNote(null, "critical", "critical", levels, 0.05)).toBeUndefined();
  });
});
