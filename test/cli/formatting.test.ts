/** The pure pieces of the CLI: time parsing, formatters, downsampling, gaps, charts, PNG, status. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSecretInput } from "../../bin/commands/put-secret.js";
import { createProgress } from "../../bin/output.js";
import { parseAccountSecrets, parseStackOutputs } from "../../lib/aws/stack-outputs.js";
import { renderTerminalChart } from "../../lib/history/chart-terminal.js";
import { CSV_COLUMNS, csvField, csvHeader, csvRows, POSITION_CSV_COLUMNS } from "../../lib/history/csv.js";
import { Downsampler, toColumns } from "../../lib/history/downsample.js";
import { GapTracker, splitAtGaps } from "../../lib/history/gaps.js";
import { JsonArrayFormatter, type SnapshotJson } from "../../lib/history/json.js";
import { parseLevelsOption } from "../../lib/history/levels.js";
import { buildPlot, niceYMax, timeTicks } from "../../lib/history/plot.js";
import { HOVER_SCRIPT, hoverData, renderPlotHtml } from "../../lib/history/plot-html.js";
import { rasterizeSvg, renderPlotPng } from "../../lib/history/plot-png.js";
import { LIQUIDATION_COLOR, renderPlotSvg, seriesColor } from "../../lib/history/plot-svg.js";
import {
  formatAge,
  formatInterval,
  parseDuration,
  parseInstant,
  parseInterval,
  parseScheduleExpression,
} from "../../lib/history/range.js";
import { defaultSegments, segmentKeys } from "../../lib/history/read.js";
import { buildStatusReport, formatStatus } from "../../lib/history/status.js";
import { priceCell, TableFormatter, trimZeros } from "../../lib/history/table.js";
import { poolRows, selectPools } from "../../lib/history/views.js";
import type { AccountState } from "../../lib/monitor/ports.js";
import type { Snapshot } from "../../lib/monitor/snapshot.js";
import { formatPercent } from "../../lib/risk/decimal.js";
import { DEFAULT_ALERT_LEVELS } from "../../lib/risk/levels.js";
import { CaptureStream } from "./support/harness.js";
import { makeSnapshot, series } from "./support/snapshots.js";

const NOW = new Date("2026-10-04T00:00:00.000Z");

describe("time parsing", () => {
  it("reads durations, combined durations and rejects junk", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("2w")).toBe(1_209_600_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    for (const bad of ["", "h", "24", "-1h", "1y", "1 h x", "0m"]) expect(parseDuration(bad)).toBeUndefined();
  });

  it("reads instants: now, durations back, ISO dates and times (UTC without an offset)", () => {
    expect(parseInstant("now", NOW)?.toISOString()).toBe(NOW.toISOString());
    expect(parseInstant("24h", NOW)?.toISOString()).toBe("2026-10-03T00:00:00.000Z");
    expect(parseInstant("2026-10-01", NOW)?.toISOString()).toBe("2026-10-01T00:00:00.000Z");
    expect(parseInstant("2026-10-01T12:30", NOW)?.toISOString()).toBe("2026-10-01T12:30:00.000Z");
    expect(parseInstant("2026-10-01 12:30:15", NOW)?.toISOString()).toBe("2026-10-01T12:30:15.000Z");
    expect(parseInstant("2026-10-01T12:30:15.250Z", NOW)?.toISOString()).toBe("2026-10-01T12:30:15.250Z");
    expect(parseInstant("2026-10-01T12:30:00+02:00", NOW)?.toISOString()).toBe("2026-10-01T10:30:00.000Z");
    // An inclusive end given as a date alone covers that whole day; a time is taken as it is.
    const end = { endOfDay: true };
    expect(parseInstant("2026-10-31", NOW, end)?.toISOString()).toBe("2026-10-31T23:59:59.999Z");
    expect(parseInstant("2026-10-31T00:00", NOW, end)?.toISOString()).toBe("2026-10-31T00:00:00.000Z");
    expect(parseInstant("2026-10-31+02:00", NOW, end)?.toISOString()).toBe("2026-10-31T21:59:59.999Z");
    expect(parseInstant("24h", NOW, end)?.toISOString()).toBe("2026-10-03T00:00:00.000Z");
    for (const bad of ["yesterday", "2026-02-30", "2026-13-01", "10/01/2026", "2026-10-01T25:00"]) {
      expect(parseInstant(bad, NOW), bad).toBeUndefined();
    }
  });

  it("reads schedule expressions and --interval values", () => {
    expect(parseScheduleExpression("rate(1 minute)")).toBe(60_000);
    expect(parseScheduleExpression("rate(5 minutes)")).toBe(300_000);
    expect(parseScheduleExpression("rate(2 hours)")).toBe(7_200_000);
    expect(parseScheduleExpression("rate(1 day)")).toBe(86_400_000);
    expect(parseScheduleExpression("cron(* * * * ? *)")).toBe(60_000);
    expect(parseScheduleExpression("cron(0/5 * * * ? *)")).toBe(300_000);
    expect(parseScheduleExpression("cron(0 12 * * ? *)")).toBeUndefined();
    expect(parseInterval("1m")).toBe(60_000);
    expect(parseInterval("rate(1 minute)")).toBe(60_000);
    expect(parseInterval("often")).toBeUndefined();
  });

  it("formats ages and intervals", () => {
    expect(formatAge(42_000)).toBe("42s");
    expect(formatAge(185_000)).toBe("3m 05s");
    expect(formatAge(7_620_000)).toBe("2h 07m");
    expect(formatAge(3 * 86_400_000 + 4 * 3_600_000)).toBe("3d 4h");
    expect(formatInterval(60_000)).toBe("1m");
    expect(formatInterval(5_400_000)).toBe("1h30m");
    expect(formatInterval(1000)).toBe("1s");
  });
});

describe("segments of a range", () => {
  it("covers the key range contiguously; neighbours share one boundary key, dropped by the earlier", () => {
    const segs = segmentKeys("2026-10-01T00:00:00.000Z", "2026-10-03T00:00:00.000Z", 2);
    expect(segs).toEqual([
      {
        fromKey: "SNAP#2026-10-01T00:00:00.000Z",
        toKey: "SNAP#2026-10-02T00:00:00.000Z",
        dropKey: "SNAP#2026-10-02T00:00:00.000Z",
      },
      { fromKey: "SNAP#2026-10-02T00:00:00.000Z", toKey: "SNAP#2026-10-03T00:00:00.000Z" },
    ]);
    expect(segmentKeys("2026-10-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z", 4)).toHaveLength(1);
  });

  it("uses one segment per 12 hours (under a page at one snapshot a minute), at most 64", () => {
    expect(defaultSegments("2026-10-01T00:00:00.000Z", "2026-10-01T11:00:00.000Z")).toBe(1);
    expect(defaultSegments("2026-10-01T00:00:00.000Z", "2026-10-03T00:00:00.000Z")).toBe(4);
    expect(defaultSegments("2026-09-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z")).toBe(60);
    expect(defaultSegments("2026-01-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z")).toBe(64);
  });
});

describe("CSV", () => {
  it("has a header with the documented columns and one row per asset", () => {
    expect(csvHeader("assets")).toBe(`${CSV_COLUMNS.join(",")}\n`);
    expect(CSV_COLUMNS.slice(0, 5)).toEqual(["takenAt", "account", "asset", "marginRatio", "level"]);
    const s = makeSnapshot("main", NOW, 700);
    const rows = csvRows("assets", s).trimEnd().split("\n");
    expect(rows).toHaveLength(3);
    const btc = rows.find((r) => r.split(",")[2] === "BTC")?.split(",") ?? [];
    const a = s.assets.find((x) => x.asset === "BTC");
    expect(btc[0]).toBe(NOW.toISOString());
    expect(btc[1]).toBe("main");
    expect(Number(btc[3])).toBe(a?.marginRatio);
    expect(btc[4]).toBe(a?.level);
    expect(btc[CSV_COLUMNS.indexOf("maintMargin")]).toBe(a?.raw.maintMargin);
    expect(btc).toHaveLength(CSV_COLUMNS.length);
  });

  it("filters assets, leaves the ratio empty when the margin balance is gone, and quotes when needed", () => {
    const gone = makeSnapshot("main", NOW, 0);
    const withNull = {
      ...gone,
      assets: gone.assets.map((a) => (a.asset === "BTC" ? { ...a, marginRatio: null, level: "critical" } : a)),
    };
    const row = csvRows("assets", withNull, { assets: new Set(["BTC"]) })
      .trimEnd()
      .split(",");
    expect(row[2]).toBe("BTC");
    expect(row[3]).toBe("");
    expect(row[4]).toBe("critical");
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField("plain")).toBe("plain");
  });

  it("writes a row per pool and per position with ratio, distance and Binance's strings", () => {
    const s = makeSnapshot("main", NOW, 700);
    expect(csvHeader("pools")).toBe(
      "takenAt,account,pool,kind,asset,label,ratio,distance,level,requirement,collateral\n",
    );
    const pools = csvRows("pools", s).trimEnd().split("\n");
    expect(pools.map((r) => r.split(",")[5])).toEqual([
      "BTC cross",
      "BTCUSD_261225 long isolated",
      "ETH cross",
      "BNB cross",
    ]);
    const isolated = s.pools.find((p) => p.kind === "isolated");
    expect(pools[1]?.split(",")).toEqual([
      NOW.toISOString(),
      "main",
      "BTCUSD_261225#LONG",
      "isolated",
      "BTC",
      "BTCUSD_261225 long isolated",
      String(isolated?.ratio),
      String(isolated?.distance),
      isolated?.level,
      "0.01000000",
      "0.05000000",
    ]);
    // No liquidation price: an empty distance.
    expect(pools[2]?.split(",")[7]).toBe("");
    expect(csvHeader("positions")).toBe(`${POSITION_CSV_COLUMNS.join(",")}\n`);
    const positions = csvRows("positions", s, { pools: new Set(["btc"]) })
      .trimEnd()
      .split("\n");
    // --pool BTC is BTC's cross pool: its cross position only.
    expect(positions).toHaveLength(1);
    const cells = positions[0]?.split(",") ?? [];
    const col = (name: string) => cells[POSITION_CSV_COLUMNS.indexOf(name as (typeof POSITION_CSV_COLUMNS)[number])];
    expect([col("symbol"), col("side"), col("pool"), col("asset"), col("positionAmt")]).toEqual([
      "BTCUSD_PERP",
      "short",
      "BTC",
      "BTC",
      "-20",
    ]);
    const mark = Number(col("markPrice"));
    expect(Number(col("distance"))).toBeCloseTo(Math.abs(mark - Number(col("liquidationPrice"))) / mark, 12);
    expect(csvRows("positions", s, { assets: new Set(["ETH"]) }).split(",")[POSITION_CSV_COLUMNS.length - 1]).toBe(
      "\n",
    );
  });

  it("shows a snapshot from before pools as its assets' ratios in the pool view", () => {
    const old = makeSnapshot("main", NOW, 700, ["BTC"], { legacy: true });
    const rows = poolRows(old);
    expect(rows).toEqual([
      {
        id: "BTC",
        kind: "asset",
        asset: "BTC",
        label: "BTC (asset)",
        ratio: old.assets[0]?.marginRatio,
        distance: null,
        level: old.assets[0]?.level,
        requirement: old.assets[0]?.raw.maintMargin,
        collateral: old.assets[0]?.raw.marginBalance,
      },
    ]);
    // --pool "BTC cross" still finds it, and there are no positions to show.
    expect(selectPools(old, { pools: new Set(["btc cross"]) })).toHaveLength(1);
    expect(csvRows("positions", old)).toBe("");
  });
});

describe("JSON", () => {
  it("streams a parseable array with the documented fields, empty or not", () => {
    const empty = new JsonArrayFormatter();
    expect(JSON.parse(empty.open() + empty.close())).toEqual([]);
    const f = new JsonArrayFormatter();
    const snaps = [...series("main", NOW, 3)];
    const text = f.open() + snaps.map((s) => f.item(s, { assets: new Set(["ETH"]) })).join("") + f.close();
    const parsed = JSON.parse(text) as SnapshotJson[];
    expect(parsed).toHaveLength(3);
    expect(parsed[1]?.takenAt).toBe("2026-10-04T00:01:00.000Z");
    expect(parsed[0]?.assets.map((a) => a.asset)).toEqual(["ETH"]);
    expect(parsed[0]?.assets[0]?.raw.walletBalance).toBe("12.00000000");
    expect(parsed[0]?.pools.map((p) => p.label)).toEqual(["ETH cross"]);
    expect(parsed[0]?.pools[0]?.distance).toBeNull();
    expect(parsed[0]?.positions.map((p) => [p.symbol, p.side, p.pool, p.liquidationPrice, p.distance])).toEqual([
      ["ETHUSD_PERP", "long", "ETH", "0", null],
    ]);
    // A snapshot from before pools: its ratios under assets, no pools or positions.
    const old = JSON.parse(
      new JsonArrayFormatter().item(makeSnapshot("main", NOW, 1, ["BTC"], { legacy: true })).slice(1),
    ) as SnapshotJson;
    expect([old.assets.length, old.pools, old.positions]).toEqual([1, [], []]);
    expect(text.split("\n")).toEqual([
      "[",
      expect.stringMatching(/^\{/),
      expect.stringMatching(/^\{/),
      expect.stringMatching(/^\{/),
      "]",
      "",
    ]);
  });
});

describe("table", () => {
  it("shows pools by default: ratio and distance right-aligned as percentages, then level", () => {
    const snaps = [...series("main", NOW, 4)];
    const t = new TableFormatter(snaps);
    const lines = (t.header() + snaps.map((s) => t.rows(s)).join("")).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TAKEN AT \(UTC\)\s+POOL\s+RATIO\s+DISTANCE\s+LEVEL$/);
    expect(lines).toHaveLength(1 + 4 * 4);
    const row = lines.find((l) => l.includes("long isolated")) ?? "";
    const p = snaps[0]?.pools.find((x) => x.kind === "isolated");
    expect(row.split(/\s{2,}/)).toEqual([
      "2026-10-04 00:00:00",
      "BTCUSD_261225 long isolated",
      formatPercent(p?.ratio ?? 0, 2),
      formatPercent(p?.distance ?? 0, 2),
      p?.level,
    ]);
    expect(lines.find((l) => l.includes("ETH cross"))).toMatch(/ - {2,}ok$/);
    expect(new TableFormatter(snaps, { wide: true }).header()).toMatch(/LEVEL\s+REQUIREMENT\s+COLLATERAL\n$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("shows positions: mark and liquidation price to 8 significant digits, and the distance", () => {
    const snaps = [...series("main", NOW, 2)];
    const t = new TableFormatter(snaps, { view: "positions" });
    const lines = (t.header() + snaps.map((s) => t.rows(s)).join("")).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TAKEN AT \(UTC\)\s+POSITION\s+MARK\s+LIQ PRICE\s+DISTANCE$/);
    expect(lines).toHaveLength(1 + 2 * 3);
    expect(lines[1]).toMatch(/^2026-10-04 00:00:00 {2}BTCUSD_PERP short cross +60000 +79800 +33\.00%$/);
    expect(lines[3]).toMatch(/ETHUSD_PERP long cross +2600 +0 +-$/);
    expect(lines[5]).toMatch(/BTCUSD_261225 long isolated +60004 +54288\.619 +9\.52%$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(trimZeros("60000.00000000")).toBe("60000");
    expect(trimZeros("0.01000000")).toBe("0.01");
    expect(trimZeros("0")).toBe("0");
    expect(priceCell("54288.61902537")).toBe("54288.619");
    expect(priceCell("0.00001234")).toBe("0.00001234");
    expect(new TableFormatter(snaps, { view: "positions", wide: true }).header()).toMatch(
      /DISTANCE\s+AMOUNT\s+ENTRY\s+MAINT MARGIN\s+UNREALIZED PNL\s+ISOLATED WALLET\s+LEVERAGE\n$/,
    );
  });

  it("shows assets with Binance's figures on request", () => {
    const snaps = [...series("main", NOW, 4)];
    const t = new TableFormatter(snaps, { view: "assets" });
    const lines = (t.header() + snaps.map((s) => t.rows(s)).join("")).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TAKEN AT \(UTC\)\s+ASSET\s+RATIO\s+LEVEL\s+MAINT MARGIN\s+MARGIN BALANCE$/);
    expect(lines).toHaveLength(1 + 4 * 3);
    const wide = new TableFormatter(snaps, { wide: true, view: "assets" });
    expect(wide.header()).toMatch(/MARGIN BALANCE\s+WALLET BALANCE\n$/);
    expect(
      wide
        .rows(snaps[0] as Snapshot)
        .split("\n")[0]
        ?.split(/\s+/)
        .at(-1),
    ).toBe(snaps[0]?.assets[0]?.raw.walletBalance);
    const ratioEnd = (lines[0] ?? "").indexOf("RATIO") + "RATIO".length;
    for (const line of lines.slice(1)) {
      expect(line.slice(0, ratioEnd)).toMatch(/\d+\.\d\d%$/);
      expect(line.startsWith("2026-10-04 00:0")).toBe(true);
    }
  });

  it("fits 80 columns by default, with the demo's millisecond times and large balances too", () => {
    const demo = [...series("demo", new Date("2026-10-04T00:00:00.123Z"), 5, 1017)].map((s) => ({
      ...s,
      assets: s.assets.map((a) => ({
        ...a,
        raw: { ...a.raw, marginBalance: "12345.67890123", maintMargin: "1234.56789012" },
      })),
    }));
    const t = new TableFormatter(demo, { view: "assets" });
    const text = t.header() + demo.map((s) => t.rows(s)).join("");
    const pools = new TableFormatter(demo);
    for (const line of (pools.header() + demo.map((s) => pools.rows(s)).join("")).split("\n"))
      expect(line.length).toBeLessThanOrEqual(80);
    expect(text).toContain(".123");
    expect(Math.max(...text.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it("shows milliseconds only when snapshots are less than a second apart, and colours levels on request", () => {
    const s = { ...makeSnapshot("demo", NOW, 800), takenAt: "2026-10-04T00:00:01.250Z" };
    expect(new TableFormatter([s]).rows(s)).toContain("2026-10-04 00:00:01.250");
    const whole = makeSnapshot("main", NOW, 800);
    expect(new TableFormatter([whole]).rows(whole)).not.toMatch(/00:00:00\.\d/);
    const critical = { ...whole, pools: whole.pools.map((a) => ({ ...a, level: "critical" })) };
    expect(new TableFormatter([critical], { color: true }).rows(critical)).toContain("\x1b[31mcritical");
  });
});

describe("downsampling", () => {
  it("keeps memory bounded and the extremes of every bucket, in either time order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 1, maxLength: 3000 }),
        fc.boolean(),
        (values, reverse) => {
          const ds = new Downsampler(64);
          const order = values.map((v, i) => [i * 60_000, v] as const);
          if (reverse) order.reverse();
          for (const [t, v] of order) ds.add("BTC", t, v);
          const buckets = ds.buckets("BTC");
          expect(buckets.length).toBeLessThanOrEqual(64);
          expect(Math.max(...buckets.map((b) => b.max))).toBe(Math.max(...values));
          expect(Math.min(...buckets.map((b) => b.min))).toBe(Math.min(...values));
          expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(values.length);
        },
      ),
    );
  });

  it("counts a month at 1-minute cadence into at most maxBuckets per series, nulls as +Infinity", () => {
    const ds = new Downsampler(1024);
    for (let i = 0; i < 43_200; i++) ds.add("BTC", i * 60_000, i === 1000 ? null : 0.5);
    expect(ds.buckets("BTC").length).toBeLessThanOrEqual(1024);
    expect(ds.summary("BTC")?.beyond).toBe(1);
    expect(Math.max(...ds.buckets("BTC").map((b) => b.max))).toBe(Number.POSITIVE_INFINITY);
    const cols = toColumns(ds.buckets("BTC"), 0, 43_199 * 60_000, 80);
    expect(cols.filter(Boolean)).toHaveLength(80);
  });
});

const OCT = Date.parse("2026-10-01T00:00:00Z");

/**
 * A plot of `count` 1-minute snapshots from October 1st over the range asked for (default: the
 * data's), leaving out the snapshots with an index in `skip` (the monitor was not reading).
 */
function plotOf(
  count: number,
  options: { stepMs?: number; skip?: readonly [number, number]; from?: number; to?: number } = {},
) {
  const stepMs = options.stepMs ?? 60_000;
  const ds = new Downsampler(512);
  const gaps = new GapTracker();
  let i = 0;
  for (const s of series("main", new Date(OCT), count, stepMs)) {
    const skipped = options.skip && i >= options.skip[0] && i < options.skip[1];
    i++;
    if (skipped) continue;
    const t = Date.parse(s.takenAt);
    gaps.add(t);
    for (const a of s.assets) ds.add(a.asset, t, a.marginRatio);
  }
  const from = options.from ?? OCT;
  const to = options.to ?? OCT + (count - 1) * stepMs;
  const model = buildPlot(ds, {
    account: "main",
    levels: DEFAULT_ALERT_LEVELS.map((l) => ({ name: l.name, value: l.ratio })),
    from,
    to,
    coverage: gaps.coverage({ from, to }),
  });
  if (!model) throw new Error("no plot");
  return model;
}

/** How many pixels of an RGBA raster are within a small distance of a colour. */
function countColor(pixels: Buffer, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    const d =
      Math.abs((pixels[i] ?? 0) - (r ?? 0)) +
      Math.abs((pixels[i + 1] ?? 0) - (g ?? 0)) +
      Math.abs((pixels[i + 2] ?? 0) - (b ?? 0));
    if (d < 24) n++;
  }
  return n;
}

describe("gaps", () => {
  it("derives the interval from the spacing of the snapshots and finds spans over 2.5 intervals", () => {
    const g = new GapTracker();
    const minute = 60_000;
    // Every minute, one missed cycle at 10 (normal), then nothing from 20 to 30, then every minute to 59.
    for (let m = 0; m < 60; m++) if (m !== 10 && (m <= 20 || m >= 30)) g.add(OCT + m * minute);
    const c = g.coverage({ from: OCT, to: OCT + 59 * minute });
    expect(c.intervalMs).toBe(minute);
    expect(c.gaps).toEqual([{ from: OCT + 20 * minute, to: OCT + 30 * minute }]);
    // The range asked for reaches past the data at both ends: those spans are not monitored too.
    const wider = g.coverage({ from: OCT - 3600_000, to: OCT + 61 * minute });
    expect(wider.gaps).toEqual([
      { from: OCT - 3600_000, to: OCT },
      { from: OCT + 20 * minute, to: OCT + 30 * minute },
    ]);
    // Newest first finds the same.
    const back = new GapTracker();
    for (let m = 59; m >= 0; m--) if (m !== 10 && (m <= 20 || m >= 30)) back.add(OCT + m * minute);
    expect(back.coverage({ from: OCT, to: OCT + 59 * minute })).toEqual(c);
    // One snapshot says nothing about a schedule.
    const one = new GapTracker();
    one.add(OCT);
    expect(one.coverage({ from: OCT - 1e6, to: OCT + 1e6 })).toEqual({ intervalMs: undefined, gaps: [] });
  });

  it("tolerates a jittery cadence (the demo's) and splits a line only across a gap or an absence", () => {
    const g = new GapTracker();
    let t = OCT;
    for (let i = 0; i < 500; i++) {
      g.add(t);
      t += i === 250 ? 10_000 : 1000 + ((i * 37) % 90);
    }
    const c = g.coverage({ from: OCT, to: t - 1000 });
    expect(c.intervalMs).toBeGreaterThanOrEqual(1000);
    expect(c.intervalMs).toBeLessThan(1100);
    expect(c.gaps).toHaveLength(1);
    const points: [number, number][] = [
      [0, 1],
      [10, 1],
      [20, 1],
      [60, 1],
      [70, 1],
      [200, 1],
    ];
    expect(splitAtGaps(points, [{ from: 20, to: 60 }], 100)).toEqual([
      points.slice(0, 3),
      points.slice(3, 5),
      [[200, 1]],
    ]);
  });
});

describe("charts", () => {
  it("scales the y axis above the data, the levels and liquidation, with round time ticks", () => {
    expect(niceYMax(0.3, [0.5, 0.8])).toBe(0.9);
    expect(niceYMax(0.95, [0.5, 0.8])).toBe(1);
    expect(niceYMax(0.3, [0.5, 0.8], 1)).toBe(1.1);
    const from = Date.parse("2026-10-01T00:00:00Z");
    const to = Date.parse("2026-10-04T00:00:00Z");
    expect(timeTicks(from, to, 4).map((t) => t.label)).toEqual(["10-01", "10-02", "10-03", "10-04"]);
    expect(timeTicks(from, to, 6).map((t) => t.label)).toEqual([
      "10-01",
      "12:00",
      "10-02",
      "12:00",
      "10-03",
      "12:00",
      "10-04",
    ]);
    const noon = Date.parse("2026-10-01T12:00:00Z");
    expect(timeTicks(noon, noon + 600_000, 3).map((t) => t.label)).toEqual(["12:00", "12:05", "12:10"]);
    expect(timeTicks(noon, noon + 20_000, 3).map((t) => t.label)).toEqual(["12:00:00", "12:00:10", "12:00:20"]);
  });

  it("puts calendar ticks with the year on long ranges, and the year on days across New Year", () => {
    const year = timeTicks(Date.parse("2025-11-15T00:00:00Z"), Date.parse("2026-11-15T00:00:00Z"), 6);
    expect(year.map((t) => t.label)).toEqual(["2026-01", "2026-03", "2026-05", "2026-07", "2026-09", "2026-11"]);
    for (const t of year) expect(new Date(t.value).toISOString()).toMatch(/^\d{4}-\d\d-01T00:00:00/);
    const quarter = timeTicks(Date.parse("2026-07-10T00:00:00Z"), Date.parse("2026-11-20T00:00:00Z"), 6);
    expect(quarter.map((t) => t.label)).toEqual(["2026-08", "2026-09", "2026-10", "2026-11"]);
    const decade = timeTicks(Date.parse("2020-03-01T00:00:00Z"), Date.parse("2026-03-01T00:00:00Z"), 6);
    expect(decade.map((t) => t.label)).toEqual(["2021", "2022", "2023", "2024", "2025", "2026"]);
    const newYear = timeTicks(Date.parse("2026-12-30T00:00:00Z"), Date.parse("2027-01-02T00:00:00Z"), 4);
    expect(newYear.map((t) => t.label)).toEqual(["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]);
  });

  it("titles with the range asked for and breaks the lines where snapshots are missing", () => {
    const from = Date.parse("2026-09-30T12:00:00Z");
    const to = Date.parse("2026-10-01T12:00:00Z");
    const model = plotOf(600, { skip: [200, 260], from, to });
    expect(model.rangeLabel).toBe("2026-09-30 12:00:00 → 2026-10-01 12:00:00 UTC");
    expect([model.from, model.to]).toEqual([from, to]);
    expect(model.intervalMs).toBe(60_000);
    expect(model.notMonitored).toEqual([
      { from, to: OCT },
      { from: OCT + 199 * 60_000, to: OCT + 260 * 60_000 },
      { from: OCT + 599 * 60_000, to },
    ]);
    const btc = model.series.find((s) => s.name === "BTC");
    expect(btc?.runs).toHaveLength(2);
    expect(btc?.runs[0]?.at(-1)?.[0]).toBeLessThanOrEqual(OCT + 199 * 60_000);
    expect(btc?.runs[1]?.[0]?.[0]).toBeGreaterThanOrEqual(OCT + 260 * 60_000);
    // Without a gap the line is one run.
    expect(plotOf(600).series.every((s) => s.runs.length === 1)).toBe(true);
    expect(plotOf(600).notMonitored).toEqual([]);
  });

  it("draws the ratio per asset in the terminal within 80 columns, with the levels and liquidation", () => {
    const model = plotOf(4320);
    expect(model.series.map((s) => s.name)).toEqual(["BTC", "ETH"]);
    expect(model.idle).toEqual(["BNB"]);
    const text = renderTerminalChart(model, { height: 16 });
    const lines = text.split("\n");
    expect(lines[0]).toBe("Margin ratio, account main: 2026-10-01 00:00:00 → 2026-10-03 23:59:00 UTC");
    expect(text).toContain("(no margin held: BNB)");
    const critical = lines.find((l) => l.endsWith("critical 80%")) ?? "";
    const warning = lines.find((l) => l.endsWith("warning 50%")) ?? "";
    const liquidation = lines.find((l) => l.endsWith("liquidation 100%")) ?? "";
    expect(critical).toContain("┄");
    expect(warning).toContain("┄");
    expect(liquidation).toMatch(/^\s*100% ┤━+ liquidation 100%$/);
    expect(lines.indexOf(liquidation)).toBeLessThan(lines.indexOf(critical));
    expect(lines.indexOf(critical)).toBeLessThan(lines.indexOf(warning));
    expect(text).toContain("●");
    expect(text).toContain("◆");
    expect(text).not.toContain("░");
    expect(lines.some((l) => /^\s+0% ┤/.test(l))).toBe(true);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(text).toMatch(/BTC: max \d+\.\d\d%, last \d+\.\d\d% \(4320 snapshots/);
    for (const width of [50, 60, 120]) {
      const narrow = renderTerminalChart(model, { width }).split("\n");
      expect(Math.max(...narrow.map((l) => [...l].length)), `width ${width}`).toBeLessThanOrEqual(width);
      expect(narrow.some((l) => l.endsWith("critical 80%"))).toBe(true);
    }
  });

  it("shades the columns that were not monitored in the terminal and draws no trace there", () => {
    const model = plotOf(600, { skip: [200, 400] });
    const lines = renderTerminalChart(model, { width: 80, height: 12 }).split("\n");
    expect(lines[1]).toContain("░ not monitored");
    const plotRows = lines.filter((l) => /[│┤]/.test(l));
    const axisAt = (plotRows[0] ?? "").search(/[│┤]/) + 1;
    const width = 80 - axisAt - " liquidation 100%".length;
    // Columns 40%-60% of the way across lie inside the gap: shaded top to bottom, no glyph.
    for (let c = Math.ceil(width * 0.36); c < Math.floor(width * 0.63); c++) {
      const column = plotRows.map((l) => [...l][axisAt + c] ?? "");
      // Only the shading and the reference lines (levels, liquidation) that run through it.
      expect(
        column.filter((ch) => !"░┄━".includes(ch)),
        `column ${c}`,
      ).toEqual([]);
      expect(column.filter((ch) => ch === "░").length).toBeGreaterThan(8);
    }
  });

  it("writes a self-contained HTML page with an inline SVG: runs per asset, shading, levels, liquidation", () => {
    const html = renderPlotHtml(plotOf(600, { skip: [200, 260] }));
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    expect(html.match(/<g class="series"/g)).toHaveLength(2);
    expect(html).toContain('data-asset="BTC"');
    // Two runs per asset: the line is not drawn across the hour without snapshots.
    expect(html.match(/<polyline /g)).toHaveLength(4);
    expect(html.match(/<rect class="not-monitored"/g)).toHaveLength(1);
    expect(html).toContain("not monitored");
    expect(html.match(/<line class="level"/g)).toHaveLength(2);
    expect(html.match(/<line class="liquidation"/g)).toHaveLength(1);
    expect(html).toContain("liquidation 100%");
    expect(html).toContain("warning 50%");
    expect(html).toContain("critical 80%");
    expect(html).toContain("Time (UTC)");
    expect(html).toContain("Margin ratio (maintenance margin / collateral)");
    expect(html).toContain("2026-10-01 00:00:00 → 09:59:00 UTC");
    expect(html).toContain("snapshots every 1m · not monitored for 1h 01m in 1 span(s)");
  });

  it("shows values on hover from data inside the page: one file, no external script or request", () => {
    const model = plotOf(600, { skip: [200, 260] });
    const html = renderPlotHtml(model);
    expect(html).not.toMatch(/<script[^>]+src=|<link |@import|url\(|fetch\(|XMLHttpRequest/);
    const json = html.match(/<script type="application\/json" id="chart-data">([^<]*)<\/script>/)?.[1] ?? "";
    const data = JSON.parse(json) as ReturnType<typeof hoverData>;
    expect(data).toEqual(JSON.parse(JSON.stringify(hoverData(model))));
    expect(data.gaps).toEqual([[OCT + 199 * 60_000, OCT + 260 * 60_000]]);
    const btc = data.series.find((s) => s.name === "BTC");
    expect(btc?.points.length).toBe(model.series[0]?.runs.flat().length);
    expect(html).toContain('<div id="readout" hidden></div>');
    // The inline script is valid JavaScript (a syntax error would only show in a browser).
    const script = html.match(/<script>\n([\s\S]*?)<\/script>/)?.[1] ?? "";
    expect(script).toBe(`${HOVER_SCRIPT}\n`);
    expect(() => new Function(script)).not.toThrow();
  });

  it("renders the same SVG to a PNG: title text, series colours, levels and liquidation in the pixels", async () => {
    const model = plotOf(600, { skip: [200, 260] });
    const png = await renderPlotPng(model, { width: 800 });
    expect(png.subarray(0, 8).toString("latin1")).toBe("\x89PNG\r\n\x1a\n");
    expect(png.toString("latin1", 12, 16)).toBe("IHDR");
    expect(png.readUInt32BE(16)).toBe(800);
    const raster = await rasterizeSvg(renderPlotSvg(model), 800);
    expect(raster.png.equals(png)).toBe(true);
    expect(countColor(raster.pixels, seriesColor(0))).toBeGreaterThan(200);
    expect(countColor(raster.pixels, seriesColor(1))).toBeGreaterThan(200);
    expect(countColor(raster.pixels, LIQUIDATION_COLOR)).toBeGreaterThan(500);
    // The title row holds dark text pixels: the bundled font was found.
    let ink = 0;
    for (let y = 8; y < 24; y++)
      for (let x = 40; x < 400; x++) if ((raster.pixels[(y * raster.width + x) * 4] ?? 255) < 100) ink++;
    expect(ink).toBeGreaterThan(100);
  });
});

describe("options and outputs", () => {
  it("parses --levels as name=ratio pairs, percentages or the monitor's JSON", () => {
    expect(parseLevelsOption(undefined)).toEqual({ levels: [...DEFAULT_ALERT_LEVELS] });
    expect(parseLevelsOption("critical=85%,warning=0.6")).toEqual({
      levels: [
        { name: "warning", ratio: 0.6 },
        { name: "critical", ratio: 0.85 },
      ],
    });
    expect(parseLevelsOption('[{"name":"high","ratio":0.7}]')).toEqual({ levels: [{ name: "high", ratio: 0.7 }] });
    expect("error" in parseLevelsOption("warning")).toBe(true);
    expect("error" in parseLevelsOption("ok=50%")).toBe(true);
  });

  it("reads stack outputs, including the AccountSecrets JSON", () => {
    const out = parseStackOutputs("CoinmGuard", [
      { OutputKey: "SnapshotTableName", OutputValue: "tbl" },
      { OutputKey: "ScheduleExpression", OutputValue: "rate(1 minute)" },
      { OutputKey: "AccountSecrets", OutputValue: '{"main":"arn:aws:secretsmanager:eu-west-1:1:secret:m","x":""}' },
      { OutputKey: "AlertLevels", OutputValue: '[{"name":"critical","ratio":0.8},{"name":"warning","ratio":0.5}]' },
    ]);
    expect(out).toEqual({
      stackName: "CoinmGuard",
      snapshotTableName: "tbl",
      scheduleExpression: "rate(1 minute)",
      accountSecrets: { main: "arn:aws:secretsmanager:eu-west-1:1:secret:m" },
      alertLevels: [
        { name: "warning", ratio: 0.5 },
        { name: "critical", ratio: 0.8 },
      ],
    });
    // An invalid AlertLevels output is ignored: charts fall back to the defaults.
    expect(parseStackOutputs("S", [{ OutputKey: "AlertLevels", OutputValue: "[]" }])).toEqual({ stackName: "S" });
    expect(parseAccountSecrets("not json")).toBeUndefined();
    expect(parseAccountSecrets("[1]")).toBeUndefined();
  });

  it("shows progress only on a TTY, throttled, and clears it", () => {
    let t = 0;
    const piped = new CaptureStream();
    const p1 = createProgress(piped, "reading", { now: () => t });
    t = 5000;
    p1.update(10);
    p1.done();
    expect(piped.chunks).toEqual([]);
    const tty = new CaptureStream({ isTTY: true });
    t = 0;
    const p2 = createProgress(tty, "reading", { now: () => t, intervalMs: 250, delayMs: 400 });
    t = 100;
    p2.update(1); // too early: short reads never flash a progress line
    t = 500;
    p2.update(2000, "2026-10-01T12:00:00.000Z");
    t = 600;
    p2.update(3000); // throttled
    t = 800;
    p2.update(4000);
    p2.done();
    const out = tty.chunks.join("");
    expect(tty.chunks).toHaveLength(3);
    expect(out).toContain("reading: 2,000 (at 2026-10-01 12:00)");
    expect(out).toContain("reading: 4,000");
    expect(out.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("parses put-secret input without ever quoting it in errors", () => {
    const key = "A".repeat(64);
    expect(parseSecretInput(`${key}\nsecretvalue\n`)).toEqual({ apiKey: key, apiSecret: "secretvalue" });
    expect(parseSecretInput(JSON.stringify({ apiKey: key, apiSecret: "s" }))).toEqual({ apiKey: key, apiSecret: "s" });
    const pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----";
    expect(parseSecretInput(`${key}\r\n${pem}\r\n`)).toEqual({ apiKey: key, privateKey: `${pem}\n` });
    for (const bad of ['{"apiKey": "SECRETISH', `${key}\nsecretA\nsecretB`, "   "]) {
      try {
        parseSecretInput(bad);
        expect.unreachable();
      } catch (err) {
        expect((err as Error).message).not.toMatch(/SECRETISH|secretA|secretB/);
      }
    }
  });
});

describe("status report", () => {
  const state = (overrides: Partial<AccountState>): AccountState => ({
    version: 3,
    pools: {},
    health: { consecutiveFailures: 0, alerted: false },
    outbox: {},
    ...overrides,
  });

  it("flags snapshots older than three intervals as STALE and lists open alerts", () => {
    const now = new Date("2026-10-04T00:00:00Z");
    const fresh = makeSnapshot("fresh", new Date("2026-10-03T23:59:00Z"), 700);
    const report = buildStatusReport(
      [
        {
          account: "fresh",
          snapshot: fresh,
          state: state({
            pools: {
              BTC: { level: "warning", lastNotifiedAt: Date.parse("2026-10-03T23:40:00Z") },
              ETH: { level: "ok", lastNotifiedAt: 0 },
              "BTCUSD_261225#LONG": { level: "critical", lastNotifiedAt: Date.parse("2026-10-03T23:50:00Z") },
            },
          }),
        },
        {
          account: "old",
          snapshot: makeSnapshot("old", new Date("2026-10-03T23:56:30Z"), 10, ["BTC"], { legacy: true }),
          state: state({ health: { consecutiveFailures: 4, alerted: true, lastErrorKind: "binance-unavailable" } }),
        },
        { account: "none" },
      ],
      { now, intervalMs: 60_000, intervalSource: "--interval" },
    );
    expect(report.accounts.map((a) => a.stale)).toEqual([false, true, true]);
    const text = formatStatus(report);
    const lines = text.split("\n");
    expect(lines.filter((l) => l.startsWith("fresh")).every((l) => !l.includes("STALE"))).toBe(true);
    expect(lines.filter((l) => l.startsWith("old")).every((l) => l.endsWith("STALE"))).toBe(true);
    expect(lines.find((l) => l.startsWith("none"))).toMatch(/no data\s+STALE$/);
    expect(text).toContain("Schedule: every 1m (--interval); a snapshot older than 3m is STALE.");
    expect(text).toContain("fresh  BTC cross held at WARNING (last notified 2026-10-03 23:40:00 UTC)");
    expect(text).toContain("fresh  BTCUSD_261225 long isolated held at CRITICAL");
    // One row per pool with ratio, distance and level; a snapshot from before pools shows its assets.
    expect(lines[0]).toMatch(/^ACCOUNT\s+POOL\s+RATIO\s+DISTANCE\s+LEVEL\s+HELD\s+SNAPSHOT AGE$/);
    const isolated = fresh.pools.find((p) => p.kind === "isolated");
    const row = lines.find((l) => l.includes("long isolated")) ?? "";
    expect(row.split(/\s{2,}/)).toEqual([
      "fresh",
      "BTCUSD_261225 long isolated",
      formatPercent(isolated?.ratio ?? 0, 2),
      formatPercent(isolated?.distance ?? 0, 2),
      isolated?.level,
      "critical",
      "1m 00s",
    ]);
    expect(lines.filter((l) => l.startsWith("fresh"))).toHaveLength(4);
    expect(lines.filter((l) => l.startsWith("old"))).toEqual([
      expect.stringMatching(/^old\s+BTC \(asset\)\s+\d+\.\d\d%\s+-\s+/),
    ]);
    expect(report.accounts[0]?.pools.find((p) => p.kind === "isolated")).toEqual({
      id: "BTCUSD_261225#LONG",
      kind: "isolated",
      label: "BTCUSD_261225 long isolated",
      ratio: isolated?.ratio,
      distance: isolated?.distance,
      level: isolated?.level,
      held: "critical",
    });
    expect(text).toMatch(/old\s+CANNOT READ ACCOUNT: 4 failed cycles in a row \(binance-unavailable\); alert sent/);
    expect(text).not.toContain("ETH held");
  });

  it("shows a USD-M outage on its own, and a held USD-M pool by its label (issue 19)", () => {
    const now = new Date("2026-10-04T00:00:00Z");
    const report = buildStatusReport(
      [
        {
          account: "hedger",
          snapshot: makeSnapshot("hedger", new Date("2026-10-03T23:59:00Z"), 700),
          state: state({
            pools: { "usdm:USDT": { level: "critical", lastNotifiedAt: 0, label: "USDT cross (USD-M)" } },
            usdm: {
              holds: true,
              lastReadAt: Date.parse("2026-10-03T23:55:00Z"),
              health: { consecutiveFailures: 3, alerted: true, lastErrorKind: "binance-unavailable" },
            },
          }),
        },
      ],
      { now, intervalMs: 60_000, intervalSource: "--interval" },
    );
    const text = formatStatus(report);
    expect(text).toContain("hedger  USDT cross (USD-M) held at CRITICAL");
    expect(text).toMatch(
      /hedger\s+CANNOT READ USD-M: 3 failed reads in a row \(binance-unavailable\); alert sent, USD-M margin NOT monitored \(COIN-M is\)/,
    );
    expect(text).not.toContain("CANNOT READ ACCOUNT");
  });
});
