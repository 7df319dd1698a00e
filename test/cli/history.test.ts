/**
 * `history` against dynalite filled with three days of 1-minute snapshots (three assets each):
 * table, CSV and JSON content, ordering, inclusive range boundaries, asset filter, charts and
 * plot files, streaming under backpressure, EPIPE, stack lookup and usage errors.
 */
import type { MiddlewareStack } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHistoryCommand } from "../../bin/commands/history.js";
import { POSITION_CSV_COLUMNS } from "../../lib/history/csv.js";
import type { SnapshotJson } from "../../lib/history/json.js";
import { rasterizeSvg } from "../../lib/history/plot-png.js";
import { readSnapshotPages } from "../../lib/history/read.js";
import { formatPercent } from "../../lib/risk/decimal.js";
import { CaptureStream, CliWorld, run } from "./support/harness.js";
import { fillSnapshots, makeSnapshot, series } from "./support/snapshots.js";

const START = new Date("2026-10-01T00:00:00.000Z");
const DAYS = 3;
const COUNT = DAYS * 1440;
const NOW = new Date("2026-10-04T00:00:00.000Z");
const TABLE = "history-test";

const world = new CliWorld();
let queries = 0;

/** The snapshot the fixture wrote at a time. */
const at = (iso: string) => makeSnapshot("main", new Date(iso), (Date.parse(iso) - START.getTime()) / 60_000);

beforeAll(async () => {
  await world.start();
  await world.table(TABLE);
  await fillSnapshots(world.dynamodb, TABLE, series("main", START, COUNT));
  await fillSnapshots(world.dynamodb, TABLE, series("other", START, 10, 60_000, ["ETH"]));
  // Written before pools existed (format 1): assets only.
  await fillSnapshots(world.dynamodb, TABLE, series("legacy", START, 5, 60_000, ["BTC"], { legacy: true }));
  // Three hours every minute with 01:00-01:59 missing: the monitor could not read the account.
  await fillSnapshots(
    world.dynamodb,
    TABLE,
    [...series("gappy", START, 180)].filter((s) => s.takenAt.slice(11, 13) !== "01"),
  );
  // Count Query requests, and fail the test run if anything ever Scans.
  (world.dynamodb.middlewareStack as MiddlewareStack<object, object>).add(
    (next, context) => async (args) => {
      const name = (context as { commandName?: string }).commandName;
      if (name === "ScanCommand") throw new Error("history must never Scan");
      if (name === "QueryCommand") queries++;
      return next(args);
    },
    { step: "initialize", name: "countQueries" },
  );
  world.stack({ SnapshotTableName: TABLE, ScheduleExpression: "rate(1 minute)" });
}, 60_000);

afterAll(async () => {
  await world.stop();
});

async function history(argv: readonly string[], options: Parameters<CliWorld["deps"]>[0] = {}) {
  const deps = world.deps({ now: NOW, ...options });
  return { ...(await run(createHistoryCommand(deps), argv, deps)), deps };
}

const csvLines = (text: string) => text.trimEnd().split("\n");

describe("history output", () => {
  it("prints a table of the pools by default: ratio, distance and level per pool, within 80 columns", async () => {
    const r = await history(["--table", TABLE, "--account", "main", "--since", "2026-10-03T23:58:00Z"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TAKEN AT \(UTC\)\s+POOL\s+RATIO\s+DISTANCE\s+LEVEL$/);
    expect(lines).toHaveLength(1 + 2 * 4);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    const snapshot = at("2026-10-03T23:59:00.000Z");
    const rows = lines.filter((l) => l.startsWith("2026-10-03 23:59:00")).map((l) => l.split(/\s{2,}/).slice(1));
    expect(rows).toHaveLength(snapshot.pools.length);
    expect(rows).toEqual(
      expect.arrayContaining(
        snapshot.pools.map((p) => [
          p.label,
          p.ratio === null ? "∞" : formatPercent(p.ratio, 2),
          p.distance === null ? "-" : formatPercent(p.distance, 2),
          p.level,
        ]),
      ),
    );
  });

  it("shows positions with --positions and one pool with --pool (id or label, any case)", async () => {
    const since = ["--table", TABLE, "--account", "main", "--since", "2026-10-03T23:59:00Z"];
    const positions = await history([...since, "--positions"]);
    expect(positions.code).toBe(0);
    const lines = positions.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TAKEN AT \(UTC\)\s+POSITION\s+MARK\s+LIQ PRICE\s+DISTANCE$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[1])).toEqual([
      "BTCUSD_PERP short cross",
      "BTCUSD_261225 long isolated",
      "ETHUSD_PERP long cross",
    ]);
    for (const pool of ["btcusd_261225 long isolated", "BTCUSD_261225#LONG"]) {
      const one = await history([...since, "--pool", pool, "--format", "csv"]);
      expect(
        csvLines(one.stdout)
          .slice(1)
          .map((l) => l.split(",")[2]),
        pool,
      ).toEqual(["BTCUSD_261225#LONG"]);
      const itsPositions = await history([...since, "--pool", pool, "--positions", "--format", "csv"]);
      expect(
        csvLines(itsPositions.stdout)
          .slice(1)
          .map((l) => l.split(",")[POSITION_CSV_COLUMNS.indexOf("symbol")]),
      ).toEqual(["BTCUSD_261225"]);
    }
    const none = await history([...since, "--pool", "DOGE cross"]);
    expect(none.stderr).toContain(
      "with doge cross (pools seen: BNB cross, BTC cross, BTCUSD_261225 long isolated, ETH cross)",
    );
  });

  it("reads snapshots from before pools: their asset ratios in the pool view, nothing in positions", async () => {
    const since = [
      "--table",
      TABLE,
      "--account",
      "legacy",
      "--since",
      "2026-10-01T00:00Z",
      "--until",
      "2026-10-01T00:01Z",
    ];
    const pools = await history(since);
    expect(pools.code).toBe(0);
    const rows = pools.stdout.trimEnd().split("\n").slice(1);
    expect(rows.map((l) => l.split(/\s{2,}/)[1])).toEqual(["BTC (asset)", "BTC (asset)"]);
    expect(rows[0]?.split(/\s{2,}/)[3]).toBe("-");
    const json = JSON.parse((await history([...since, "--format", "json"])).stdout) as SnapshotJson[];
    expect(json.map((s) => [s.assets.length, s.pools.length, s.positions.length])).toEqual([
      [1, 0, 0],
      [1, 0, 0],
    ]);
    const positions = await history([...since, "--positions"]);
    expect(positions.stdout.trimEnd().split("\n")).toHaveLength(1);
  });

  it("prints an aligned asset table with --assets: percentages right-aligned, levels, the raw figures", async () => {
    const r = await history(["--table", TABLE, "--account", "main", "--since", "2026-10-03T23:50:00Z", "--assets"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TAKEN AT \(UTC\)\s+ASSET\s+RATIO\s+LEVEL\s+MAINT MARGIN\s+MARGIN BALANCE$/);
    expect(lines).toHaveLength(1 + 10 * 3);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    const ratioEnd = (lines[0] ?? "").indexOf("RATIO") + 5;
    const first = at("2026-10-03T23:50:00.000Z");
    const btc = first.assets.find((a) => a.asset === "BTC");
    const row = lines.find((l) => l.startsWith("2026-10-03 23:50:00  BTC")) ?? "";
    expect(
      row
        .slice(0, ratioEnd)
        .trimEnd()
        .endsWith(formatPercent(btc?.marginRatio ?? 0, 2)),
    ).toBe(true);
    expect(row.split(/\s+/)).toEqual([
      "2026-10-03",
      "23:50:00",
      "BTC",
      formatPercent(btc?.marginRatio ?? 0, 2),
      btc?.level,
      btc?.raw.maintMargin,
      btc?.raw.marginBalance,
    ]);
    for (const line of lines.slice(1)) expect(line.slice(ratioEnd - 1, ratioEnd)).toBe("%");
    expect(lines[lines.length - 1]).toMatch(/^2026-10-03 23:59:00/);
  });

  it("writes CSV with both range ends inclusive, oldest first, one row per snapshot and asset", async () => {
    const r = await history([
      "--table",
      TABLE,
      "--account",
      "main",
      "--since",
      "2026-10-02T00:00:00Z",
      "--until",
      "2026-10-02T01:00:00Z",
      "--format",
      "csv",
      "--assets",
    ]);
    expect(r.code).toBe(0);
    const lines = csvLines(r.stdout);
    expect(lines[0]).toBe(
      "takenAt,account,asset,marginRatio,level,walletBalance,unrealizedProfit,marginBalance,maintMargin,initialMargin,positionInitialMargin,openOrderInitialMargin,maxWithdrawAmount,crossWalletBalance,crossUnPnl,availableBalance,openPositions",
    );
    expect(lines).toHaveLength(1 + 61 * 3);
    const times = lines.slice(1).map((l) => l.split(",")[0] ?? "");
    expect(times[0]).toBe("2026-10-02T00:00:00.000Z");
    expect(times[times.length - 1]).toBe("2026-10-02T01:00:00.000Z");
    expect([...times].sort()).toEqual(times);
    const expected = at("2026-10-02T00:30:00.000Z").assets.find((a) => a.asset === "ETH");
    const eth = lines.find((l) => l.startsWith("2026-10-02T00:30:00.000Z,main,ETH,"))?.split(",") ?? [];
    expect(Number(eth[3])).toBe(expected?.marginRatio);
    expect(eth[4]).toBe(expected?.level);
    expect(eth[7]).toBe(expected?.raw.marginBalance);
    expect(eth[16]).toBe("3");
  });

  it("filters by asset (case-insensitive, repeatable)", async () => {
    const one = await history([
      "--table",
      TABLE,
      "--account",
      "main",
      "--since",
      "2026-10-02T00:00Z",
      "--until",
      "2026-10-02T01:00Z",
      "--format",
      "csv",
      "--asset",
      "btc",
      "--assets",
    ]);
    const rows = csvLines(one.stdout).slice(1);
    expect(rows).toHaveLength(61);
    expect(new Set(rows.map((l) => l.split(",")[2]))).toEqual(new Set(["BTC"]));
    const two = await history([
      "--table",
      TABLE,
      "--account",
      "main",
      "--since",
      "2026-10-02T00:00Z",
      "--until",
      "2026-10-02T01:00Z",
      "--format",
      "csv",
      "--asset",
      "BTC",
      "--asset",
      "eth",
      "--assets",
    ]);
    expect(
      new Set(
        csvLines(two.stdout)
          .slice(1)
          .map((l) => l.split(",")[2]),
      ),
    ).toEqual(new Set(["BTC", "ETH"]));
    const none = await history([
      "--table",
      TABLE,
      "--account",
      "main",
      "--since",
      "1h",
      "--format",
      "csv",
      "--asset",
      "DOGE",
      "--since",
      "2026-10-02T00:00Z",
      "--until",
      "2026-10-02T00:10Z",
    ]);
    expect(none.code).toBe(0);
    expect(csvLines(none.stdout)).toHaveLength(1);
    expect(none.stderr).toContain(
      'no snapshots for account "main" with DOGE (pools seen: BNB cross, BTC cross, BTCUSD_261225 long isolated, ETH cross)',
    );
  });

  it("writes JSON as an array of snapshots with the documented fields and Binance's raw strings", async () => {
    const r = await history([
      "--table",
      TABLE,
      "--account",
      "main",
      "--since",
      "2026-10-01T10:00Z",
      "--until",
      "2026-10-01T10:59:59Z",
      "--format",
      "json",
    ]);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as {
      account: string;
      takenAt: string;
      assets: { asset: string; marginRatio: number | null; level: string; raw: Record<string, string> }[];
    }[];
    expect(parsed).toHaveLength(60);
    for (const s of parsed) {
      expect(s.account).toBe("main");
      expect(s.takenAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(s.assets.map((a) => a.asset)).toEqual(["BNB", "BTC", "ETH"]);
    }
    const expected = at(parsed[7]?.takenAt ?? "");
    expect(parsed[7]?.assets.find((a) => a.asset === "BTC")).toEqual({
      asset: "BTC",
      marginRatio: expected.assets.find((a) => a.asset === "BTC")?.marginRatio,
      level: expected.assets.find((a) => a.asset === "BTC")?.level,
      raw: expected.assets.find((a) => a.asset === "BTC")?.raw,
    });
    const empty = await history([
      "--table",
      TABLE,
      "--account",
      "main",
      "--since",
      "2020-01-01",
      "--until",
      "2020-01-02",
      "--format",
      "json",
    ]);
    expect(JSON.parse(empty.stdout)).toEqual([]);
  });

  it("reads a multi-day range in segments without losing or repeating a snapshot on a boundary", async () => {
    // Two days = four 12-hour segments whose shared boundaries (00:00 and 12:00) hold snapshots.
    const r = await history([
      "--table",
      TABLE,
      "--account",
      "main",
      "--since",
      "2026-10-01T00:00Z",
      "--until",
      "2026-10-03T00:00Z",
      "--format",
      "csv",
      "--asset",
      "BTC",
      "--assets",
    ]);
    const times = csvLines(r.stdout)
      .slice(1)
      .map((l) => l.split(",")[0]);
    expect(times).toHaveLength(2 * 1440 + 1);
    expect(new Set(times).size).toBe(times.length);
    for (const boundary of ["2026-10-01T12:00:00.000Z", "2026-10-02T00:00:00.000Z", "2026-10-02T12:00:00.000Z"]) {
      expect(times.filter((t) => t === boundary)).toHaveLength(1);
    }
    expect([...times].sort()).toEqual(times);
  });

  it("lists newest first and stops at --limit", async () => {
    const r = await history([
      "--table",
      TABLE,
      "--account",
      "main",
      "--since",
      "3d",
      "--newest-first",
      "--limit",
      "5",
      "--format",
      "csv",
      "--asset",
      "ETH",
    ]);
    const times = csvLines(r.stdout)
      .slice(1)
      .map((l) => l.split(",")[0]);
    expect(times).toEqual([
      "2026-10-03T23:59:00.000Z",
      "2026-10-03T23:58:00.000Z",
      "2026-10-03T23:57:00.000Z",
      "2026-10-03T23:56:00.000Z",
      "2026-10-03T23:55:00.000Z",
    ]);
  });

  it("keeps accounts apart and says so when nothing matched", async () => {
    const other = await history(["--table", TABLE, "--account", "other", "--since", "2026-10-01", "--format", "csv"]);
    expect(csvLines(other.stdout)).toHaveLength(11);
    expect(other.stdout).not.toContain(",main,");
    // A known account with nothing in the range: an empty table, a note, exit 0.
    const quiet = await history(["--table", TABLE, "--account", "other", "--since", "1h"]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/^TAKEN AT \(UTC\)/);
    expect(quiet.stderr).toBe(
      'no snapshots for account "other" from 2026-10-03T23:00:00.000Z to 2026-10-04T00:00:00.000Z\n',
    );
  });

  it("fails on an account the table has nothing for, listing the known accounts", async () => {
    world.stack({
      SnapshotTableName: TABLE,
      ScheduleExpression: "rate(1 minute)",
      AccountSecrets: { main: "arn:main", other: "arn:other", fresh: "arn:fresh" },
    });
    try {
      const wrongCase = await history(["--account", "MAIN", "--format", "csv"]);
      expect(wrongCase.code).toBe(1);
      expect(wrongCase.stdout).toBe("");
      expect(wrongCase.stderr).toBe(
        'coinm-guard history: account "MAIN" has no snapshots or alert state in table "history-test"; known accounts: fresh, main, other (names are case-sensitive: did you mean "main"?)\n',
      );
      // With --table, the stack is asked for the list only once the account is found missing.
      const typo = await history(["--table", TABLE, "--account", "mian"]);
      expect(typo.code).toBe(1);
      expect(typo.stderr).toContain("known accounts: fresh, main, other\n");
      // An account of the stack with no snapshots yet is not an error: the range is just empty.
      const fresh = await history(["--account", "fresh"]);
      expect(fresh.code).toBe(0);
      expect(fresh.stderr).toContain('no snapshots for account "fresh"');
    } finally {
      world.stack({ SnapshotTableName: TABLE, ScheduleExpression: "rate(1 minute)" });
    }
    // Without a stack listing accounts: still an error, saying why there is no list.
    const unlisted = await history(["--table", TABLE, "--account", "nobody"]);
    expect(unlisted.code).toBe(1);
    expect(unlisted.stderr).toContain(
      'account "nobody" has no snapshots or alert state in table "history-test"; cannot list the known accounts (the stack has no AccountSecrets output)',
    );
  });

  it("covers the whole day of a date-only --until, and reads --format and --asset in any case", async () => {
    const r = await history([
      "--table",
      TABLE,
      "--account",
      "main",
      "--since",
      "2026-10-02",
      "--until",
      "2026-10-02",
      "--format",
      "CSV",
      "--pool",
      "btc CROSS",
    ]);
    expect(r.code).toBe(0);
    const times = csvLines(r.stdout)
      .slice(1)
      .map((l) => l.split(",")[0]);
    expect(times).toHaveLength(1440);
    expect(times[0]).toBe("2026-10-02T00:00:00.000Z");
    expect(times.at(-1)).toBe("2026-10-02T23:59:00.000Z");
  });
});

describe("history charts", () => {
  it("draws the ratio in the terminal with the alert levels", async () => {
    const r = await history(["--table", TABLE, "--account", "main", "--since", "3d", "--chart"], {
      stdout: new CaptureStream({ columns: 120 }),
    });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("Margin ratio, account main: 2026-10-01 00:00:00 → 2026-10-04 00:00:00 UTC");
    expect(lines.some((l) => l.endsWith("critical 80%"))).toBe(true);
    expect(lines.some((l) => l.endsWith("warning 50%"))).toBe(true);
    expect(lines.some((l) => l.endsWith("liquidation 100%"))).toBe(true);
    expect(lines[1]).toBe("● BTC cross  ◆ BTCUSD_261225 long isolated  ■ ETH cross");
    expect(lines[2]).toBe("(no margin held: BNB cross)");
    expect(r.stdout).toContain("BTC cross: max");
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(120);
    // Only the chart goes to stdout: no table rows.
    expect(r.stdout).not.toContain("TAKEN AT");
  });

  it("draws the levels the stack was deployed with, unless --levels says otherwise", async () => {
    world.stack({
      SnapshotTableName: TABLE,
      ScheduleExpression: "rate(1 minute)",
      AlertLevels: [
        { name: "notice", ratio: 0.3 },
        { name: "danger", ratio: 0.7 },
      ],
    });
    try {
      const deployed = await history(["--account", "main", "--since", "3d", "--chart"], {
        stdout: new CaptureStream({ columns: 120 }),
      });
      expect(deployed.code).toBe(0);
      const lines = deployed.stdout.split("\n");
      expect(lines.some((l) => l.endsWith("danger 70%"))).toBe(true);
      expect(lines.some((l) => l.endsWith("notice 30%"))).toBe(true);
      expect(deployed.stdout).not.toContain("critical 80%");

      const given = await history(["--account", "main", "--since", "3d", "--chart", "--levels", "high=90%"], {
        stdout: new CaptureStream({ columns: 120 }),
      });
      expect(given.stdout.split("\n").some((l) => l.endsWith("high 90%"))).toBe(true);
      expect(given.stdout).not.toContain("danger 70%");
    } finally {
      world.stack({ SnapshotTableName: TABLE, ScheduleExpression: "rate(1 minute)" });
    }
  });

  it("charts the distance to liquidation per pool with the distance levels, the stack's when it states them", async () => {
    const r = await history(["--table", TABLE, "--account", "main", "--since", "3d", "--chart", "--distance"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "Distance to liquidation, account main:",
      "  2026-10-01 00:00:00 → 2026-10-04 00:00:00 UTC",
      "● BTC cross  ◆ BTCUSD_261225 long isolated",
      "(no liquidation price: BNB cross, ETH cross)",
    ]);
    const at = (label: string) => lines.findIndex((l) => l.endsWith(label));
    // Closer to liquidation is lower: critical under warning, liquidation at the bottom (0%).
    expect(at("warning 10%")).toBeGreaterThan(0);
    expect(at("critical 3%")).toBeGreaterThan(at("warning 10%"));
    expect(at("liquidation 0%")).toBeGreaterThan(at("critical 3%"));
    expect(lines[at("liquidation 0%")]).toMatch(/^\s+0% ┤/);
    expect(r.stdout).toMatch(/BTCUSD_261225 long isolated: min 2\.\d\d%, last \d+\.\d\d% \(4320 snapshots\)/);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);

    world.stack({
      SnapshotTableName: TABLE,
      ScheduleExpression: "rate(1 minute)",
      AlertLevels: [
        { name: "warning", ratio: 0.5 },
        { name: "critical", ratio: 0.8 },
      ],
      DistanceLevels: [
        { name: "warning", distance: 0.2 },
        { name: "critical", distance: 0.05 },
      ],
    });
    const files = new Map<string, string | Uint8Array>();
    try {
      const deployed = await history(["--account", "main", "--since", "3d", "--distance", "--out", "d.html"], {
        files,
      });
      expect(deployed.code).toBe(0);
      expect(deployed.stderr).toMatch(
        /^wrote d\.html: 4320 snapshots, BTC cross min \d+\.\d%, BTCUSD_261225 long isolated min 2\.\d%\n$/,
      );
      const html = String(files.get("d.html"));
      expect(html).toContain("warning 20%");
      expect(html).toContain("critical 5%");
      expect(html).toContain("liquidation 0%");
      expect(html).toContain("Distance to liquidation (|mark − liquidation price| / mark)");
      expect(html).toContain("Not drawn (no liquidation price): BNB cross, ETH cross");
      const given = await history([
        "--account",
        "main",
        "--since",
        "3d",
        "--distance",
        "--chart",
        "--levels",
        "near=1%",
      ]);
      expect(given.stdout).toContain("near 1%");
      expect(given.stdout).not.toContain("warning 20%");
    } finally {
      world.stack({ SnapshotTableName: TABLE, ScheduleExpression: "rate(1 minute)" });
    }
  });

  it("draws an account's own levels (AccountLevels output) for that account", async () => {
    world.stack({
      SnapshotTableName: TABLE,
      ScheduleExpression: "rate(1 minute)",
      AlertLevels: [
        { name: "warning", ratio: 0.5 },
        { name: "critical", ratio: 0.8 },
      ],
      AccountLevels: {
        main: {
          alertLevels: [
            { name: "warning", ratio: 0.7 },
            { name: "critical", ratio: 0.9 },
          ],
        },
      },
    });
    try {
      const r = await history(["--account", "main", "--since", "3d", "--chart"], {
        stdout: new CaptureStream({ columns: 120 }),
      });
      expect(r.code).toBe(0);
      const lines = r.stdout.split("\n");
      expect(lines.some((l) => l.endsWith("critical 90%"))).toBe(true);
      expect(lines.some((l) => l.endsWith("warning 70%"))).toBe(true);
      expect(r.stdout).not.toContain("critical 80%");
    } finally {
      world.stack({ SnapshotTableName: TABLE, ScheduleExpression: "rate(1 minute)" });
    }
  });

  it("writes a PNG of the requested range", async () => {
    const files = new Map<string, string | Uint8Array>();
    const r = await history(["--table", TABLE, "--account", "main", "--since", "3d", "--out", "ratio.png"], { files });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^wrote ratio\.png: 4320 snapshots, BTC cross max \d+\.\d%, BTCUSD_261225 long isolated max \d+\.\d%, ETH cross max \d+\.\d%\n$/,
    );
    const png = Buffer.from(files.get("ratio.png") as Uint8Array);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.toString("latin1", 12, 16)).toBe("IHDR");
    expect(png.readUInt32BE(16)).toBe(1500);
    expect(png.readUInt32BE(20)).toBe(810);
    // The PNG is the HTML page's SVG rasterized: the same chart in both files.
    const html = await history(["--table", TABLE, "--account", "main", "--since", "3d", "--out", "ratio.html"], {
      files,
    });
    const svg = String(files.get("ratio.html")).match(/<svg[\s\S]*<\/svg>/)?.[0] ?? "";
    expect(html.code).toBe(0);
    expect((await rasterizeSvg(svg, 1500)).png.equals(png)).toBe(true);
  });

  it("breaks the lines and shades where the monitor wrote nothing, and titles with the range asked for", async () => {
    const files = new Map<string, string | Uint8Array>();
    const r = await history(
      [
        "--table",
        TABLE,
        "--account",
        "gappy",
        "--since",
        "2026-10-01T00:00Z",
        "--until",
        "2026-10-01T06:00Z",
        "--chart",
        "--out",
        "gappy.html",
      ],
      { files, stdout: new CaptureStream({ columns: 80 }) },
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("Margin ratio, account gappy: 2026-10-01 00:00:00 → 06:00:00 UTC");
    expect(lines[1]).toContain("░ not monitored");
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    const html = String(files.get("gappy.html"));
    // 01:00-02:00 missing inside the data, 03:00-06:00 after it: two shaded spans, BTC in two runs.
    expect(html.match(/<rect class="not-monitored"/g)).toHaveLength(2);
    expect(html).toContain("not monitored: 2026-10-01 00:59 to 2026-10-01 02:00 UTC");
    expect(html).toContain("not monitored: 2026-10-01 02:59 to 2026-10-01 06:00 UTC");
    const btc = html.match(/<g class="series" data-asset="BTC cross">[\s\S]*?<\/g>/)?.[0] ?? "";
    expect(btc.match(/<polyline /g)).toHaveLength(2);
    expect(html).toContain("2026-10-01 00:00:00 → 06:00:00 UTC");
  });

  it("writes an HTML page with an inline SVG, and CSV rows alongside when asked", async () => {
    const files = new Map<string, string | Uint8Array>();
    const r = await history(
      [
        "--table",
        TABLE,
        "--account",
        "main",
        "--since",
        "2026-10-02T00:00Z",
        "--until",
        "2026-10-02T06:00Z",
        "--out",
        "ratio.html",
        "--format",
        "csv",
        "--pool",
        "BTC",
      ],
      { files },
    );
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)).toHaveLength(1 + 361);
    const html = String(files.get("ratio.html"));
    expect(html).toContain("<svg");
    expect(html.match(/<g class="series"/g)).toHaveLength(1);
    expect(html).toContain('data-asset="BTC cross"');
    expect(html).toContain("2026-10-02 00:00:00 → 06:00:00 UTC");
    expect(html).toContain("<td>361</td>");
  });

  it("does not write a plot of nothing", async () => {
    const files = new Map<string, string | Uint8Array>();
    const r = await history(
      ["--table", TABLE, "--account", "main", "--since", "2020-01-01", "--until", "2020-01-02", "--out", "x.png"],
      { files },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("x.png was not written");
    expect(files.size).toBe(0);
  });
});

describe("history streaming", () => {
  it("waits for a slow stdout to drain and loses nothing", async () => {
    const slow = new CaptureStream({ highWaterMark: 4096, delayMs: 2 });
    const r = await history(["--table", TABLE, "--account", "main", "--since", "3d", "--format", "csv"], {
      stdout: slow,
    });
    expect(r.code).toBe(0);
    expect(slow.lines).toBe(1 + COUNT * 4);
  });

  it("keeps at most the page budget read ahead of a consumer that is not reading, and reads concurrently", async () => {
    for (const [budget, concurrency, segments] of [
      [2, 3, undefined],
      [4, 3, 3],
      [1, 1, 1],
    ] as const) {
      const before = queries;
      let pages = 0;
      let maxAhead = 0;
      const times: string[] = [];
      const range = { account: "main", fromIso: "2026-10-01T00:00:00.000Z", toIso: "2026-10-04T00:00:00.000Z" };
      const options = { pageSize: 100, pageBudget: budget, concurrency, ...(segments ? { segments } : {}) };
      for await (const page of readSnapshotPages(world.dynamodb, TABLE, range, options)) {
        pages++;
        expect(page.length).toBeLessThanOrEqual(100);
        times.push(...page.map((s) => s.takenAt));
        // Give the reader time to run ahead as far as it would.
        await new Promise((r) => setTimeout(r, 10));
        maxAhead = Math.max(maxAhead, queries - before - pages);
      }
      // The current segment's next page, plus the budget for the segments after it.
      expect(maxAhead, `budget ${budget}`).toBeLessThanOrEqual(budget + 1);
      if (concurrency > 1) expect(maxAhead, `budget ${budget}`).toBeGreaterThanOrEqual(2);
      expect(times).toHaveLength(COUNT);
      expect(new Set(times).size).toBe(COUNT);
      expect([...times].sort()).toEqual(times);
    }
  });

  it("exits quietly when the reader of stdout goes away (EPIPE, as with | head)", async () => {
    for (const format of ["csv", "json", "table"]) {
      const head = new CaptureStream({ closeAfterBytes: 2000 });
      const r = await history(["--table", TABLE, "--account", "main", "--since", "3d", "--format", format], {
        stdout: head,
      });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(head.bytes).toBeGreaterThanOrEqual(2000);
      // The rows after the pipe closed were dropped, not buffered: far less than three days' worth
      // (over 9 MB as JSON), at most the page being written when the reader left.
      expect(head.bytes).toBeLessThan(3_000_000);
    }
  });
});

describe("history target and usage", () => {
  it("finds the table from the stack's SnapshotTableName output, and passes --region and --profile on", async () => {
    world.clientRequests.length = 0;
    const r = await history([
      "--account",
      "other",
      "--since",
      "2026-10-01",
      "--format",
      "csv",
      "--region",
      "us-east-2",
      "--profile",
      "ops",
    ]);
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)).toHaveLength(11);
    expect(world.clientRequests).toEqual([{ region: "us-east-2", profile: "ops" }]);
  });

  it("fails with a one-line reason when the stack or table does not exist", async () => {
    world.stack(undefined);
    try {
      const noStack = await history(["--account", "main"]);
      expect(noStack.code).toBe(1);
      expect(noStack.stderr).toMatch(/^coinm-guard history: stack "CoinmGuard" not found.*--table\n$/);
    } finally {
      world.stack({ SnapshotTableName: TABLE, ScheduleExpression: "rate(1 minute)" });
    }
    const noTable = await history(["--table", "no-such-table", "--account", "main"]);
    expect(noTable.code).toBe(1);
    expect(noTable.stderr).toBe(
      'coinm-guard history: table "no-such-table" not found in this region (check --region / --table / --stack)\n',
    );
  });

  it.each([
    [[], "--account is required"],
    [["--account", "main", "--since", "yesterday"], '--since "yesterday" is not a time'],
    [["--account", "main", "--until", "soon"], '--until "soon" is not a time'],
    // Issue 17: before the earliest Date, this printed "Invalid time value" and exited 1.
    [["--account", "main", "--since", "99999999w"], '--since "99999999w" is not a time'],
    [["--account", "main", "--until", "99999999w"], '--until "99999999w" is not a time'],
    [["--account", "main", "--since", `${"9".repeat(400)}s`], "is not a time"],
    [["--account", "main", "--since", "2026-10-02", "--until", "2026-10-01"], "is after --until"],
    [["--account", "main", "--format", "xml"], "--format must be one of table, csv, json"],
    [["--account", "main", "--chart", "--format", "csv"], "--chart and --format both write to stdout"],
    [["--account", "main", "--out", "chart.jpg"], "--out must name a .png or .html file"],
    [["--account", "main", "--positions", "--assets"], "--positions and --assets are two views; pick one"],
    [["--account", "main", "--positions", "--chart"], "charts show margin pools; drop --positions"],
    [["--account", "main", "--distance"], "--distance chooses what a chart shows; add --chart or --out FILE"],
    [["--account", "main", "--limit", "0"], "--limit must be a positive whole number"],
    [["--account", "main", "--levels", "warning"], "is not name=ratio"],
    [["--account", "main", "--demo", "--table", "x"], "--demo reads the local demo's data"],
    [["--account", "main", "--bogus"], "Unknown option '--bogus'"],
  ])("exits 2 on usage errors: %j", async (argv, message) => {
    const before = queries;
    const r = await history(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe("");
    expect(queries).toBe(before);
  });
});
