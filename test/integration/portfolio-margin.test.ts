import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { PortfolioEngine, portfolioAccountAt } from "../../sim/engine/portfolio/engine.js";
import { type Harness, hmacKey, minute, startHarness, TOPIC_ARN } from "../support/harness.js";

const run = promisify(execFile);
const pm = hmacKey("pm");
const classic = hmacKey("classic");
/** In Secrets Manager but unknown to Binance: -2015 on every API, papi included. */
const invalid = hmacKey("invalid");
const pmApiKey = (pm.exchangeKey as { apiKey: string }).apiKey;
const engine = new PortfolioEngine([[pmApiKey, portfolioAccountAt(1.35)]]);
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    keys: [pm, classic],
    account: () => accountBody([btcAtRatio(0.3)]),
    exchange: { portfolio: engine },
  });
  h.aws.putSecret(invalid.secretId, invalid.secretValue);
});
afterAll(() => h.stop());

const ACCOUNTS = [
  { name: "pm", secretId: pm.secretId },
  { name: "classic", secretId: classic.secretId },
  { name: "invalid", secretId: invalid.secretId },
];

/** `npm run guard -- run-once` as a user runs it: a child process with only environment variables. */
async function runOnce(cycleTime: string): Promise<{ code: number; stdout: string }> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
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
    // No "margin" anywhere: the PM account is recognised from Binance's answers.
    ACCOUNTS: JSON.stringify(ACCOUNTS),
    BINANCE_BASE_URL: h.baseUrl,
    BINANCE_SPOT_BASE_URL: h.baseUrl,
    BINANCE_USDM_BASE_URL: h.baseUrl,
    BINANCE_PM_BASE_URL: h.baseUrl,
  };
  try {
    const out = await run(process.execPath, ["--import", "tsx", "bin/cli.ts", "run-once", "--cycle-time", cycleTime], {
      env,
    });
    return { code: 0, stdout: out.stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

/** What SNS received since `from`: each alert's account and change, and its three texts. */
function sent(from: number) {
  return h.aws.published.slice(from).map((p) => {
    const bodies = JSON.parse(p.message) as { default: string; email: string; sms: string };
    const alert = JSON.parse(bodies.default) as Record<string, unknown>;
    return { alert, subject: p.subject ?? "", email: bodies.email, sms: bodies.sms };
  });
}

describe("a Portfolio Margin account through run-once", () => {
  it("135%: one warning; 115% REDUCE_ONLY: one critical; 250%: one recovery; never cannot-read", async () => {
    const first = await runOnce("2026-12-03T10:00:00Z");
    // The invalid key fails its cycle: run-once says so with its exit code.
    expect(first.code).toBe(1);
    const one = sent(0);
    // Accounts are read and published concurrently: which of the two alerts SNS got first is not a contract.
    expect(
      one.map((a) => `${a.alert.account} ${a.alert.type} ${a.alert.notice} ${a.alert.level ?? ""}`).sort(),
    ).toEqual(["invalid health unreachable ", "pm margin escalated warning"]);
    const warning = one.find((a) => a.alert.account === "pm");
    expect(warning?.subject).toBe("coinm-guard: pm portfolio margin rose to WARNING (was ok), uniMMR 135.0%");
    expect(warning?.email).toContain("uniMMR: 135.0% = equity 6682.50000000 USD / maintenance 4950.00000000 USD");
    expect(warning?.email).toContain("Account status: MARGIN_CALL (status alone: warning)");
    expect(warning?.email).toContain("add at least 742.51 USD of equity");
    expect(warning?.sms.length).toBeLessThanOrEqual(140);
    expect(warning?.sms).toContain("uniMMR 135.0% MARGIN_CALL");
    // Today's cannot-read alert, with today's hint, for a key Binance really refuses.
    const cannot = one.find((a) => a.alert.account === "invalid");
    expect(cannot?.subject).toBe("coinm-guard: CANNOT READ account invalid");
    expect(cannot?.alert).toMatchObject({ errorKind: "binance-auth" });
    expect(cannot?.email).toContain("deleted");

    engine.set(pmApiKey, portfolioAccountAt(1.15));
    await runOnce("2026-12-03T10:01:00Z");
    const two = sent(one.length);
    expect(two.map((a) => `${a.alert.account} ${a.alert.notice} ${a.alert.level}`)).toEqual(["pm escalated critical"]);
    expect(two[0]?.email).toContain("Account status: REDUCE_ONLY (status alone: critical)");
    expect(two[0]?.sms.length).toBeLessThanOrEqual(140);

    engine.set(pmApiKey, portfolioAccountAt(2.5));
    await runOnce("2026-12-03T10:02:00Z");
    const three = sent(one.length + two.length);
    expect(three.map((a) => `${a.alert.account} ${a.alert.notice} ${a.alert.level}`)).toEqual(["pm recovered ok"]);
    expect(three[0]?.sms.length).toBeLessThanOrEqual(140);

    // Never a cannot-read alert for the PM account, nothing at all for the classic one.
    const all = sent(0);
    expect(all.filter((a) => a.alert.account === "pm" && a.alert.type !== "margin")).toEqual([]);
    expect(all.filter((a) => a.alert.account === "classic")).toEqual([]);
    // The classic account beside it is read and judged as before.
    expect(await h.store.latestSnapshot("classic")).toMatchObject({
      takenAt: "2026-12-03T10:02:00.000Z",
      assets: [{ asset: "BTC", marginRatio: 0.3, level: "ok" }],
    });
    // The PM snapshot keeps Binance's raw figures and every open position, COIN-M and USD-M.
    const snapshot = await h.store.latestSnapshot("pm");
    expect(snapshot?.pools).toEqual([
      expect.objectContaining({
        id: "portfolio",
        kind: "portfolio",
        level: "ok",
        portfolio: expect.objectContaining({
          uniMMR: "2.50000000",
          accountEquity: "12375.00000000",
          accountMaintMargin: "4950.00000000",
          accountStatus: "NORMAL",
        }),
      }),
    ]);
    expect(snapshot?.positions.map((p) => `${p.symbol} ${p.positionAmt}`)).toEqual([
      "BTCUSD_PERP -5000",
      "BTCUSDT -4.900",
    ]);
    // Remembered in the account's state (each run-once is a cold container, which asks again).
    expect((await h.store.loadState("pm")).margin).toEqual({
      mode: "portfolio",
      checkedAt: "2026-12-03T10:02:00.000Z",
    });
    // The texts a person gets, exactly (SMS within 140 GSM characters).
    expect(all.filter((a) => a.alert.account === "pm").map((a) => a.sms)).toEqual([
      "coinm-guard pm portfolio margin: rose to WARNING (was ok). uniMMR 135.0% MARGIN_CALL, eq 6682.5 mm 4950 USD. Add 742.51 USD",
      "coinm-guard pm portfolio margin: rose to CRITICAL (was warning). uniMMR 115.0% REDUCE_ONLY, eq 5692.5 mm 4950 USD. Add 1732.6 USD",
      "coinm-guard pm portfolio margin: recovered to OK (was critical). uniMMR 250.0% NORMAL, eq 12375 mm 4950 USD.",
    ]);
  }, 60_000);

  it("a warm monitor remembers the account is PM: papi directly, no more refused classic calls", async () => {
    engine.set(pmApiKey, portfolioAccountAt(3));
    const monitor = h.monitor({ ACCOUNTS: JSON.stringify([{ name: "pm", secretId: pm.secretId }]) });
    const refused = () =>
      h.exchange.requests.filter((r) => r.apiKey === pmApiKey && r.path === "/dapi/v1/account" && r.status === 401)
        .length;
    const papi = () => h.exchange.callCount(pmApiKey, "/papi/v1/account");
    const counts: Array<[number, number]> = [];
    for (let n = 10; n < 13; n++) {
      const [r, p] = [refused(), papi()];
      const summary = await h.cycle(minute(n, Date.parse("2026-12-03T10:00:00Z")), monitor);
      expect(summary).toMatchObject({ ok: 1, failed: 0, alertsSent: 0 });
      counts.push([refused() - r, papi() - p]);
    }
    // The first cycle of a container asks dapi once (-2015), then papi; later cycles papi only.
    expect(counts).toEqual([
      [1, 1],
      [0, 1],
      [0, 1],
    ]);
  });

  it('"margin": "portfolio" skips the probe', async () => {
    const before = h.exchange.requests.filter((r) => r.apiKey === pmApiKey && r.path.startsWith("/dapi/")).length;
    const monitor = h.monitor({
      ACCOUNTS: JSON.stringify([{ name: "pm", secretId: pm.secretId, margin: "portfolio" }]),
    });
    const summary = await h.cycle(new Date("2026-12-03T11:00:00Z"), monitor);
    expect(summary).toMatchObject({ ok: 1 });
    expect(h.exchange.requests.filter((r) => r.apiKey === pmApiKey && r.path.startsWith("/dapi/")).length).toBe(before);
  });
});
