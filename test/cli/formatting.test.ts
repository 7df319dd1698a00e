/** The pure pieces of the CLI: time parsing, formatters, downsampling, charts, PNG, status. */
import { inflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSecretInput } from "../../bin/commands/put-secret.js";
import { createProgress } from "../../bin/output.js";
import { parseAccountSecrets, parseStackOutputs } from "../../lib/aws/stack-outputs.js";
import { DEFAULT_ALERT_LEVELS } from "../../lib/config.js";
import { renderTerminalChart } from "../../lib/history/chart-terminal.js";
import { CSV_COLUMNS, csvField, csvHeader, csvRows } from "../../lib/history/csv.js";
import { Downsampler, toColumns } from "../../lib/history/downsample.js";
import { JsonArrayFormatter } from "../../lib/history/json.js";
import { parseLevelsOption } from "../../lib/history/levels.js";
import { buildPlot, niceYMax, timeTicks } from "../../lib/history/plot.js";
import { renderPlotHtml } from "../../lib/history/plot-html.js";
import { renderPlotPng } from "../../lib/history/plot-png.js";
import { encodePng, PNG_SIGNATURE, Raster } from "../../lib/history/png.js";
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
import { TableFormatter } from "../../lib/history/table.js";
import type { AccountState } from "../../lib/ports.js";
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
    expect(csvHeader()).toBe(`${CSV_COLUMNS.join(",")}\n`);
    expect(CSV_COLUMNS.slice(0, 5)).toEqual(["takenAt", "account", "asset", "marginRatio", "level"]);
    const s = makeSnapshot("main", NOW, 700);
    const rows = csvRows(s).trimEnd().split("\n");
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
    const row = csvRows(withNull, new Set(["BTC"]))
      .trimEnd()
      .split(",");
    expect(row[2]).toBe("BTC");
    expect(row[3]).toBe("");
    expect(row[4]).toBe("critical");
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField("plain")).toBe("plain");
  });
});

describe("JSON", () => {
  it("streams a parseable array with the documented fields, empty or not", () => {
    const empty = new JsonArrayFormatter();
    expect(JSON.parse(empty.open() + empty.close())).toEqual([]);
    const f = new JsonArrayFormatter();
    const snaps = [...series("main", NOW, 3)];
    const text = f.open() + snaps.map((s) => f.item(s, new Set(["ETH"]))).join("") + f.close();
    const parsed = JSON.parse(text) as {
      account: string;
      takenAt: string;
      assets: { asset: string; raw: Record<string, string> }[];
    }[];
    expect(parsed).toHaveLength(3);
    expect(parsed[1]?.takenAt).toBe("2026-10-04T00:01:00.000Z");
    expect(parsed[0]?.assets.map((a) => a.asset)).toEqual(["ETH"]);
    expect(parsed[0]?.assets[0]?.raw.walletBalance).toBe("12.00000000");
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
  it("aligns columns: ratio right-aligned as a percentage, then level", () => {
    const snaps = [...series("main", NOW, 4)];
    const t = new TableFormatter(snaps);
    const lines = (t.header() + snaps.map((s) => t.rows(s)).join("")).trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^TAKEN AT \(UTC\)\s+ASSET\s+RATIO\s+LEVEL\s+MAINT MARGIN\s+MARGIN BALANCE\s+WALLET BALANCE$/,
    );
    expect(lines).toHaveLength(1 + 4 * 3);
    const ratioEnd = (lines[0] ?? "").indexOf("RATIO") + "RATIO".length;
    for (const line of lines.slice(1)) {
      expect(line.slice(0, ratioEnd)).toMatch(/\d+\.\d\d%$/);
      expect(line.startsWith("2026-10-04 00:0")).toBe(true);
    }
  });

  it("shows milliseconds only when snapshots are less than a second apart, and colours levels on request", () => {
    const s = { ...makeSnapshot("demo", NOW, 800), takenAt: "2026-10-04T00:00:01.250Z" };
    expect(new TableFormatter([s]).rows(s)).toContain("2026-10-04 00:00:01.250");
    const whole = makeSnapshot("main", NOW, 800);
    expect(new TableFormatter([whole]).rows(whole)).not.toMatch(/00:00:00\.\d/);
    const critical = { ...whole, assets: whole.assets.map((a) => ({ ...a, level: "critical" })) };
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

function plotOf(count: number, stepMs = 60_000) {
  const ds = new Downsampler(512);
  for (const s of series("main", new Date("2026-10-01T00:00:00Z"), count, stepMs)) {
    for (const a of s.assets) ds.add(a.asset, Date.parse(s.takenAt), a.marginRatio);
  }
  const model = buildPlot(ds, { account: "main", levels: DEFAULT_ALERT_LEVELS });
  if (!model) throw new Error("no plot");
  return model;
}

describe("charts", () => {
  it("scales the y axis above the data and the levels, with round time ticks", () => {
    expect(niceYMax(0.3, DEFAULT_ALERT_LEVELS)).toBe(0.9);
    expect(niceYMax(0.95, DEFAULT_ALERT_LEVELS)).toBe(1);
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

  it("draws the ratio per asset in the terminal with the alert levels as labelled lines", () => {
    const model = plotOf(4320);
    expect(model.series.map((s) => s.name)).toEqual(["BTC", "ETH"]);
    expect(model.idle).toEqual(["BNB"]);
    const text = renderTerminalChart(model, { width: 100, height: 16 });
    const lines = text.split("\n");
    expect(lines[0]).toBe("Margin ratio, account main: 2026-10-01 00:00:00 → 2026-10-03 23:59:00 UTC");
    expect(text).toContain("(no margin held: BNB)");
    const critical = lines.find((l) => l.endsWith("critical 80%")) ?? "";
    const warning = lines.find((l) => l.endsWith("warning 50%")) ?? "";
    expect(critical).toContain("┄");
    expect(warning).toContain("┄");
    expect(lines.indexOf(critical)).toBeLessThan(lines.indexOf(warning));
    expect(text).toContain("●");
    expect(text).toContain("◆");
    expect(lines.some((l) => /^\s+0% ┤/.test(l))).toBe(true);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(100);
    expect(text).toMatch(/BTC: max \d+\.\d\d%, last \d+\.\d\d% \(4320 snapshots/);
  });

  it("writes a PNG with a valid signature, IHDR and image data", () => {
    const png = renderPlotPng(plotOf(600), { width: 640, height: 320 });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.toString("latin1", 12, 16)).toBe("IHDR");
    expect(png.readUInt32BE(16)).toBe(640);
    expect(png.readUInt32BE(20)).toBe(320);
    const idatAt = png.indexOf("IDAT");
    const length = png.readUInt32BE(idatAt - 4);
    const raw = inflateSync(png.subarray(idatAt + 4, idatAt + 4 + length));
    expect(raw.length).toBe((640 * 3 + 1) * 320);
    expect(png.subarray(-8, -4).toString("latin1")).toBe("IEND");
  });

  it("encodes pixels exactly (Sub filter round trip)", () => {
    const r = new Raster(3, 2, [10, 20, 30]);
    r.plot(1, 0, [200, 100, 0]);
    const png = encodePng(r);
    const idatAt = png.indexOf("IDAT");
    const raw = inflateSync(png.subarray(idatAt + 4, idatAt + 4 + png.readUInt32BE(idatAt - 4)));
    // Undo the Sub filter on row 0.
    const row = raw.subarray(1, 10);
    expect(raw[0]).toBe(1);
    const px = Array.from(row);
    for (let i = 3; i < px.length; i++) px[i] = ((px[i] ?? 0) + (px[i - 3] ?? 0)) & 0xff;
    expect(px).toEqual([10, 20, 30, 200, 100, 0, 10, 20, 30]);
  });

  it("writes a self-contained HTML page with an inline SVG: a line per asset, level lines, labelled axes", () => {
    const html = renderPlotHtml(plotOf(600));
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html.match(/<polyline class="series"/g)).toHaveLength(2);
    expect(html).toContain('data-asset="BTC"');
    expect(html.match(/<line class="level"/g)).toHaveLength(2);
    expect(html).toContain("warning 50%");
    expect(html).toContain("critical 80%");
    expect(html).toContain("Time (UTC)");
    expect(html).toContain("Margin ratio (maintenance margin / margin balance)");
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
    const old = makeSnapshot("old", new Date("2026-10-03T23:56:30Z"), 10);
    const report = buildStatusReport(
      [
        {
          account: "fresh",
          snapshot: fresh,
          state: state({
            pools: {
              BTC: { level: "warning", lastNotifiedAt: Date.parse("2026-10-03T23:40:00Z") },
              ETH: { level: "ok", lastNotifiedAt: 0 },
            },
          }),
        },
        {
          account: "old",
          snapshot: old,
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
    expect(text).toContain("fresh  BTC held at WARNING (last notified 2026-10-03 23:40:00 UTC)");
    expect(text).toMatch(/old\s+CANNOT READ ACCOUNT: 4 failed cycles in a row \(binance-unavailable\); alert sent/);
    expect(text).not.toContain("ETH held");
  });
});
