/**
 * Upgrading a running monitor to margin pools (issue 9): alert state and outbox entries written by
 * the per-asset monitor stay in DynamoDB. A cycle of the new code must carry each asset's level
 * over to its cross pool (no spurious alert) and still publish what the old outbox holds.
 */
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { accountKey, STATE_KEY } from "../../lib/aws/dynamodb-store.js";
import { buildEngineAccount } from "../../sim/engine/coinm/account.js";
import { MarginEngine } from "../../sim/engine/coinm/engine.js";
import { type Harness, hmacKey, minute, publishedAlerts, startHarness } from "../support/harness.js";

const legacy = hmacKey("legacy");
const mixed = hmacKey("mixed");
/**
 * BTC cross at 50% (maintMargin / marginBalance, all cross) on a 5% maintenance bracket, so the
 * long is 4.5% from liquidation: warning by ratio and by distance, as the per-asset monitor held it.
 */
const btcAtWarning = (mark = 60_000, isolatedEth = false) =>
  buildEngineAccount({
    crossWallets: { BTC: "1", ETH: "0" },
    positions: [
      { symbol: "BTCUSD_PERP", positionAmt: 6000, entryPrice: 60_000 },
      ...(isolatedEth ? [{ symbol: "ETHUSD_PERP", positionAmt: 100, entryPrice: 3_000, isolatedWallet: "1" }] : []),
    ],
    marks: { BTCUSD_PERP: mark },
    brackets: { BTCUSD_PERP: { maintMarginRatio: 0.05, cum: 0 } },
  });
const engine = new MarginEngine([
  [legacy.exchangeKey.apiKey, btcAtWarning()],
  // The same BTC cross pool plus an isolated ETH position far from liquidation.
  [mixed.exchangeKey.apiKey, btcAtWarning(60_000, true)],
]);
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ keys: [legacy, mixed], account: undefined, exchange: { engine } });
});
afterAll(() => h.stop());
beforeEach(() => {
  h.aws.published.length = 0;
});

/** The state item exactly as the per-asset monitor wrote it (attribute `assets`, per-asset levels). */
async function putOldState(account: string, assets: Record<string, unknown>, outbox: Record<string, unknown> = {}) {
  await h.clients.dynamodb.send(
    new PutItemCommand({
      TableName: h.tableName,
      Item: {
        pk: { S: accountKey(account) },
        sk: { S: STATE_KEY },
        version: { N: "7" },
        lastCycleAt: { S: minute(0).toISOString() },
        assets: { S: JSON.stringify(assets) },
        health: { S: JSON.stringify({ consecutiveFailures: 0, alerted: false }) },
        outbox: { M: Object.fromEntries(Object.entries(outbox).map(([id, v]) => [id, { S: JSON.stringify(v) }])) },
      },
    }),
  );
}

describe("after the upgrade to margin pools", () => {
  it("an asset's stored level carries over to its cross pool: no spurious alert, and a change still alerts", async () => {
    await putOldState("legacy", { BTC: { level: "warning", lastNotifiedAt: minute(0).getTime() } });
    const first = await h.cycle(
      minute(1),
      h.monitor({ ACCOUNTS: JSON.stringify([{ name: "legacy", secretId: legacy.secretId }]) }),
    );
    expect(first.accounts[0]?.pools.map((p) => `${p.id} ${p.level}`)).toEqual(["BTC warning"]);
    expect(first.alertsSent).toBe(0);
    expect(h.aws.published).toEqual([]);
    const state = await h.store.loadState("legacy");
    expect(state.pools).toEqual({ BTC: { level: "warning", lastNotifiedAt: minute(0).getTime(), label: "BTC cross" } });
    expect(state.version).toBe(8);

    // The carried-over state is live: a rise to critical is one alert about the BTC cross pool.
    engine.set(legacy.exchangeKey.apiKey, btcAtWarning(57_000));
    const second = await h.cycle(
      minute(2),
      h.monitor({ ACCOUNTS: JSON.stringify([{ name: "legacy", secretId: legacy.secretId }]) }),
    );
    expect(second.alertsSent).toBe(1);
    expect(publishedAlerts(h.aws)).toMatchObject([
      { pool: "BTC", poolLabel: "BTC cross", notice: "escalated", level: "critical", previousLevel: "warning" },
    ]);
  });

  it("an outbox alert written without `pool` is still published, rendered as its asset's cross pool", async () => {
    const old = {
      alert: {
        type: "margin",
        id: "2026-11-24T12:00:00.000Z#mixed#BTC#escalated",
        account: "mixed",
        asset: "BTC",
        notice: "escalated",
        level: "warning",
        previousLevel: "ok",
        ratio: 0.5,
        maintMargin: "0.50000000",
        marginBalance: "1.00000000",
        at: "2026-11-24T12:00:00.000Z",
      },
      notBefore: 0,
      attempts: 1,
    };
    await putOldState(
      "mixed",
      { BTC: { level: "warning", lastNotifiedAt: minute(0).getTime() } },
      { [old.alert.id]: old },
    );
    const summary = await h.cycle(
      minute(1),
      h.monitor({ ACCOUNTS: JSON.stringify([{ name: "mixed", secretId: mixed.secretId }]) }),
    );
    // The new ETH pools are ok: the only alert out is the old one.
    expect(summary.accounts[0]?.pools.map((p) => `${p.id} ${p.level}`)).toEqual([
      "BTC warning",
      "ETH ok",
      "ETHUSD_PERP#BOTH ok",
    ]);
    expect(summary.alertsSent).toBe(1);
    expect(publishedAlerts(h.aws)).toMatchObject([
      {
        id: old.alert.id,
        pool: "BTC",
        poolLabel: "BTC cross",
        poolKind: "cross",
        level: "warning",
        requirement: "0.50000000",
      },
    ]);
    const [published] = h.aws.published;
    const message = JSON.parse(published?.message ?? "{}") as { sms: string; email: string };
    expect(published?.subject).toBe("coinm-guard: mixed BTC cross rose to WARNING (was ok), ratio 50.0%");
    expect(message.sms).toBe("coinm-guard mixed BTC cross: rose to WARNING (was ok). Ratio 50.0%, no liq price.");
    expect(message.email).toContain("requirement 0.50000000 / collateral 1.00000000 BTC");
    // Acknowledged: the outbox is empty and the next cycle sends nothing.
    expect((await h.store.loadState("mixed")).outbox).toEqual({});
    const again = await h.cycle(
      minute(2),
      h.monitor({ ACCOUNTS: JSON.stringify([{ name: "mixed", secretId: mixed.secretId }]) }),
    );
    expect(again.alertsSent).toBe(0);
  });
});
