/**
 * Margin-pool alerts end to end (issue 9): `run-once` as a child process, as a user runs it,
 * against the loopback exchange's margin engine (signed `/account` and `/positionRisk`), dynalite
 * and the SNS stand-in. The engine computes both bodies from positions, wallets and marks, so the
 * tests move prices (`engine.setMark`), never response fields.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SMS_MAX, SUBJECT_MAX } from "../../lib/alerts/messages.js";
import { buildEngineAccount } from "../../sim/engine/coinm/account.js";
import { BTC_QUARTERLY } from "../../sim/engine/coinm/contract.js";
import { MarginEngine } from "../../sim/engine/coinm/engine.js";
import { hedgeSplitExample, isolatedNearLiquidationExample } from "../../sim/engine/coinm/examples.js";
import { type Harness, hmacKey, publishedAlerts, startHarness, type TestKey, TOPIC_ARN } from "../support/harness.js";

const run = promisify(execFile);
const hedged = hmacKey("hedged");
const isolated = hmacKey("main");
const safe = hmacKey("safe");

/** Cross and isolated positions on two coins, all far from liquidation and from every ratio level. */
const safeMixed = buildEngineAccount({
  crossWallets: { BTC: "1", ETH: "20" },
  positions: [
    { symbol: "BTCUSD_PERP", positionAmt: 1200, entryPrice: 60_000 },
    { symbol: BTC_QUARTERLY, positionAmt: -300, entryPrice: 61_000, isolatedWallet: "0.2" },
    { symbol: "ETHUSD_PERP", positionAmt: 500, entryPrice: 3_000, isolatedWallet: "1.5" },
  ],
  marks: { BTCUSD_PERP: 61_000, [BTC_QUARTERLY]: 61_500, ETHUSD_PERP: 2_950 },
});

const engine = new MarginEngine([
  [hedged.exchangeKey.apiKey, hedgeSplitExample(66_000)],
  [isolated.exchangeKey.apiKey, isolatedNearLiquidationExample(57_000)],
  [safe.exchangeKey.apiKey, safeMixed],
]);
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ keys: [hedged, isolated, safe], account: undefined, exchange: { engine } });
});
afterAll(() => h.stop());
beforeEach(() => {
  h.aws.published.length = 0;
});

/** `npm run guard -- run-once` for one account: a child process with only environment variables. */
async function runOnce(key: TestKey, cycleTime: string): Promise<{ code: number; summary: Record<string, unknown> }> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "loopback",
    AWS_SECRET_ACCESS_KEY: "loopback",
    AWS_ENDPOINT_URL: h.aws.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: h.dynamoEndpoint,
    SNAPSHOT_TABLE: h.tableName,
    ALERT_TOPIC_ARN: TOPIC_ARN,
    ACCOUNTS: JSON.stringify([{ name: key.name, secretId: key.secretId }]),
    BINANCE_BASE_URL: h.baseUrl,
    BINANCE_USDM_BASE_URL: h.baseUrl,
    BINANCE_STREAM_URL: h.stream.endpoint,
    BINANCE_PM_BASE_URL: h.baseUrl,
  };
  let stdout: string;
  let code = 0;
  try {
    ({ stdout } = await run(
      process.execPath,
      ["--import", "tsx", "bin/cli.ts", "run-once", "--cycle-time", cycleTime],
      {
        env,
      },
    ));
  } catch (err) {
    const e = err as { code: number; stdout: string };
    code = e.code;
    stdout = e.stdout;
  }
  return { code, summary: JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown> };
}

/** What SNS received: the subject and the per-protocol texts a person reads. */
function received(): Array<{ subject: string; sms: string; email: string }> {
  return h.aws.published.map((p) => {
    const message = JSON.parse(p.message) as { sms: string; email: string };
    return { subject: p.subject ?? "", sms: message.sms, email: message.email };
  });
}

/** SMS stays one GSM-7 segment: printable ASCII is in the GSM basic set except a few characters. */
function expectOneSmsSegment(sms: string) {
  expect(sms.length).toBeLessThanOrEqual(SMS_MAX);
  expect(sms).toMatch(/^[\x20-\x7e]+$/);
  expect(sms).not.toMatch(/[`[\]{}\\^|~]/); // GSM extension characters count twice
}

describe("run-once against the margin engine: alerts per margin pool", () => {
  it("the hedge split raises exactly one critical alert, for the BTC cross pool, with its numbers", async () => {
    const out = await runOnce(hedged, "2026-11-24T12:00:00Z");
    expect(out.code).toBe(0);
    expect(out.summary).toMatchObject({ message: "cycle complete", ok: 1, failed: 0, alertsSent: 1 });
    const alerts = publishedAlerts(h.aws);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: "margin",
      account: "hedged",
      pool: "BTC",
      poolLabel: "BTC cross",
      poolKind: "cross",
      notice: "escalated",
      level: "critical",
      previousLevel: "ok",
      ratioLevel: "critical",
      distanceLevel: "critical",
      requirement: "0.00454545",
      collateral: "0.00509091",
      nearest: {
        symbol: "BTCUSD_PERP",
        side: "short",
        markPrice: "66000.00000000",
        liquidationPrice: "66039.82300885",
      },
      // Enough for both measures: under 50% and the short's liquidation price 10% away (the ratio
      // alone would need 0.004 BTC and leave it ~0.5% from liquidation).
      marginToAdd: "0.08168678",
      target: { level: "warning", ratio: 0.5, distance: 0.1 },
    });
    expect(alerts[0]?.ratio).toBeCloseTo(0.893, 3);
    expect(alerts[0]?.distance).toBeCloseTo(0.0006, 4);

    const [text] = received();
    expect(text?.subject).toBe("coinm-guard: hedged BTC cross rose to CRITICAL (was ok), ratio 89.3%, 0.06% to liq");
    expect(text?.sms).toBe(
      "coinm-guard hedged BTC cross: rose to CRITICAL (was ok). Ratio 89.3%, liq 66039.8 mark 66000 (0.06%). Add 0.08168678 BTC",
    );
    expect(text?.email).toBe(
      [
        "Account: hedged",
        "Margin pool: BTC cross (all cross positions margined in BTC)",
        "Level: rose to CRITICAL (was ok), driven by ratio and distance to liquidation",
        "Margin ratio: 89.3% = requirement 0.00454545 / collateral 0.00509091 BTC (ratio alone: critical)",
        "Distance to liquidation: 0.06% = |mark 66000.00000000 - liquidation 66039.82300885| / mark, BTCUSD_PERP short (distance alone: critical)",
        "To get under warning (ratio below 50%, liquidation at least 10% away): add at least 0.08168678 BTC to the cross wallet (or reduce the position).",
        "At: 2026-11-24T12:00:00.000Z",
        "Binance liquidates a pool when its ratio reaches 100% (the mark reaches the liquidation price).",
      ].join("\n"),
    );
    expectOneSmsSegment(text?.sms ?? "");
    expect(text?.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);

    // The snapshot keeps both pools and both positions with Binance's raw strings.
    const snap = await h.store.latestSnapshot("hedged");
    expect(snap?.pools.map((p) => `${p.id} ${p.level}`)).toEqual(["BTC critical", `${BTC_QUARTERLY}#LONG ok`]);
    expect(snap?.positions).toHaveLength(2);
  });

  it("the isolated long near liquidation raises exactly one critical alert, for its own pool", async () => {
    const out = await runOnce(isolated, "2026-11-24T12:00:00Z");
    expect(out.code).toBe(0);
    expect(out.summary).toMatchObject({ ok: 1, failed: 0, alertsSent: 1 });
    const alerts = publishedAlerts(h.aws);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      account: "main",
      pool: "BTCUSD_PERP#BOTH",
      poolLabel: "BTCUSD_PERP long isolated",
      poolKind: "isolated",
      notice: "escalated",
      level: "critical",
      previousLevel: "ok",
      requirement: "0.02631579",
      collateral: "0.02924211",
      nearest: { symbol: "BTCUSD_PERP", side: "long", markPrice: "57000.00000000", liquidationPrice: "56968.48310785" },
    });
    expect(alerts[0]?.ratio).toBeCloseTo(0.9, 3);

    const [text] = received();
    expect(text?.subject).toBe(
      "coinm-guard: main BTCUSD_PERP long isolated rose to CRITICAL (was ok), ratio 90.0%, 0.06% to liq",
    );
    expect(text?.sms).toBe(
      "coinm-guard main BTCUSD_PERP long isolated: rose to CRITICAL (was ok). Ratio 90.0%, liq 56968.4 mark 57000 (0.06%). Add 0.58479384 BTC",
    );
    expect(text?.email).toBe(
      [
        "Account: main",
        "Margin pool: BTCUSD_PERP long isolated",
        "Level: rose to CRITICAL (was ok), driven by ratio and distance to liquidation",
        "Margin ratio: 90.0% = requirement 0.02631579 / collateral 0.02924211 BTC (ratio alone: critical)",
        "Distance to liquidation: 0.06% = |mark 57000.00000000 - liquidation 56968.48310785| / mark, BTCUSD_PERP long (distance alone: critical)",
        "To get under warning (ratio below 50%, liquidation at least 10% away): add at least 0.58479384 BTC of margin to this isolated position (or reduce the position).",
        "At: 2026-11-24T12:00:00.000Z",
        "Binance liquidates a pool when its ratio reaches 100% (the mark reaches the liquidation price).",
      ].join("\n"),
    );
    expectOneSmsSegment(text?.sms ?? "");
    expect(text?.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
  });

  it("a safe mixed account (cross and isolated, two coins) raises none, cycle after cycle", async () => {
    for (const minute of ["12:00", "12:01"]) {
      const out = await runOnce(safe, `2026-11-24T${minute}:00Z`);
      expect(out.code).toBe(0);
      expect(out.summary).toMatchObject({ ok: 1, failed: 0, alertsSent: 0 });
    }
    expect(h.aws.published).toEqual([]);
    const snap = await h.store.latestSnapshot("safe");
    expect(snap?.pools.map((p) => `${p.id} ${p.level}`)).toEqual([
      "BTC ok",
      `${BTC_QUARTERLY}#BOTH ok`,
      "ETH ok",
      "ETHUSD_PERP#BOTH ok",
    ]);
    expect(snap?.positions).toHaveLength(3);
  });

  it("moving the price away from liquidation sends one recovery notice per pool, then nothing", async () => {
    // The isolated long: BTC back up to 66,000, 13.7% above its liquidation price.
    engine.setMark("BTCUSD_PERP", 66_000);
    expect((await runOnce(isolated, "2026-11-24T12:05:00Z")).summary).toMatchObject({ ok: 1, alertsSent: 1 });
    expect(publishedAlerts(h.aws)).toMatchObject([
      { account: "main", pool: "BTCUSD_PERP#BOTH", notice: "recovered", level: "ok", previousLevel: "critical" },
    ]);
    expect(received()[0]?.sms).toMatch(
      /^coinm-guard main BTCUSD_PERP long isolated: recovered to OK \(was critical\)\. Ratio \d\.\d%, liq 56968\.4 mark 66000 \(13\.68%\)\.$/,
    );
    expect((await runOnce(isolated, "2026-11-24T12:06:00Z")).summary).toMatchObject({ ok: 1, alertsSent: 0 });
    expect(h.aws.published).toHaveLength(1);

    // The hedge split: BTC back down to 58,000, its short 13.9% below its liquidation price.
    h.aws.published.length = 0;
    engine.setMark("BTCUSD_PERP", 58_000);
    engine.setMark(BTC_QUARTERLY, 58_000);
    expect((await runOnce(hedged, "2026-11-24T12:05:00Z")).summary).toMatchObject({ ok: 1, alertsSent: 1 });
    expect(publishedAlerts(h.aws)).toMatchObject([
      { account: "hedged", pool: "BTC", notice: "recovered", level: "ok", previousLevel: "critical" },
    ]);
    const recovered = publishedAlerts(h.aws)[0];
    expect(recovered).not.toHaveProperty("marginToAdd");
  });
});
