import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotToItem } from "../../lib/aws/dynamodb-store.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { type RunningDynalite, startDynalite } from "../../sim/dynalite.js";
import { type Harness, hmacKey, minute, publishedAlerts, startHarness } from "../support/harness.js";

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.stop());

/** A harness whose "main" account shows the given BTC ratio on each call, by cycle index. */
async function scenario(ratios: () => number, extra: Parameters<typeof startHarness>[0]["keys"] = []) {
  const main = hmacKey("main");
  const h = await startHarness({
    keys: [main, ...extra],
    account: () => accountBody([btcAtRatio(ratios())]),
    dynamo,
  });
  return { h, main };
}

async function allSnapshots(h: Harness, account: string) {
  const out = [];
  for await (const s of h.store.querySnapshots(account, { fromIso: "0000", toIso: "9999" })) out.push(s);
  return out;
}

describe("a monitoring cycle end to end (dynalite, loopback exchange, SNS and Secrets Manager stand-ins)", () => {
  it("writes one snapshot per cycle and sends exactly the alerts the policy implies", async () => {
    const ratios = [0.2, 0.52, 0.61, 0.83, 0.78, 0.7, 0.47, 0.44, 0.3];
    let i = 0;
    const { h } = await scenario(() => ratios[i] ?? 0);
    try {
      const monitor = h.monitor({ RENOTIFY_MINUTES: "0" });
      for (i = 0; i < ratios.length; i++) {
        const summary = await h.cycle(minute(i), monitor);
        expect(summary).toMatchObject({ ok: 1, failed: 0, deferred: 0 });
      }
      const alerts = publishedAlerts(h.aws).map((a) => `${a.notice}:${a.previousLevel}->${a.level}@${a.ratio}`);
      expect(alerts).toEqual([
        "escalated:ok->warning@0.52",
        "escalated:warning->critical@0.83",
        "recovered:critical->warning@0.7",
        "recovered:warning->ok@0.44",
      ]);
      const sms = h.aws.published.map((p) => (JSON.parse(p.message) as { sms: string }).sms);
      expect(sms[1]).toBe(
        "coinm-guard main BTC cross: rose to CRITICAL (was warning). Ratio 83.0%, no liq price. Add 0.66000001 BTC",
      );
      expect(
        h.aws.published.every((p) => p.messageStructure === "json" && p.topicArn.endsWith(":coinm-guard-alerts")),
      ).toBe(true);

      const snapshots = await allSnapshots(h, "main");
      expect(snapshots.map((s) => s.assets[0]?.marginRatio)).toEqual(ratios);
      const first = snapshots[0];
      expect(first?.takenAt).toBe(minute(0).toISOString());
      expect(first?.assets[0]?.raw).toMatchObject({
        maintMargin: "0.20000000",
        marginBalance: "1.00000000",
        walletBalance: "1.00000000",
      });
      expect(first?.expiresAt).toBe(Math.floor(minute(0).getTime() / 1000) + 90 * 86_400);
      // Zero-balance assets Binance lists are left out of the snapshot.
      expect(first?.assets.map((a) => a.asset)).toEqual(["BTC"]);
      expect(first).toBeDefined();
      if (first) expect(JSON.stringify(snapshotToItem(first)).length).toBeLessThan(1024);
    } finally {
      await h.stop();
    }
  });

  it("handles a duplicated delivery of the same scheduled time: one snapshot, one alert", async () => {
    const { h } = await scenario(() => 0.9);
    try {
      // Two concurrent invocations for the same EventBridge event, each in its own container.
      const [a, b] = await Promise.all([h.cycle(minute(0), h.monitor()), h.cycle(minute(0), h.monitor())]);
      const written = [a.accounts[0]?.snapshotWritten, b.accounts[0]?.snapshotWritten].sort();
      expect(written).toEqual([true, "duplicate"].sort());
      expect(await allSnapshots(h, "main")).toHaveLength(1);
      expect(publishedAlerts(h.aws).map((x) => x.notice)).toEqual(["escalated"]);
      // A late retry of an older cycle neither alerts nor rewinds the state.
      await h.cycle(minute(1));
      await h.cycle(minute(0));
      expect(publishedAlerts(h.aws)).toHaveLength(1);
      expect((await h.store.loadState("main")).lastCycleAt).toBe(minute(1).toISOString());
    } finally {
      await h.stop();
    }
  });

  it("retries an alert that failed to publish on the next cycle, and sends it once", async () => {
    let ratio = 0.2;
    const { h } = await scenario(() => ratio);
    try {
      await h.cycle(minute(0));
      ratio = 0.85;
      h.aws.failNextPublish({ status: 500, code: "InternalError" }, 2); // the SDK client makes 2 attempts
      const failed = await h.cycle(minute(1));
      expect(failed.accounts[0]).toMatchObject({ alertsSent: [], alertsPending: 1, snapshotWritten: true });
      expect(h.aws.published).toHaveLength(0);
      expect(Object.keys((await h.store.loadState("main")).outbox)).toHaveLength(1);

      const retried = await h.cycle(minute(2));
      expect(retried.accounts[0]?.alertsSent.map((a) => a.id)).toEqual([
        `${minute(1).toISOString()}#main#BTC#escalated`,
      ]);
      await h.cycle(minute(3));
      expect(publishedAlerts(h.aws).map((a) => a.id)).toEqual([`${minute(1).toISOString()}#main#BTC#escalated`]);
      expect((await h.store.loadState("main")).outbox).toEqual({});
    } finally {
      await h.stop();
    }
  });

  it("tells people when it cannot read an account, and when it can again", async () => {
    const { h, main } = await scenario(() => 0.1);
    try {
      const monitor = h.monitor();
      for (let i = 0; i < 4; i++) {
        h.exchange.injectFault(
          { kind: "status", status: 503, body: "<html>down</html>" },
          { apiKey: main.exchangeKey.apiKey, times: 4 },
        );
        const s = await h.cycle(minute(i), monitor);
        expect(s.accounts[0]).toMatchObject({ status: "failed", error: { kind: "binance-unavailable" } });
      }
      await h.cycle(minute(4), monitor);
      const alerts = publishedAlerts(h.aws);
      expect(alerts.map((a) => `${a.notice}@${a.failures}`)).toEqual(["unreachable@3", "restored@4"]);
      expect(alerts[0]).toMatchObject({ errorKind: "binance-unavailable", reason: expect.stringMatching(/HTTP 503/) });
      expect(h.aws.published[0]?.subject).toBe("coinm-guard: CANNOT READ account main");
    } finally {
      await h.stop();
    }
  });

  it("alerts at once for a key problem, and one account's failure never stops the others", async () => {
    const other = hmacKey("other");
    const broken = hmacKey("broken");
    const { h } = await scenario(() => 0.55, [other, broken]);
    try {
      h.aws.putSecret(broken.secretId, '{"apiKey": "not-json-enough"'); // malformed secret
      h.aws.putSecret(other.secretId, JSON.stringify({ apiKey: other.exchangeKey.apiKey, apiSecret: "rotated-wrong" }));
      const s = await h.cycle(minute(0));
      const byName = Object.fromEntries(s.accounts.map((a) => [a.account, a]));
      expect(byName.main).toMatchObject({ status: "ok", snapshotWritten: true });
      expect(byName.other).toMatchObject({ status: "failed", error: { kind: "binance-signature" } });
      expect(byName.broken).toMatchObject({
        status: "failed",
        error: { kind: "secret", message: expect.stringMatching(/is not JSON/) },
      });
      const alerts = publishedAlerts(h.aws)
        .map((a) => `${a.account}:${a.notice}`)
        .sort();
      expect(alerts).toEqual(["broken:unreachable", "main:escalated", "other:unreachable"]);
    } finally {
      await h.stop();
    }
  });

  it("re-reads a rotated secret once when Binance rejects the cached key", async () => {
    const { h, main } = await scenario(() => 0.1);
    try {
      const monitor = h.monitor();
      await h.cycle(minute(0), monitor);
      expect(h.aws.secretReads).toHaveLength(1); // cached for the warm container
      await h.cycle(minute(1), monitor);
      expect(h.aws.secretReads).toHaveLength(1);

      const rotated = hmacKey("main");
      h.exchange.addKey(rotated.exchangeKey);
      h.aws.putSecret(main.secretId, rotated.secretValue);
      // The old key is revoked at the exchange: it now answers -2015 for it.
      h.exchange.injectFault(
        { kind: "status", status: 401, body: '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}' },
        { apiKey: main.exchangeKey.apiKey },
      );
      const s = await h.cycle(minute(2), monitor);
      expect(s.accounts[0]).toMatchObject({ status: "ok" });
      expect(h.aws.secretReads).toHaveLength(2);
      expect(publishedAlerts(h.aws)).toHaveLength(0);
    } finally {
      await h.stop();
    }
  });
});
