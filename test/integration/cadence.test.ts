/**
 * Adaptive cadence end to end (dynalite, loopback exchange, SNS stand-in), with time scaled down:
 * a 6 s schedule and re-reads every 1 s stand for the 60 s / 10 s of the stack. Two containers are
 * two monitors with their own state caches and weight governors, as two Lambda environments are.
 * The overlap tests run a long at-risk invocation into the next scheduled one both ways round and
 * require exactly one "critical" alert.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watchAtRisk } from "../../lib/monitor/cadence.js";
import type { CycleSummary } from "../../lib/monitor/cycle.js";
import type { Monitor } from "../../lib/monitor.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { type RunningDynalite, startDynalite } from "../../sim/dynalite.js";
import { type Harness, hmacKey, publishedAlerts, startHarness } from "../support/harness.js";

const INTERVAL_MS = 6000;
const FAST_MS = 1000;
const ENV = { FAST_POLL_SECONDS: String(FAST_MS / 1000), SCHEDULE_INTERVAL_SECONDS: String(INTERVAL_MS / 1000) };

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.stop());

async function scenario() {
  const main = hmacKey("main");
  const state = { ratio: 0.6 };
  const h = await startHarness({ keys: [main], account: () => accountBody([btcAtRatio(state.ratio)]), dynamo });
  return { h, main, state };
}

/** One invocation as the handler runs it: the scheduled cycle, then re-reads of at-risk accounts. */
async function invoke(monitor: Monitor, cycleTimeMs: number, lateMs = 0): Promise<CycleSummary[]> {
  const cycleTime = new Date(cycleTimeMs);
  // The Lambda deadline counts from when the invocation started, which may be after its scheduled time.
  const deadlineMs = cycleTimeMs + lateMs + INTERVAL_MS - 500;
  const first = await monitor.run({ cycleTime, deadlineMs });
  const rereads = await watchAtRisk({
    first,
    cycleTime,
    deadlineMs,
    settings: { fastPollMs: FAST_MS, intervalMs: INTERVAL_MS },
    reread: (accounts, input) => monitor.runAccounts(accounts, input),
  });
  return [first, ...rereads];
}

const at = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));
const critical = (h: Harness) =>
  publishedAlerts(h.aws).filter((a) => a.notice === "escalated" && a.level === "critical");

describe("adaptive cadence", () => {
  it("a calm invocation reads once and returns at once", async () => {
    const { h, state } = await scenario();
    try {
      state.ratio = 0.3;
      const t0 = Date.now();
      const cycles = await invoke(h.monitor(ENV), t0);
      expect(cycles).toHaveLength(1);
      expect(Date.now() - t0).toBeLessThan(FAST_MS);
    } finally {
      await h.stop();
    }
  });

  it("an at-risk invocation re-reads, publishes the crossing to critical from a re-read, and keys each snapshot by its own time", async () => {
    const { h, state } = await scenario();
    try {
      const t0 = Date.now();
      const crossing = t0 + 2500;
      const done = invoke(h.monitor(ENV), t0);
      await at(crossing);
      state.ratio = 0.85;
      const cycles = await done;
      // Re-reads at +1..+5 s (the last at least half a poll before the next run at +6 s).
      expect(cycles.length).toBeGreaterThanOrEqual(4);
      const [alert] = critical(h);
      expect(alert).toBeDefined();
      const foundAt = Date.parse(String(alert?.at));
      expect(foundAt).toBeGreaterThan(crossing - FAST_MS);
      expect(foundAt).toBeLessThan(t0 + INTERVAL_MS);
      // Detected by the next re-read after the crossing, not by the next scheduled run.
      expect((h.aws.published.at(-1)?.receivedAt ?? 0) - crossing).toBeLessThan(2 * FAST_MS);
      const keys = [];
      for await (const s of h.store.querySnapshots("main", { fromIso: "0000", toIso: "9999" })) keys.push(s.takenAt);
      expect(new Set(keys).size).toBe(cycles.length);
      expect(keys[0]).toBe(new Date(t0).toISOString());
      for (const k of keys.slice(1)) {
        expect(Date.parse(k)).toBeGreaterThan(t0);
        expect(Date.parse(k)).toBeLessThan(t0 + INTERVAL_MS);
      }
    } finally {
      await h.stop();
    }
  });

  it("overlap, the re-read finishing last: the next scheduled run (another container) alerts once; the late re-read changes nothing", async () => {
    const { h, main, state } = await scenario();
    try {
      const t0 = Date.now();
      // A was delivered 3 s late (EventBridge can be), so its deadline lies past the next scheduled run.
      const a = invoke(h.monitor(ENV), t0, 3000);
      // Just before A's last re-read (+5 s): the price crosses, and A's read of it hangs past +6 s.
      await at(t0 + 4500);
      state.ratio = 0.85;
      h.exchange.injectFault({ kind: "hang", ms: 2500 }, { apiKey: main.exchangeKey.apiKey, path: "/dapi/v1/account" });
      await at(t0 + INTERVAL_MS);
      const b = await invoke(h.monitor(ENV), t0 + INTERVAL_MS);
      const aCycles = await a;
      expect(aCycles.at(-1)?.accounts[0]?.status).toBe("ok");
      expect(b[0]?.alertsSent).toBe(1);
      expect(critical(h)).toHaveLength(1);
      expect(critical(h)[0]?.at).toBe(new Date(t0 + INTERVAL_MS).toISOString());
      expect(h.logLines.some((l) => l.includes("cycle already applied; state unchanged"))).toBe(true);
    } finally {
      await h.stop();
    }
  });

  it("overlap, the re-read finishing first: it alerts, and the next scheduled run does not repeat it", async () => {
    const { h, state } = await scenario();
    try {
      const t0 = Date.now();
      const a = invoke(h.monitor(ENV), t0);
      await at(t0 + 4500);
      state.ratio = 0.85;
      await at(t0 + INTERVAL_MS);
      const b = invoke(h.monitor(ENV), t0 + INTERVAL_MS);
      await Promise.all([a, b]);
      expect(critical(h)).toHaveLength(1);
      expect(Date.parse(String(critical(h)[0]?.at))).toBe(t0 + 5 * FAST_MS);
      // The warning from the first scheduled read, the critical from the re-read: nothing else.
      expect(publishedAlerts(h.aws).map((x) => `${x.notice}:${x.level}`)).toEqual([
        "escalated:warning",
        "escalated:critical",
      ]);
    } finally {
      await h.stop();
    }
  });
});
