/**
 * Concurrency: EventBridge delivers at least once, and a slow or delayed invocation can overlap
 * the next one. Each invocation here is its own "container" (own secret cache and clients) on
 * the shared table in dynalite, with random pauses between the state operations so the
 * interleavings vary; the seed is in the test name so a failure can be replayed.
 *
 * The single duplicated delivery is covered in test/integration/cycle.test.ts; these run many
 * rounds and check the whole alert sequence against an independent model of the policy.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAccountResponse } from "../../lib/binance/coinm/account.js";
import { coinmRead } from "../../lib/binance/coinm/reader.js";
import type { CycleSummary } from "../../lib/monitor/cycle.js";
import type { AccountSource, AccountState, AlertPublisher, AlertStateStore } from "../../lib/monitor/ports.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { hmacKey, minute } from "../support/harness.js";
import { DEFAULT_MODEL, modelNotices, ratioWalk, seededRandom } from "./support/model.js";
import { type FaultBackend, type Rig, type RigMonitor, startFaultBackend, startRig } from "./support/rig.js";

let backend: FaultBackend;
beforeAll(async () => {
  backend = await startFaultBackend();
});
afterAll(() => backend.stop());

const main = hmacKey("main");
const pause = (random: () => number) => new Promise((r) => setTimeout(r, Math.floor(random() * 4)));

/** Everything one test needs to run invocations that interleave, and to know which ones took effect. */
function invocations(rig: Rig, ratios: readonly number[], random: () => number) {
  const applied = new Set<string>();
  const realState = rig.monitor().deps.state;
  const realPublisher = rig.monitor().deps.publisher;

  const state: AlertStateStore = {
    async loadState(account) {
      await pause(random);
      const s = await realState.loadState(account);
      await pause(random);
      return s;
    },
    async saveState(account, s: AccountState, expected) {
      await pause(random);
      await realState.saveState(account, s, expected);
      // A successful save carrying a cycle time means that cycle's observation took effect.
      if (s.lastCycleAt) applied.add(s.lastCycleAt);
      await pause(random);
    },
    async ackAlerts(account, ids) {
      await pause(random);
      await realState.ackAlerts(account, ids);
    },
    async releaseAlerts(account, held) {
      await pause(random);
      await realState.releaseAlerts(account, held);
    },
  };
  const publisher: AlertPublisher = {
    async publish(alert) {
      await pause(random);
      await realPublisher.publish(alert);
      await pause(random);
    },
  };
  /** A new container for the cycle at minute `t`, reading the ratio scheduled for that minute. */
  const container = (t: number): RigMonitor => {
    const exchange: AccountSource = {
      async getAccount() {
        await pause(random);
        return coinmRead(parseAccountResponse(accountBody([btcAtRatio(ratios[t] ?? 0)])), [], { attempts: 1 });
      },
    };
    return rig.monitor({ env: { RENOTIFY_MINUTES: "0" }, exchange, state, publisher });
  };
  const run = (t: number): Promise<CycleSummary> => container(t).run(minute(t));
  return { run, applied };
}

/** Published margin alerts in the model's terms, ordered by the cycle they belong to. */
function publishedNotices(rig: Rig) {
  return rig
    .alerts()
    .filter((a) => a.type === "margin")
    .map((a) => ({ atMs: Date.parse(String(a.at)), notice: a.notice, from: a.previousLevel, to: a.level }))
    .sort((a, b) => a.atMs - b.atMs);
}

function expectNoRepeats(rig: Rig) {
  const ids = rig.alerts().map((a) => String(a.id));
  expect(ids.length).toBe(new Set(ids).size);
  // Never the same change twice in a row (reminders are off here).
  const notices = publishedNotices(rig).map((n) => `${n.notice}:${n.to}`);
  notices.forEach((n, i) => {
    if (i > 0) expect(n).not.toBe(notices[i - 1]);
  });
}

describe("concurrent invocations", () => {
  it.each([11, 42, 1234])(
    "repeated deliveries of each scheduled time: one snapshot and one alert per change (seed %i)",
    async (seed) => {
      // Prepare
      const random = seededRandom(seed);
      const ratios = ratioWalk(random, 24);
      const rig = await startRig(backend, { keys: [main], account: () => accountBody([btcAtRatio(0.1)]) });
      try {
        const { run } = invocations(rig, ratios, random);
        // Act: every scheduled time is delivered two or three times at once.
        const written: Array<Array<boolean | "duplicate">> = [];
        for (let t = 0; t < ratios.length; t++) {
          const copies = random() < 0.3 ? 3 : 2;
          const results = await Promise.all(Array.from({ length: copies }, () => run(t)));
          written.push(results.map((s) => s.accounts[0]?.snapshotWritten ?? false));
          for (const s of results) expect(s.accounts[0]?.problems).toEqual([]);
        }
        // Assess: one snapshot per time, the rest saw "duplicate"; alerts exactly as the model says.
        for (const w of written) expect(w.filter((x) => x === true)).toHaveLength(1);
        for (const w of written) expect(w.filter((x) => x === "duplicate")).toHaveLength(w.length - 1);
        const snapshots = await rig.snapshots("main");
        expect(snapshots.map((s) => s.assets[0]?.marginRatio)).toEqual(ratios);
        const model = modelNotices(
          DEFAULT_MODEL,
          ratios.map((ratio, t) => ({ atMs: minute(t).getTime(), ratio })),
        );
        expect(publishedNotices(rig)).toEqual(model.notices);
        expectNoRepeats(rig);
        const finalState = await rig.inspectStore.loadState("main");
        expect(finalState).toMatchObject({ lastCycleAt: minute(ratios.length - 1).toISOString(), outbox: {} });
        expect(finalState.pools.BTC?.level ?? "ok").toBe(model.final);
      } finally {
        await rig.stop();
      }
    },
  );

  it.each([7, 99, 2026])(
    "overlapping invocations for consecutive times (and late redeliveries) never corrupt the state or repeat an alert (seed %i)",
    async (seed) => {
      // Prepare
      const random = seededRandom(seed);
      const ratios = ratioWalk(random, 40);
      const rig = await startRig(backend, { keys: [main], account: () => accountBody([btcAtRatio(0.1)]) });
      try {
        const { run, applied } = invocations(rig, ratios, random);
        // Act: pairs (t, t+1) run at once, in random start order, sometimes with a late redelivery of t-1.
        for (let t = 0; t < ratios.length; t += 2) {
          const batch = [t, t + 1].filter((x) => x < ratios.length);
          if (t > 0 && random() < 0.3) batch.push(t - 1);
          if (random() < 0.5) batch.reverse();
          const results = await Promise.all(batch.map((x) => run(x)));
          for (const s of results) expect(s.accounts[0]?.problems).toEqual([]);
        }
        // Assess: a cycle whose time was overtaken is dropped whole; the alerts are exactly the
        // model's over the cycles that took effect, in schedule order, none twice.
        const snapshots = await rig.snapshots("main");
        expect(snapshots.map((s) => s.assets[0]?.marginRatio)).toEqual(ratios);
        const took = ratios
          .map((ratio, t) => ({ atMs: minute(t).getTime(), ratio, iso: minute(t).toISOString() }))
          .filter((o) => applied.has(o.iso));
        expect(took.length).toBeGreaterThan(ratios.length / 2);
        const model = modelNotices(DEFAULT_MODEL, took);
        expect(publishedNotices(rig)).toEqual(model.notices);
        expectNoRepeats(rig);
        const finalState = await rig.inspectStore.loadState("main");
        expect(finalState.lastCycleAt).toBe(took.at(-1)?.iso);
        expect(finalState.outbox).toEqual({});
        expect(finalState.pools.BTC?.level ?? "ok").toBe(model.final);
      } finally {
        await rig.stop();
      }
    },
  );
});

describe("handing back unpublished alerts (DynamoDbStore.releaseAlerts)", () => {
  it("frees only entries still exactly as this invocation held them", async () => {
    // Prepare: two held alerts; another invocation has since taken over the second one.
    const rig = await startRig(backend, { keys: [main], account: () => accountBody([btcAtRatio(0.1)]) });
    try {
      const store = rig.inspectStore;
      const alert = (n: string) => ({
        type: "health" as const,
        id: `a#main#health#${n}`,
        account: "main",
        notice: "unreachable" as const,
        failures: 1,
        at: n,
      });
      const mine = { alert: alert("1"), notBefore: 5_000, attempts: 1 };
      const theirs = { alert: alert("2"), notBefore: 5_000, attempts: 1 };
      await store.saveState(
        "main",
        {
          version: 1,
          pools: {},
          health: { consecutiveFailures: 1, alerted: true },
          outbox: { [mine.alert.id]: mine, [theirs.alert.id]: { ...theirs, notBefore: 9_000, attempts: 2 } },
        },
        0,
      );
      // Act
      await store.releaseAlerts("main", [mine]);
      const afterMine = await store.loadState("main");
      await store.releaseAlerts("main", [theirs]);
      const afterTheirs = await store.loadState("main");
      // Assess: the first release applied and bumped the version; the second changed nothing.
      expect(afterMine.outbox[mine.alert.id]).toEqual({ ...mine, notBefore: 0 });
      expect(afterMine.version).toBe(2);
      expect(afterTheirs).toEqual(afterMine);
    } finally {
      await rig.stop();
    }
  });
});
