/**
 * The monitor's daily key permission check end to end: the loopback exchange serves each key's
 * flags on the spot API path, the state lives in dynalite, alerts go to the SNS stand-in. One
 * "unsafe key" alert per dangerous flag, one "fixed" notice, a check once a day (not every
 * cycle), and a failing endpoint that raises nothing and is tried again the next day.
 */
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountKey, STATE_KEY } from "../../lib/aws/dynamodb-store.js";
import { DANGEROUS_PERMISSIONS } from "../../lib/binance/spot/key-permissions.js";
import { KEY_CHECK_INTERVAL_MS } from "../../lib/keys/policy.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { type RunningDynalite, startDynalite } from "../../sim/dynalite.js";
import { API_RESTRICTIONS_PATH } from "../../sim/exchange/spot/key-permissions.js";
import { type Harness, hmacKey, minute, publishedAlerts, startHarness, type TestKey } from "../support/harness.js";

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.stop());

const DAY_MINUTES = KEY_CHECK_INTERVAL_MS / 60_000;

async function world(): Promise<{ h: Harness; main: TestKey; apiKey: string }> {
  const main = hmacKey("main");
  const h = await startHarness({ keys: [main], account: () => accountBody([btcAtRatio(0.2)]), dynamo });
  return { h, main, apiKey: main.exchangeKey.apiKey };
}

const spotCalls = (h: Harness) => h.exchange.requests.filter((r) => r.path === API_RESTRICTIONS_PATH);
const rendered = (h: Harness) =>
  h.aws.published.map((p) => ({ subject: p.subject, ...(JSON.parse(p.message) as { email: string; sms: string }) }));

describe("the daily key permission check", () => {
  it("checks a read-only key once a day, not every cycle, and says nothing", async () => {
    const { h } = await world();
    try {
      const monitor = h.monitor();
      for (const m of [0, 1, 2, 60, DAY_MINUTES - 1])
        expect(await h.cycle(minute(m), monitor)).toMatchObject({ ok: 1 });
      expect(spotCalls(h)).toHaveLength(1);
      await h.cycle(minute(DAY_MINUTES), monitor);
      await h.cycle(minute(DAY_MINUTES + 1), monitor);
      expect(spotCalls(h)).toHaveLength(2);
      // A fresh container reads the cadence from the state item, not from memory.
      await h.cycle(minute(DAY_MINUTES + 2), h.monitor());
      expect(spotCalls(h)).toHaveLength(2);
      expect(h.aws.published).toHaveLength(0);
      const state = await h.store.loadState("main");
      expect(state.keyCheck).toMatchObject({
        lastAttemptAt: minute(DAY_MINUTES).getTime(),
        lastCheckedAt: minute(DAY_MINUTES).getTime(),
        permissions: { ipRestricted: false, reading: true, dangerous: [] },
        alerted: [],
      });
      expect(h.logLines.filter((l) => l.includes('"key permissions checked"'))).toHaveLength(2);
    } finally {
      await h.stop();
    }
  });

  it("takes the spot API's weight, not the futures budget: a minute that fits every read still reads every account", async () => {
    const keys = [hmacKey("a"), hmacKey("b")];
    const h = await startHarness({ keys, account: () => accountBody([btcAtRatio(0.2)]), dynamo });
    try {
      // Two account reads (6 each) fill the futures budget exactly; both keys' checks are due.
      const summary = await h.cycle(minute(0), h.monitor({ BINANCE_WEIGHT_LIMIT: "12" }));
      expect(summary).toMatchObject({ ok: 2, deferred: 0, failed: 0 });
      expect(spotCalls(h)).toHaveLength(2);
    } finally {
      await h.stop();
    }
  });

  it.each(DANGEROUS_PERMISSIONS.map((p) => [p.flag, p.box] as const))(
    "alerts once when the key gains %s, names %s, and sends one notice when it is fixed",
    async (flag, box) => {
      const { h, apiKey } = await world();
      try {
        const monitor = h.monitor();
        await h.cycle(minute(0), monitor);
        h.exchange.keyPermissions.set(apiKey, { enabled: [flag] });
        for (let day = 1; day <= 3; day++) await h.cycle(minute(day * DAY_MINUTES), monitor);
        h.exchange.keyPermissions.set(apiKey, { enabled: [] });
        for (let day = 4; day <= 5; day++) await h.cycle(minute(day * DAY_MINUTES), monitor);
        expect(publishedAlerts(h.aws).map((a) => `${a.type}:${a.notice}:${String(a.permissions)}`)).toEqual([
          `key:unsafe:${flag}`,
          "key:fixed:",
        ]);
        const [unsafe, fixed] = rendered(h);
        expect(unsafe?.subject).toMatch(/^coinm-guard: UNSAFE API KEY for main: it can (withdraw|transfer|trade)$/);
        expect(unsafe?.email).toContain(`untick "${box}".`);
        expect(unsafe?.email).toContain("The key has no IP restriction: Binance deletes unrestricted keys");
        expect(unsafe?.sms).toMatch(/^coinm-guard main: UNSAFE API KEY, can (withdraw|transfer|trade)\./);
        expect(unsafe?.sms.length).toBeLessThanOrEqual(140);
        expect(fixed?.subject).toBe("coinm-guard: API key for main is read-only again");
        expect(fixed?.sms).toBe("coinm-guard main: API key is read-only again");
        expect(spotCalls(h)).toHaveLength(6);
      } finally {
        await h.stop();
      }
    },
  );

  it("alerts a key that is unsafe from its first check, and again only for a further permission", async () => {
    const { h, apiKey } = await world();
    try {
      h.exchange.keyPermissions.set(apiKey, { ipRestrict: true, enabled: ["enableFutures"] });
      const monitor = h.monitor();
      await h.cycle(minute(0), monitor);
      await h.cycle(minute(1), monitor);
      h.exchange.keyPermissions.set(apiKey, { enabled: ["enableWithdrawals", "enableFutures"] });
      await h.cycle(minute(DAY_MINUTES), monitor);
      await h.cycle(minute(2 * DAY_MINUTES), monitor);
      expect(publishedAlerts(h.aws).map((a) => `${a.notice}:${String(a.gained)}`)).toEqual([
        "unsafe:enableFutures",
        "unsafe:enableWithdrawals",
      ]);
      const [first, second] = rendered(h);
      expect(first?.email).not.toContain("no IP restriction");
      expect(second?.subject).toBe("coinm-guard: UNSAFE API KEY for main: it can withdraw and trade");
      expect(second?.email).toContain('untick "Enable Withdrawals", "Enable Futures".');
    } finally {
      await h.stop();
    }
  });

  it("raises nothing when the permission endpoint fails, and tries again the next day (not the next cycle)", async () => {
    const { h, apiKey } = await world();
    try {
      h.exchange.keyPermissions.set(apiKey, { enabled: ["enableWithdrawals"] });
      h.exchange.injectFault(
        { kind: "status", status: 503, body: "<html>busy</html>" },
        { path: API_RESTRICTIONS_PATH },
      );
      h.exchange.injectFault({ kind: "reset" }, { path: API_RESTRICTIONS_PATH });
      const monitor = h.monitor();
      const first = await h.cycle(minute(0), monitor);
      expect(first).toMatchObject({ ok: 1, failed: 0, alertsSent: 0 });
      expect(first.accounts[0]?.problems).toEqual([]);
      for (const m of [1, 2, 3, DAY_MINUTES - 1]) await h.cycle(minute(m), monitor);
      expect(spotCalls(h).map((r) => r.status)).toEqual([503]);
      expect(h.aws.published).toHaveLength(0);
      expect((await h.store.loadState("main")).keyCheck).toEqual({
        lastAttemptAt: minute(0).getTime(),
        lastErrorKind: "binance-unavailable",
        alerted: [],
      });
      expect(h.logLines.some((l) => l.includes('"key permission check failed; tried again in a day"'))).toBe(true);

      await h.cycle(minute(DAY_MINUTES), monitor); // the connection reset: again nothing
      expect(h.aws.published).toHaveLength(0);
      await h.cycle(minute(2 * DAY_MINUTES), monitor);
      expect(spotCalls(h).map((r) => r.status)).toEqual([503, 0, 200]);
      expect(publishedAlerts(h.aws).map((a) => a.notice)).toEqual(["unsafe"]);
    } finally {
      await h.stop();
    }
  });

  it("a key Binance deleted is the 'cannot read account' alert, with the hint about unrestricted keys", async () => {
    const { h, main } = await world();
    try {
      const monitor = h.monitor();
      await h.cycle(minute(0), monitor);
      h.exchange.injectFault(
        {
          kind: "status",
          status: 401,
          body: JSON.stringify({ code: -2015, msg: "Invalid API-key, IP, or permissions for action." }),
        },
        { apiKey: main.exchangeKey.apiKey, path: "/dapi/v1/account", times: 3 },
      );
      const summary = await h.cycle(minute(1), monitor);
      expect(summary).toMatchObject({ failed: 1, alertsSent: 1 });
      const [alert] = rendered(h);
      expect(alert?.subject).toBe("coinm-guard: CANNOT READ account main");
      expect(alert?.email).toContain(
        "Binance deletes API keys that have no IP restriction and more than read permission",
      );
      expect(alert?.sms.length).toBeLessThanOrEqual(140);
    } finally {
      await h.stop();
    }
  });

  it("reads state items written before the check existed, and checks their key at once", async () => {
    const { h } = await world();
    try {
      await h.clients.dynamodb.send(
        new PutItemCommand({
          TableName: h.tableName,
          Item: {
            pk: { S: accountKey("main") },
            sk: { S: STATE_KEY },
            version: { N: "3" },
            lastCycleAt: { S: minute(-1).toISOString() },
            assets: { S: "{}" },
            health: { S: JSON.stringify({ consecutiveFailures: 0, alerted: false }) },
            outbox: { M: {} },
          },
        }),
      );
      expect((await h.store.loadState("main")).keyCheck).toBeUndefined();
      await h.cycle(minute(0));
      expect(spotCalls(h)).toHaveLength(1);
      expect((await h.store.loadState("main")).keyCheck?.lastCheckedAt).toBe(minute(0).getTime());
    } finally {
      await h.stop();
    }
  });
});
