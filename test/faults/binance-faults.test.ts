/**
 * Binance faults at the cycle level: what is written, which alert goes out and when, and that
 * nothing is duplicated. The client-level mapping of each fault to a typed error is covered in
 * test/integration/binance-client.test.ts; here every fault runs through full cycles (loopback
 * exchange, dynalite, SNS and Secrets Manager stand-ins, real SDK clients).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_PATH, POSITION_RISK_PATH, TIME_PATH } from "../../lib/binance/client.js";
import { API_RESTRICTIONS_PATH } from "../../lib/binance/spot/key-permissions.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import type { Fault } from "../../sim/exchange/faults.js";
import { hmacKey, minute } from "../support/harness.js";
import {
  alertTrail,
  FAST_BINANCE,
  type FaultBackend,
  type Rig,
  type RigMonitorOptions,
  startFaultBackend,
  startRig,
} from "./support/rig.js";

let backend: FaultBackend;
beforeAll(async () => {
  backend = await startFaultBackend();
});
afterAll(() => backend.stop());

const html = (status: number, text: string): Fault => ({
  kind: "status",
  status,
  body: `<!DOCTYPE html><html><head><title>${status} ${text}</title></head><body><h1>${text}</h1></body></html>`,
});
const binanceError = (status: number, code: number, msg: string, headers?: Record<string, string>): Fault => ({
  kind: "status",
  status,
  body: JSON.stringify({ code, msg }),
  ...(headers ? { headers } : {}),
});

/** A rig whose one account ("main") shows `ratio()` on every successful read. */
async function accountRig(ratio: () => number): Promise<{ rig: Rig; apiKey: string }> {
  const main = hmacKey("main");
  const rig = await startRig(backend, { keys: [main], account: () => accountBody([btcAtRatio(ratio())]) });
  return { rig, apiKey: main.exchangeKey.apiKey };
}

function accountRequests(rig: Rig, apiKey: string) {
  return rig.h.exchange.requests.filter((r) => r.path === ACCOUNT_PATH && r.apiKey === apiKey);
}

interface OutageCase {
  readonly name: string;
  readonly fault: Fault;
  readonly kind: string;
  /** Account requests the exchange sees per failed cycle (undefined: not recorded, e.g. a hang). */
  readonly requestsPerCycle?: number;
  readonly monitor?: RigMonitorOptions;
  /** The endpoint that fails. @default ACCOUNT_PATH */
  readonly path?: string;
}

const attempts = FAST_BINANCE.maxAttempts ?? 3;

/** Retried inside the cycle, then counted: the "cannot read" alert goes out after the 3rd failed cycle. */
const transientCases: OutageCase[] = [
  {
    name: "500 with an HTML body",
    fault: html(500, "Internal Server Error"),
    kind: "binance-unavailable",
    requestsPerCycle: attempts,
  },
  {
    name: "502 with an HTML body",
    fault: html(502, "Bad Gateway"),
    kind: "binance-unavailable",
    requestsPerCycle: attempts,
  },
  {
    name: "503 with an HTML body",
    fault: html(503, "Service Unavailable"),
    kind: "binance-unavailable",
    requestsPerCycle: attempts,
  },
  { name: "connection reset", fault: { kind: "reset" }, kind: "binance-unavailable", requestsPerCycle: attempts },
  {
    name: "a response slower than the client timeout",
    fault: { kind: "hang", ms: 1500 },
    kind: "binance-unavailable",
    monitor: { binance: { requestTimeoutMs: 100, maxAttempts: 2 } },
  },
  {
    name: "truncated JSON",
    fault: { kind: "body", body: '{"assets":[{"asset":"BTC","walletBalance":"1.0000' },
    kind: "binance-bad-response",
    requestsPerCycle: attempts,
  },
  {
    name: "malformed JSON",
    fault: { kind: "body", body: "{assets: [BTC]}" },
    kind: "binance-bad-response",
    requestsPerCycle: attempts,
  },
  {
    name: "an HTML page with status 200",
    fault: { kind: "body", body: "<html><body>Please log in</body></html>" },
    kind: "binance-bad-response",
    requestsPerCycle: attempts,
  },
  {
    name: "JSON missing required fields",
    fault: { kind: "body", body: '{"assets":[{"asset":"BTC","walletBalance":"1.00000000"}],"positions":[]}' },
    kind: "binance-bad-response",
    requestsPerCycle: attempts,
  },
  {
    name: "JSON with non-numeric strings",
    fault: {
      kind: "body",
      body: '{"assets":[{"asset":"BTC","walletBalance":"1.00000000","marginBalance":"NaN","maintMargin":"0,5"}],"positions":[]}',
    },
    kind: "binance-bad-response",
    requestsPerCycle: attempts,
  },
  {
    name: "JSON with numbers where decimal strings belong",
    fault: {
      kind: "body",
      body: '{"assets":[{"asset":"BTC","walletBalance":1,"marginBalance":1,"maintMargin":0.5}],"positions":[]}',
    },
    kind: "binance-bad-response",
    requestsPerCycle: attempts,
  },
  {
    name: "an unknown error code (-4999)",
    fault: binanceError(400, -4999, "Something new."),
    kind: "binance-request",
    requestsPerCycle: 1,
  },
  {
    // The first -1021 triggers a resync and one retry; the retry is refused too.
    name: "-1021 that persists after the resync",
    fault: binanceError(400, -1021, "Timestamp for this request is outside of the recvWindow."),
    kind: "binance-clock-skew",
    requestsPerCycle: 2,
  },
  // The second call of a read: /account answers, /positionRisk does not. No half-truth snapshot.
  {
    name: "positionRisk 503 with an HTML body",
    fault: html(503, "Service Unavailable"),
    kind: "binance-unavailable",
    requestsPerCycle: 1,
    path: POSITION_RISK_PATH,
  },
  {
    name: "positionRisk answering an HTML page with status 200",
    fault: { kind: "body", body: "<html><body>Please log in</body></html>" },
    kind: "binance-bad-response",
    requestsPerCycle: 1,
    path: POSITION_RISK_PATH,
  },
  {
    name: "positionRisk rows missing the liquidation price",
    fault: {
      kind: "body",
      body: '[{"symbol":"BTCUSD_PERP","positionAmt":"10","entryPrice":"60000","markPrice":"60000","unRealizedProfit":"0","leverage":"20","marginType":"cross","positionSide":"BOTH"}]',
    },
    kind: "binance-bad-response",
    requestsPerCycle: 1,
    path: POSITION_RISK_PATH,
  },
  {
    // A position in one view and not the other: read both again once, then give up.
    name: "positionRisk disagreeing with the account about the open positions",
    fault: {
      kind: "body",
      body: '[{"symbol":"ETHUSD_PERP","positionAmt":"5","entryPrice":"3000","markPrice":"3000","liquidationPrice":"0","unRealizedProfit":"0","leverage":"20","marginType":"cross","isolatedMargin":"0","positionSide":"BOTH"}]',
    },
    kind: "binance-positions-mismatch",
    requestsPerCycle: 2,
    path: POSITION_RISK_PATH,
  },
];

/** A person must act (wrong key, wrong region): the alert goes out on the first failed cycle. */
const needsHumanCases: OutageCase[] = [
  {
    name: "451 restricted location",
    fault: binanceError(451, 0, "Service unavailable from a restricted location according to 'b. Eligibility'."),
    kind: "binance-restricted-location",
    requestsPerCycle: 1,
  },
  {
    name: "-1022 bad signature",
    fault: binanceError(400, -1022, "Signature for this request is not valid."),
    kind: "binance-signature",
    requestsPerCycle: 1,
  },
  {
    name: "-2014 bad key format",
    fault: binanceError(400, -2014, "API-key format invalid."),
    kind: "binance-auth",
    requestsPerCycle: 1,
  },
  {
    name: "-2015 key rejected (revoked, IP or permission)",
    fault: binanceError(401, -2015, "Invalid API-key, IP, or permissions for action."),
    kind: "binance-auth",
    requestsPerCycle: 1,
  },
];

/**
 * One healthy cycle at ratio 0.3, then `failedCycles` with the fault on every request, then the
 * fault cleared and the ratio at 0.55: the restoring cycle must say so and must not miss the
 * escalation that happened during the outage.
 */
async function outage(c: OutageCase, failedCycles: number) {
  let ratio = 0.3;
  const { rig, apiKey } = await accountRig(() => ratio);
  const monitor = rig.monitor(c.monitor);
  const healthy = await monitor.run(minute(0));
  expect(healthy.accounts[0]).toMatchObject({ status: "ok", snapshotWritten: true });
  const before = accountRequests(rig, apiKey).length;

  rig.h.exchange.injectFault(c.fault, { apiKey, path: c.path ?? ACCOUNT_PATH, times: 1000 });
  const trails: string[][] = [];
  for (let i = 1; i <= failedCycles; i++) {
    const s = await monitor.run(minute(i));
    expect(s.accounts[0]).toMatchObject({ status: "failed", snapshotWritten: false, error: { kind: c.kind } });
    expect(s.accounts[0]?.snapshot).toBeUndefined();
    trails.push(alertTrail(rig.alerts()));
  }
  const duringOutage = accountRequests(rig, apiKey).length - before;
  const stateDuring = await rig.inspectStore.loadState("main");
  const snapshotsDuring = await rig.snapshots("main");

  rig.h.exchange.clearFaults();
  ratio = 0.55;
  const restored = await monitor.run(minute(failedCycles + 1));
  expect(restored.accounts[0]).toMatchObject({ status: "ok", snapshotWritten: true });
  const stateAfter = await rig.inspectStore.loadState("main");
  return {
    rig,
    trails,
    duringOutage,
    stateDuring,
    stateAfter,
    snapshotsDuring,
    snapshots: await rig.snapshots("main"),
  };
}

describe("Binance faults through full cycles", () => {
  it.each(transientCases)(
    "$name: failed cycles write no snapshot; one alert after the 3rd; restored once",
    async (c) => {
      const failedCycles = 4;
      const r = await outage(c, failedCycles);
      try {
        // Assess: quiet for two cycles, one alert on the third, nothing more on the fourth.
        expect(r.trails).toEqual([[], [], ["main unreachable@3"], ["main unreachable@3"]]);
        expect(r.rig.alerts()[0]).toMatchObject({ errorKind: c.kind, reason: expect.any(String) });
        if (c.requestsPerCycle !== undefined) expect(r.duringOutage).toBe(c.requestsPerCycle * failedCycles);
        expect(r.stateDuring.health).toEqual({
          consecutiveFailures: failedCycles,
          alerted: true,
          lastErrorKind: c.kind,
        });
        expect(r.stateDuring.outbox).toEqual({});
        expect(r.snapshotsDuring.map((s) => s.takenAt)).toEqual([minute(0).toISOString()]);
        // After: restored, then the escalation that the outage hid; nothing twice.
        expect(alertTrail(r.rig.alerts())).toEqual([
          "main unreachable@3",
          "main restored@4",
          "main BTC escalated:ok->warning",
        ]);
        expect(r.stateAfter).toMatchObject({ health: { consecutiveFailures: 0, alerted: false }, outbox: {} });
        expect(r.snapshots.map((s) => s.takenAt)).toEqual(
          [minute(0), minute(failedCycles + 1)].map((d) => d.toISOString()),
        );
      } finally {
        await r.rig.stop();
      }
    },
  );

  it.each(needsHumanCases)("$name: alerts on the first failed cycle, once, without retrying the call", async (c) => {
    const failedCycles = 3;
    const r = await outage(c, failedCycles);
    try {
      expect(r.trails).toEqual([["main unreachable@1"], ["main unreachable@1"], ["main unreachable@1"]]);
      expect(r.rig.alerts()[0]).toMatchObject({ errorKind: c.kind });
      expect(r.duringOutage).toBe((c.requestsPerCycle ?? 1) * failedCycles);
      // Auth failures re-read the secret once per cycle in case it was rotated; nothing else does.
      const expectedSecretReads = c.kind === "binance-auth" || c.kind === "binance-signature" ? 1 + failedCycles : 1;
      expect(r.rig.h.aws.secretReads).toHaveLength(expectedSecretReads);
      expect(alertTrail(r.rig.alerts())).toEqual([
        "main unreachable@1",
        "main restored@3",
        "main BTC escalated:ok->warning",
      ]);
      expect(r.snapshots).toHaveLength(2);
    } finally {
      await r.rig.stop();
    }
  });

  it.each([
    ["3 s ahead of ours (our clock behind)", 3000],
    ["3 s behind ours (our clock ahead)", -3000],
  ])("-1021 with the exchange clock %s: resyncs once, writes the snapshot, sends nothing", async (_name, offset) => {
    // Prepare: a 1 s recvWindow so a 3 s skew in either direction is refused until resynced.
    const { rig, apiKey } = await accountRig(() => 0.3);
    try {
      rig.h.exchange.clockOffsetMs = offset;
      const monitor = rig.monitor({ env: { RECV_WINDOW_MS: "1000" } });
      // Act
      const first = await monitor.run(minute(0));
      const second = await monitor.run(minute(1));
      // Assess
      expect(first.accounts[0]).toMatchObject({ status: "ok", snapshotWritten: true });
      expect(second.accounts[0]).toMatchObject({ status: "ok", snapshotWritten: true });
      expect(rig.h.exchange.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
        `${ACCOUNT_PATH} 400`,
        `${TIME_PATH} 200`,
        `${ACCOUNT_PATH} 200`,
        `${POSITION_RISK_PATH} 200`,
        // The first cycle's daily key check signs with the offset just learnt.
        `${API_RESTRICTIONS_PATH} 200`,
        // The warm container keeps the offset: no second resync.
        `${ACCOUNT_PATH} 200`,
        `${POSITION_RISK_PATH} 200`,
      ]);
      expect(accountRequests(rig, apiKey)).toHaveLength(3);
      expect(rig.alerts()).toEqual([]);
      expect((await rig.inspectStore.loadState("main")).health).toEqual({ consecutiveFailures: 0, alerted: false });
      expect(rig.h.logLines.some((l) => l.includes("clock resynced"))).toBe(true);
    } finally {
      await rig.stop();
    }
  });

  it("429 with Retry-After inside the budget: waits, retries and completes the cycle", async () => {
    const { rig, apiKey } = await accountRig(() => 0.6);
    try {
      rig.h.exchange.injectFault(binanceError(429, -1003, "Too many requests.", { "retry-after": "1" }), {
        apiKey,
        path: ACCOUNT_PATH,
      });
      const s = await rig.monitor().run(minute(0));
      expect(s.accounts[0]).toMatchObject({ status: "ok", snapshotWritten: true });
      expect(accountRequests(rig, apiKey).map((r) => r.status)).toEqual([429, 200]);
      expect(alertTrail(rig.alerts())).toEqual(["main BTC escalated:ok->warning"]);
      expect(await rig.snapshots("main")).toHaveLength(1);
    } finally {
      await rig.stop();
    }
  });

  it.each([
    [
      "429 with a Retry-After past the deadline",
      binanceError(429, -1003, "Too many requests.", { "retry-after": "30" }),
      "binance-rate-limit",
      31_000,
    ],
    [
      "418 IP ban",
      binanceError(418, -1003, "Way too many requests; IP banned until 1700000000000.", { "retry-after": "120" }),
      "binance-ip-ban",
      121_000,
    ],
  ] as const)(
    "%s: no further calls until it ends; deferred cycles count towards the alert",
    async (_name, fault, kind, liftAfterMs) => {
      // Prepare: a controllable governor clock stands in for the ban running out.
      let shift = 0;
      let ratio = 0.3;
      const { rig, apiKey } = await accountRig(() => ratio);
      try {
        const monitor = rig.monitor({ governorNow: () => Date.now() + shift });
        await monitor.run(minute(0));
        rig.h.exchange.injectFault(fault, { apiKey, path: ACCOUNT_PATH });
        // Act: the call that is refused, then two cycles inside the ban.
        const statuses = [];
        for (let i = 1; i <= 3; i++) {
          const s = await monitor.run(minute(i));
          statuses.push(`${s.accounts[0]?.status}:${s.accounts[0]?.error?.kind}`);
        }
        const callsDuringBan = accountRequests(rig, apiKey).length;
        shift = liftAfterMs;
        ratio = 0.82;
        const after = await monitor.run(minute(4));
        // Assess
        expect(statuses).toEqual([`failed:${kind}`, "deferred:weight-deferred", "deferred:weight-deferred"]);
        expect(callsDuringBan).toBe(2); // the healthy one and the refused one; none while banned
        expect(after.accounts[0]).toMatchObject({ status: "ok", snapshotWritten: true });
        expect(alertTrail(rig.alerts())).toEqual([
          "main unreachable@3",
          "main restored@3",
          "main BTC escalated:ok->critical",
        ]);
        expect(rig.alerts()[0]).toMatchObject({
          errorKind: "weight-deferred",
          reason: expect.stringMatching(/paused until/),
        });
        expect((await rig.snapshots("main")).map((s) => s.takenAt)).toEqual(
          [minute(0), minute(4)].map((d) => d.toISOString()),
        );
      } finally {
        await rig.stop();
      }
    },
  );
});
