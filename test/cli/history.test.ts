/**
 * `history` against dynalite filled with three days of 1-minute snapshots (three assets each):
 * table, CSV and JSON content, ordering, inclusive range boundaries, asset filter, charts and
 * plot files, streaming under backpressure, EPIPE, stack lookup and usage errors.
 */
import { inflateSync } from "node:zlib";
import type { MiddlewareStack } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHistoryCommand } from "../../bin/commands/history.js";
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
  it("prints an aligned table: percentages right-aligned, levels, the raw figures", async () => {
    const r = await history(["--table", TABLE, "--account", "main", "--since", "2026-10-03T23:50:00Z"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^TAKEN AT \(UTC\)\s+ASSET\s+RATIO\s+LEVEL\s+MAINT MARGIN\s+MARGIN BALANCE\s+WALLET BALANCE$/,
    );
    expect(lines).toHaveLength(1 + 10 * 3);
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
      btc?.raw.walletBalance,
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
    expect(eth[16]).toBe("2");
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
    expect(none.stderr).toContain('no snapshots for account "main" with DOGE (assets seen: BNB, BTC, ETH)');
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
    const none = await history(["--table", TABLE, "--account", "nobody"]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^TAKEN AT \(UTC\)/);
    expect(none.stderr).toBe(
      'no snapshots for account "nobody" from 2026-10-03T00:00:00.000Z to 2026-10-04T00:00:00.000Z\n',
    );
  });
});

describe("history charts", () => {
  it("draws the ratio in the terminal with the alert levels", async () => {
    const r = await history(["--table", TABLE, "--account", "main", "--since", "3d", "--chart"], {
      stdout: new CaptureStream({ columns: 120 }),
    });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("Margin ratio, account main: 2026-10-01 00:00:00 → 2026-10-03 23:59:00 UTC");
    expect(lines.some((l) => l.endsWith("critical 80%"))).toBe(true);
    expect(lines.some((l) => l.endsWith("warning 50%"))).toBe(true);
    expect(r.stdout).toContain("● BTC  ◆ ETH   (no margin held: BNB)");
    expect(r.stdout).toContain("BTC: max");
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
    expect(r.stderr).toMatch(/^wrote ratio\.png: 4320 snapshots, BTC max \d+\.\d%, ETH max \d+\.\d%\n$/);
    const png = Buffer.from(files.get("ratio.png") as Uint8Array);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.toString("latin1", 12, 16)).toBe("IHDR");
    expect(png.readUInt32BE(16)).toBe(1200);
    expect(png.readUInt32BE(20)).toBe(600);
    const idat = png.indexOf("IDAT");
    expect(inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4))).length).toBe(
      (1200 * 3 + 1) * 600,
    );
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
        "--asset",
        "BTC",
      ],
      { files },
    );
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)).toHaveLength(1 + 361);
    const html = String(files.get("ratio.html"));
    expect(html).toContain("<svg");
    expect(html.match(/<polyline class="series"/g)).toHaveLength(1);
    expect(html).toContain('data-asset="BTC"');
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
    expect(slow.lines).toBe(1 + COUNT * 3);
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
      // The rows after the pipe closed were dropped, not buffered: far less than three days' worth.
      expect(head.bytes).toBeLessThan(2_000_000);
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
    [["--account", "main", "--since", "2026-10-02", "--until", "2026-10-01"], "is after --until"],
    [["--account", "main", "--format", "xml"], "--format must be one of table, csv, json"],
    [["--account", "main", "--chart", "--format", "csv"], "--chart and --format both write to stdout"],
    [["--account", "main", "--out", "chart.jpg"], "--out must name a .png or .html file"],
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
