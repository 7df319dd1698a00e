/**
 * USD-M beside COIN-M end to end (issue 19): `run-once` as a child process, as a user runs it,
 * against the loopback exchange (COIN-M from the inverse engine, USD-M from the linear one, both
 * signed and weighed), dynalite and the SNS stand-in.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SMS_MAX } from "../../lib/alerts/messages.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { usdtCrossAtRatio } from "../../sim/engine/usdm/bodies.js";
import { UsdmEngine } from "../../sim/engine/usdm/engine.js";
import { type Harness, hmacKey, publishedAlerts, startHarness, type TestKey, TOPIC_ARN } from "../support/harness.js";

const run = promisify(execFile);
const hedger = hmacKey("hedger");
const coinOnly = hmacKey("coinonly");
const outage = hmacKey("outage");
const usdmEngine = new UsdmEngine([
  [hedger.exchangeKey.apiKey, usdtCrossAtRatio(0.88)],
  // 3%: a linear pool needs that little to be 10%+ from liquidation (0.4% maintenance).
  [outage.exchangeKey.apiKey, usdtCrossAtRatio(0.03)],
]);
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    keys: [hedger, coinOnly, outage],
    // COIN-M: a safe BTC cross pool for every key (30%, under every level).
    account: () => accountBody([btcAtRatio(0.3)]),
    exchange: { usdmEngine },
  });
});
afterAll(() => h.stop());
beforeEach(() => {
  h.aws.published.length = 0;
  h.exchange.clearFaults();
});

async function runOnce(key: TestKey, cycleTime: string, extra: Record<string, string> = {}) {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
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
    BINANCE_SPOT_BASE_URL: h.baseUrl,
    ...extra,
  };
  let stdout: string;
  let code = 0;
  try {
    ({ stdout } = await run(
      process.execPath,
      ["--import", "tsx", "bin/cli.ts", "run-once", "--cycle-time", cycleTime],
      { env },
    ));
  } catch (err) {
    const e = err as { code: number; stdout: string };
    code = e.code;
    stdout = e.stdout;
  }
  return { code, summary: JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown> };
}

function received(): Array<{ subject: string; sms: string; email: string }> {
  return h.aws.published.map((p) => {
    const message = JSON.parse(p.message) as { sms: string; email: string };
    return { subject: p.subject ?? "", sms: message.sms, email: message.email };
  });
}

const fapiAccountCalls = (key: TestKey) => h.exchange.callCount(key.exchangeKey.apiKey, "/fapi/v3/account");

describe("run-once with a USD-M book behind the same key", () => {
  it("a USDT cross pool at 88% raises one critical alert naming USDT and USD-M; the safe COIN-M pool raises nothing", async () => {
    const out = await runOnce(hedger, "2026-11-24T12:00:00Z");
    expect(out.code).toBe(0);
    expect(out.summary).toMatchObject({ ok: 1, failed: 0, alertsSent: 1 });
    const alerts = publishedAlerts(h.aws);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: "margin",
      account: "hedger",
      pool: "usdm:USDT",
      poolLabel: "USDT cross (USD-M)",
      product: "usdm",
      asset: "USDT",
      level: "critical",
      notice: "escalated",
      requirement: "240",
    });
    expect(alerts[0]?.ratio).toBeCloseTo(0.88, 6);
    const [text] = received();
    for (const t of [text?.subject, text?.sms, text?.email]) expect(t).toMatch(/USDT cross \(USD-M\)/);
    expect(text?.sms.length).toBeLessThanOrEqual(SMS_MAX);
    expect(text?.email).toMatch(/add at least [\d.]+ USDT to the USD-M USDT wallet/);
    expect(text?.sms).toBe(
      "coinm-guard hedger USDT cross (USD-M): rose to CRITICAL (was ok). Ratio 88.0%, liq 59967.1 mark 60000 (0.05%). Add 5943.3 USDT",
    );

    // The snapshot keeps both books: COIN-M's asset and pool, USD-M's pool and raw position.
    const snapshot = await h.store.latestSnapshot("hedger");
    expect(snapshot?.pools.map((p) => [p.id, p.label, p.level])).toEqual([
      ["BTC", "BTC cross", "ok"],
      ["usdm:USDT", "USDT cross (USD-M)", "critical"],
    ]);
    expect(snapshot?.assets.map((a) => a.asset)).toEqual(["BTC"]);
    expect(snapshot?.positions.find((p) => p.product === "usdm")).toMatchObject({
      symbol: "BTCUSDT",
      positionAmt: "1",
      markPrice: "60000.00000000",
      maintMargin: "240.00000000",
    });

    // The next cycle holds the level: no repeat, and the book is read again (it holds something).
    const before = fapiAccountCalls(hedger);
    h.aws.published.length = 0;
    expect((await runOnce(hedger, "2026-11-24T12:01:00Z")).code).toBe(0);
    expect(publishedAlerts(h.aws)).toEqual([]);
    expect(fapiAccountCalls(hedger)).toBe(before + 1);
  });

  it("an account with nothing on USD-M makes at most one USD-M look a day", async () => {
    const times = ["2026-11-24T12:00:00Z", "2026-11-24T12:01:00Z", "2026-11-24T12:02:00Z", "2026-11-25T11:59:00Z"];
    for (const t of times) expect((await runOnce(coinOnly, t)).code).toBe(0);
    expect(fapiAccountCalls(coinOnly)).toBe(1);
    expect(h.exchange.callCount(coinOnly.exchangeKey.apiKey, "/fapi/v3/positionRisk")).toBe(0);
    expect(h.exchange.callCount(coinOnly.exchangeKey.apiKey, "/fapi/v1/multiAssetsMargin")).toBe(0);
    // A day after the last look: the next one.
    expect((await runOnce(coinOnly, "2026-11-25T12:00:00Z")).code).toBe(0);
    expect(fapiAccountCalls(coinOnly)).toBe(2);
    // Every cycle read COIN-M as before.
    expect(h.exchange.callCount(coinOnly.exchangeKey.apiKey, "/dapi/v1/account")).toBe(5);
    expect(publishedAlerts(h.aws)).toEqual([]);
  });

  it('USDM=off or the account\'s "usdm": false reads no USD-M at all', async () => {
    const before = fapiAccountCalls(coinOnly);
    expect((await runOnce(coinOnly, "2026-11-27T12:00:00Z", { USDM: "off" })).code).toBe(0);
    const accounts = JSON.stringify([{ name: coinOnly.name, secretId: coinOnly.secretId, usdm: false }]);
    expect((await runOnce(coinOnly, "2026-11-28T12:00:00Z", { ACCOUNTS: accounts })).code).toBe(0);
    expect(fapiAccountCalls(coinOnly)).toBe(before);
  });

  it("a USD-M outage leaves COIN-M monitoring untouched and follows the cannot-read policy on its own", async () => {
    // First cycle: both books read, nothing at risk.
    expect((await runOnce(outage, "2026-11-24T12:00:00Z")).code).toBe(0);
    h.exchange.injectFault({ kind: "status", status: 503, body: "" }, { path: "/fapi/v3/account", times: 100 });
    const cycles = ["2026-11-24T12:01:00Z", "2026-11-24T12:02:00Z", "2026-11-24T12:03:00Z", "2026-11-24T12:04:00Z"];
    for (const t of cycles) {
      const out = await runOnce(outage, t);
      // COIN-M read, snapshot written: the account is "ok"; the summary names the USD-M failure.
      expect(out.code).toBe(0);
      expect(out.summary).toMatchObject({
        ok: 1,
        failed: 0,
        problems: [{ account: "outage", status: "ok", usdmError: { kind: "binance-unavailable" } }],
      });
      expect((await h.store.latestSnapshot("outage"))?.takenAt).toBe(new Date(t).toISOString());
    }
    const alerts = publishedAlerts(h.aws);
    // One alert, after FAILURES_BEFORE_ALERT (3) failed USD-M reads: USD-M's, never COIN-M's.
    expect(alerts).toEqual([
      expect.objectContaining({ type: "health", product: "usdm", notice: "unreachable", failures: 3 }),
    ]);
    const [text] = received();
    expect(text?.subject).toBe("coinm-guard: CANNOT READ USD-M of outage");
    expect(text?.email).toMatch(/COIN-M monitoring of this account goes on as before/);
    expect(text?.sms).toBe(
      "coinm-guard outage: CANNOT READ USD-M (binance-unavailable). USD-M not monitored; COIN-M is.",
    );
    // The USD-M pool kept its state through the outage: no recovery notice when it is read again.
    h.exchange.clearFaults();
    h.aws.published.length = 0;
    expect((await runOnce(outage, "2026-11-24T12:05:00Z")).code).toBe(0);
    expect(publishedAlerts(h.aws)).toEqual([
      expect.objectContaining({ type: "health", product: "usdm", notice: "restored" }),
    ]);
    expect((await h.store.latestSnapshot("outage"))?.pools.map((p) => p.id)).toEqual(["BTC", "usdm:USDT"]);
  });
});
