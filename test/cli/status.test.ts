/**
 * `status` against dynalite: latest snapshot per account, STALE past three schedule intervals,
 * open alerts from the alert state (held levels, outage, outbox), accounts and schedule from the
 * stack's outputs, the demo's store, JSON output and errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStatusCommand } from "../../bin/commands/status.js";
import type { MarginAlert } from "../../lib/alerts/messages.js";
import { DynamoDbStore } from "../../lib/aws/dynamodb-store.js";
import type { StatusReport } from "../../lib/history/status.js";
import { formatPercent } from "../../lib/risk/decimal.js";
import { CliWorld, run } from "./support/harness.js";
import { fillSnapshots, makeSnapshot, series } from "./support/snapshots.js";

const NOW = new Date("2026-10-04T12:00:00.000Z");
const TABLE = "status-test";
const world = new CliWorld();

const pending: MarginAlert = {
  type: "margin",
  id: "main:BTC:2026-10-04T11:59:00.000Z:escalated",
  account: "main",
  pool: "BTC",
  poolLabel: "BTC cross",
  poolKind: "cross",
  asset: "BTC",
  notice: "escalated",
  level: "critical",
  previousLevel: "warning",
  ratio: 0.8312,
  distance: null,
  ratioLevel: "critical",
  distanceLevel: "ok",
  requirement: "2.03000000",
  collateral: "2.44000000",
  at: "2026-10-04T11:59:00.000Z",
};

beforeAll(async () => {
  await world.start();
  await world.table(TABLE);
  const store = new DynamoDbStore(world.dynamodb, TABLE);
  // main: written every minute up to 11:59 (fresh), BTC held at critical with an alert still in the outbox.
  await fillSnapshots(world.dynamodb, TABLE, series("main", new Date("2026-10-04T10:00:00Z"), 120));
  await store.saveState(
    "main",
    {
      version: 1,
      lastCycleAt: "2026-10-04T11:59:00.000Z",
      pools: {
        BTC: { level: "critical", lastNotifiedAt: Date.parse("2026-10-04T11:59:00Z") },
        ETH: { level: "ok", lastNotifiedAt: 0 },
        "BTCUSD_261225#LONG": { level: "warning", lastNotifiedAt: Date.parse("2026-10-04T11:30:00Z") },
      },
      health: { consecutiveFailures: 0, alerted: false },
      outbox: { [pending.id]: { alert: pending, notBefore: 0, attempts: 2 } },
    },
    0,
  );
  // desk-b: last snapshot at 11:50, then four failed cycles: the outage alert went out.
  // Written before pools existed (format 1): status shows its asset ratio.
  await fillSnapshots(
    world.dynamodb,
    TABLE,
    series("desk-b", new Date("2026-10-04T11:00:00Z"), 51, 60_000, ["ETH"], { legacy: true }),
  );
  await store.saveState(
    "desk-b",
    {
      version: 1,
      pools: {},
      health: { consecutiveFailures: 4, alerted: true, lastErrorKind: "binance-unavailable" },
      outbox: {},
    },
    0,
  );
  world.stack({
    SnapshotTableName: TABLE,
    ScheduleExpression: "rate(1 minute)",
    AccountSecrets: {
      "desk-b": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:coinm-guard/desk-b-Qw3rTy",
      main: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:coinm-guard/main-AbCdEf",
      "new-desk": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:coinm-guard/new-desk-ZxCvBn",
    },
  });
}, 60_000);

afterAll(async () => {
  await world.stop();
});

async function status(argv: readonly string[]) {
  const deps = world.deps({ now: NOW });
  return run(createStatusCommand(deps), argv, deps);
}

const rowsOf = (text: string, account: string) => text.split("\n").filter((l) => l.startsWith(`${account} `));

describe("status", () => {
  it("shows every account's pools from the stack: ratio, distance, level, held level, age, STALE, open alerts", async () => {
    const r = await status([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^ACCOUNT\s+POOL\s+RATIO\s+DISTANCE\s+LEVEL\s+HELD\s+SNAPSHOT AGE$/);
    const latest = makeSnapshot("main", new Date("2026-10-04T11:59:00Z"), 119);
    const mainRows = rowsOf(r.stdout, "main");
    expect(mainRows).toHaveLength(4);
    for (const [label, held] of [
      ["BTC cross", "critical"],
      ["BTCUSD_261225 long isolated", "warning"],
      ["ETH cross", "ok"],
    ] as const) {
      const pool = latest.pools.find((p) => p.label === label);
      const row = mainRows.find((l) => l.includes(` ${label} `)) ?? "";
      expect(row.split(/\s{2,}/)).toEqual([
        "main",
        label,
        formatPercent(pool?.ratio ?? 0, 2),
        pool?.distance === null ? "-" : formatPercent(pool?.distance ?? 0, 2),
        pool?.level,
        held,
        "1m 00s",
      ]);
    }
    expect(mainRows.every((l) => !l.includes("STALE"))).toBe(true);
    const deskB = rowsOf(r.stdout, "desk-b");
    expect(deskB).toHaveLength(1);
    expect(deskB[0]).toMatch(/ETH \(asset\)\s+\d+\.\d\d%\s+-\s+ok\s+ok\s+10m 00s\s+STALE$/);
    expect(rowsOf(r.stdout, "new-desk")[0]).toMatch(/^new-desk\s+-\s+-\s+-\s+-\s+-\s+no data\s+STALE$/);
    expect(r.stdout).toContain(
      "Schedule: every 1m (stack ScheduleExpression rate(1 minute)); a snapshot older than 3m is STALE.",
    );
    expect(r.stdout).toContain("Open alerts:");
    expect(r.stdout).toMatch(
      /desk-b\s+CANNOT READ ACCOUNT: 4 failed cycles in a row \(binance-unavailable\); alert sent, margin NOT monitored/,
    );
    expect(r.stdout).toMatch(/main\s+BTC cross held at CRITICAL \(last notified 2026-10-04 11:59:00 UTC\)/);
    expect(r.stdout).toMatch(/main\s+BTCUSD_261225 long isolated held at WARNING/);
    expect(r.stdout).toMatch(
      /main\s+not yet published \(2 attempts\): main BTC cross rose to CRITICAL \(was warning\), ratio 83\.1%/,
    );
    expect(r.stdout).not.toContain("ETH held");
  });

  it("uses --interval over the stack's schedule: ten minutes old is not stale at a 5-minute cadence", async () => {
    const r = await status(["--account", "desk-b", "--interval", "5m"]);
    expect(r.code).toBe(0);
    expect(rowsOf(r.stdout, "desk-b")[0]).not.toContain("STALE");
    expect(r.stdout).toContain("Schedule: every 5m (--interval); a snapshot older than 15m is STALE.");
    expect(rowsOf(r.stdout, "main")).toHaveLength(0);
  });

  it("reads the schedule from a rate expression in --interval too, and stays quiet when all is well", async () => {
    const r = await status(["--account", "main", "--interval", "rate(1 minute)", "--table", TABLE]);
    expect(r.code).toBe(0);
    expect(rowsOf(r.stdout, "main")).toHaveLength(4);
  });

  it("prints JSON for scripts", async () => {
    const r = await status(["--format", "JSON"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as StatusReport;
    expect(report.intervalMs).toBe(60_000);
    expect(report.staleAfterMs).toBe(180_000);
    expect(report.accounts.map((a) => [a.account, a.stale])).toEqual([
      ["desk-b", true],
      ["main", false],
      ["new-desk", true],
    ]);
    const main = report.accounts.find((a) => a.account === "main");
    expect(main?.takenAt).toBe("2026-10-04T11:59:00.000Z");
    expect(main?.ageMs).toBe(60_000);
    expect(main?.alerts.map((a) => a.kind)).toEqual(["held", "held", "pending"]);
    expect(main?.pools.map((p) => [p.id, p.kind, p.label, p.held])).toEqual([
      ["BNB", "cross", "BNB cross", "ok"],
      ["BTC", "cross", "BTC cross", "critical"],
      ["BTCUSD_261225#LONG", "isolated", "BTCUSD_261225 long isolated", "warning"],
      ["ETH", "cross", "ETH cross", "ok"],
    ]);
    const isolated = makeSnapshot("main", new Date("2026-10-04T11:59:00Z"), 119).pools.find(
      (p) => p.kind === "isolated",
    );
    expect(main?.pools[2]?.distance).toBe(isolated?.distance);
    expect(report.accounts.find((a) => a.account === "desk-b")?.pools).toEqual([
      expect.objectContaining({ id: "ETH", kind: "asset", label: "ETH (asset)", distance: null }),
    ]);
    expect(report.accounts.find((a) => a.account === "desk-b")?.alerts).toEqual([
      { kind: "outage", failures: 4, errorKind: "binance-unavailable", alerted: true },
    ]);
  });

  it("shows the demo's accounts with --demo", async () => {
    await fillSnapshots(
      world.dynamodb,
      TABLE,
      series("demo", new Date("2026-10-04T11:59:58Z"), 2, 1000, ["BTC", "BNB"]),
    );
    world.demo = {
      dynamodb: world.dynamodb,
      tableName: TABLE,
      accounts: ["demo", "demo-eth"],
      intervalMs: 1000,
      close: async () => {},
    };
    try {
      const r = await status(["--demo"]);
      expect(r.code).toBe(0);
      // BTC's cross pool and isolated position, BNB's cross pool.
      expect(rowsOf(r.stdout, "demo")).toHaveLength(3);
      expect(rowsOf(r.stdout, "demo-eth")[0]).toContain("no data");
      expect(r.stdout).toContain("Schedule: every 1s (the demo's cycle interval)");
    } finally {
      world.demo = undefined;
    }
  });

  it("falls back to a 1-minute interval when the stack has no schedule, and needs accounts from somewhere", async () => {
    world.stack({ SnapshotTableName: TABLE });
    try {
      const r = await status(["--account", "main"]);
      expect(r.stdout).toContain("every 1m (default; the stack has no ScheduleExpression output)");
      const none = await status([]);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain("no AccountSecrets output");
    } finally {
      world.stack({
        SnapshotTableName: TABLE,
        ScheduleExpression: "rate(1 minute)",
        AccountSecrets: { main: "arn:x" },
      });
    }
    world.stack(undefined);
    try {
      const noStack = await status(["--table", TABLE]);
      expect(noStack.code).toBe(1);
      expect(noStack.stderr).toMatch(/stack "CoinmGuard" not found.*\(or name the accounts with --account\)\n$/);
      const explicit = await status(["--table", TABLE, "--account", "main"]);
      expect(explicit.code).toBe(0);
      expect(explicit.stdout).toContain("every 1m (default; stack outputs unavailable)");
    } finally {
      world.stack({ SnapshotTableName: TABLE, ScheduleExpression: "rate(1 minute)" });
    }
  });

  it("fails with one line when the table is missing, and exits 2 on usage errors", async () => {
    const r = await status(["--table", "missing-table", "--account", "main", "--interval", "1m"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'coinm-guard status: table "missing-table" not found in this region (check --region / --table / --stack)\n',
    );
    for (const argv of [
      ["--interval", "often"],
      ["--format", "xml"],
      ["--demo", "--stack", "x"],
      ["--since", "1h"],
    ]) {
      const u = await status(argv);
      expect(u.code, argv.join(" ")).toBe(2);
      expect(u.stdout).toBe("");
    }
  });
});
