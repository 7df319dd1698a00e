/**
 * 200 accounts in one cycle, 5% of them failing in different ways and one whose requests hang:
 * the deadline (the Lambda's remaining time less its margin) bounds the hanging account, every
 * other account is read and written, and the failures are reported per the policy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_PATH } from "../../lib/binance/client.js";
import type { CycleSummary } from "../../lib/monitor/cycle.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import type { Fault } from "../../sim/exchange/faults.js";
import { hmacKey, minute, type TestKey } from "../support/harness.js";
import { type FaultBackend, startFaultBackend, startRig } from "./support/rig.js";

let backend: FaultBackend;
beforeAll(async () => {
  backend = await startFaultBackend();
});
afterAll(() => backend.stop());

/** What functions/monitor.ts keeps back from the Lambda timeout after the deadline. */
const LAMBDA_SAFETY_MARGIN_MS = 4000;

describe("200 accounts, 5% failing, one hanging", () => {
  it("the others finish before the deadline; the failures are reported and alerted per the policy", async () => {
    // Prepare: 200 accounts; every 25th at a warning ratio; ten broken ones (5%).
    const keys: TestKey[] = Array.from({ length: 200 }, (_, i) => hmacKey(`acct-${String(i).padStart(3, "0")}`));
    const byKey = new Map(keys.map((k, i) => [k.exchangeKey.apiKey, i]));
    const key = (i: number) => keys[i] as TestKey;
    const revoked = [7, 70, 140];
    const restricted = [33];
    const missingSecret = [99];
    const unavailable = [12, 55, 123, 188];
    const hanging = 150;
    const immediate = [...revoked, ...restricted, ...missingSecret];
    const afterThree = [...unavailable, hanging];
    const broken = new Set([...immediate, ...afterThree]);
    const warning = keys.map((_, i) => i).filter((i) => i % 25 === 0 && !broken.has(i));

    const rig = await startRig(backend, {
      keys,
      account: (apiKey) => accountBody([btcAtRatio(warning.includes(byKey.get(apiKey) ?? -1) ? 0.6 : 0.3)]),
      exchange: { weightLimit: 100_000 },
    });
    try {
      rig.h.aws.secrets.delete(key(99).secretId);
      const inject = (i: number, fault: Fault) =>
        rig.h.exchange.injectFault(fault, { apiKey: key(i).exchangeKey.apiKey, path: ACCOUNT_PATH, times: 1000 });
      for (const i of revoked)
        inject(i, {
          kind: "status",
          status: 401,
          body: '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}',
        });
      for (const i of restricted)
        inject(i, { kind: "status", status: 451, body: '{"code":0,"msg":"restricted location"}' });
      for (const i of unavailable)
        inject(i, { kind: "status", status: 503, body: "<html><body>503 Service Unavailable</body></html>" });
      inject(hanging, { kind: "hang", ms: 30_000 });
      // Act: three cycles. A short request timeout ends the hanging account's attempts; the deadline
      // stands for the Lambda's remaining time (the deadline cutting a hang is tested below).
      const env = { BINANCE_WEIGHT_LIMIT: "100000" };
      const runs: Array<{ summary: CycleSummary; deadlineMs: number; finishedAt: number; alertsSoFar: number }> = [];
      for (let c = 0; c < 3; c++) {
        const monitor = rig.monitor({ env, binance: { requestTimeoutMs: 300, maxAttempts: 3 } });
        const deadlineMs = Date.now() + 20_000;
        const summary = await monitor.run(minute(c), deadlineMs);
        runs.push({ summary, deadlineMs, finishedAt: Date.now(), alertsSoFar: rig.alerts().length });
      }
      const hangingResult = runs[0]?.summary.accounts.find((a) => a.account === key(hanging).name);
      expect(hangingResult?.error?.message).toBe("Binance did not answer within 300 ms");

      // Assess: every cycle ends inside its deadline, with 190 accounts read and written.
      for (const { summary, deadlineMs, finishedAt } of runs) {
        expect(finishedAt).toBeLessThanOrEqual(deadlineMs);
        expect(summary).toMatchObject({ ok: 190, failed: 10, deferred: 0 });
        const byName = new Map(summary.accounts.map((a) => [a.account, a]));
        for (const [i, k] of keys.entries()) {
          const a = byName.get(k.name);
          if (broken.has(i)) expect(a).toMatchObject({ status: "failed", snapshotWritten: false });
          else expect(a).toMatchObject({ status: "ok", snapshotWritten: true, problems: [] });
        }
        expect(byName.get(key(hanging).name)?.error).toMatchObject({
          kind: "binance-unavailable",
          message: expect.stringMatching(/did not answer within/),
        });
        expect(byName.get(key(99).name)?.error).toMatchObject({ kind: "secret" });
      }
      const snapshots = (await rig.items()).filter((item) => item.sk?.S?.startsWith("SNAP#"));
      expect(snapshots).toHaveLength(190 * 3);

      // Alerts: warnings and the five "a person must act" accounts at once, the five transient ones after the 3rd cycle.
      const alerts = rig.alerts();
      const names = (is: number[]) => is.map((i) => key(i).name).sort();
      const health = (n: number) =>
        alerts
          .filter((a) => a.type === "health" && a.failures === n)
          .map((a) => String(a.account))
          .sort();
      expect(health(1)).toEqual(names(immediate));
      expect(health(3)).toEqual(names(afterThree));
      expect(
        alerts
          .filter((a) => a.type === "margin")
          .map((a) => String(a.account))
          .sort(),
      ).toEqual(names(warning));
      expect(runs.map((r) => r.alertsSoFar)).toEqual([warning.length + 5, warning.length + 5, warning.length + 10]);
      expect(new Set(alerts.map((a) => a.id)).size).toBe(alerts.length);
    } finally {
      await rig.stop();
    }
  });

  it("a hang longer than the deadline is cut by the deadline, not by its own 5 s timeout", async () => {
    // Prepare: production client settings (5 s request timeout, 4 attempts, 200-2000 ms backoff).
    const keys = Array.from({ length: 10 }, (_, i) => hmacKey(`small-${i}`));
    const stuck = keys[0] as TestKey;
    const rig = await startRig(backend, { keys, account: () => accountBody([btcAtRatio(0.3)]) });
    try {
      rig.h.exchange.injectFault(
        { kind: "hang", ms: 30_000 },
        { apiKey: stuck.exchangeKey.apiKey, path: ACCOUNT_PATH, times: 100 },
      );
      const monitor = rig.monitor({
        binance: { requestTimeoutMs: 5000, maxAttempts: 4, backoffBaseMs: 200, backoffCapMs: 2000 },
      });
      // Act
      const deadlineMs = Date.now() + 2000;
      const summary = await monitor.run(minute(0), deadlineMs);
      const finishedAt = Date.now();
      // Assess: the one request got only what the deadline left, and the run ended inside the Lambda's time.
      const result = summary.accounts.find((a) => a.account === stuck.name);
      const budget = Number(/did not answer within (\d+) ms/.exec(result?.error?.message ?? "")?.[1]);
      expect(budget).toBeGreaterThan(0);
      expect(budget).toBeLessThanOrEqual(2000);
      expect(finishedAt).toBeLessThanOrEqual(deadlineMs + LAMBDA_SAFETY_MARGIN_MS);
      expect(summary).toMatchObject({ ok: 9, failed: 1 });
    } finally {
      await rig.stop();
    }
  });
});
