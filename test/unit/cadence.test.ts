import { describe, expect, it } from "vitest";
import { isAtRisk, rereadTimes, watchAtRisk } from "../../lib/monitor/cadence.js";
import type { AccountResult, CycleInput, CycleSummary } from "../../lib/monitor/cycle.js";
import type { AssessedPool } from "../../lib/risk/pools.js";

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

function account(name: string, level: string, status: AccountResult["status"] = "ok"): AccountResult {
  const ratio = level === "ok" ? 0.2 : 0.6;
  const pool: AssessedPool = {
    id: "BTC",
    kind: "cross",
    asset: "BTC",
    label: "BTC cross",
    requirement: String(ratio),
    collateral: "1",
    ratio,
    distance: null,
    positions: [],
    ratioLevel: level,
    distanceLevel: "ok",
    level,
  };
  return {
    account: name,
    status,
    snapshotWritten: status === "ok",
    pools: status === "ok" ? [pool] : [],
    alertsSent: [],
    alertsPending: 0,
    problems: [],
    durationMs: 1,
  };
}

function summary(accounts: AccountResult[], cycleTime = new Date(T0)): CycleSummary {
  return {
    cycleTime: cycleTime.toISOString(),
    accounts,
    ok: accounts.filter((a) => a.status === "ok").length,
    failed: 0,
    deferred: accounts.filter((a) => a.status === "deferred").length,
    alertsSent: 0,
    durationMs: 1,
  };
}

/** A fake clock: sleeping advances it; each re-read takes `readMs`. */
function clock(start = T0 + 300) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += Math.max(0, ms);
    },
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
  };
}

const minute = { fastPollMs: 10_000, intervalMs: 60_000 };

describe("rereadTimes", () => {
  it("every fast poll after the scheduled time, the last at least half a poll before the next run", () => {
    expect(rereadTimes(T0, minute, T0 + 56_000).map((t) => (t - T0) / 1000)).toEqual([10, 20, 30, 40, 50]);
    // 15 s polls: 45 s is the last that leaves 7.5 s before the next run.
    expect(rereadTimes(T0, { ...minute, fastPollMs: 15_000 }, T0 + 56_000).map((t) => (t - T0) / 1000)).toEqual([
      15, 30, 45,
    ]);
  });

  it("stops at the Lambda deadline when that comes first, and runs to it for a cron schedule", () => {
    expect(rereadTimes(T0, minute, T0 + 35_000).map((t) => (t - T0) / 1000)).toEqual([10, 20, 30]);
    expect(
      rereadTimes(T0, { fastPollMs: 10_000, intervalMs: undefined }, T0 + 46_000).map((t) => (t - T0) / 1000),
    ).toEqual([10, 20, 30, 40]);
  });

  it("is empty when re-reading is off", () => {
    expect(rereadTimes(T0, { ...minute, fastPollMs: 0 }, T0 + 56_000)).toEqual([]);
  });
});

describe("isAtRisk", () => {
  it("is any asset at a level above ok on a successful read", () => {
    expect(isAtRisk(account("a", "warning"))).toBe(true);
    expect(isAtRisk(account("a", "critical"))).toBe(true);
    expect(isAtRisk(account("a", "ok"))).toBe(false);
    expect(isAtRisk(account("a", "ok", "failed"))).toBe(false);
  });
});

describe("watchAtRisk", () => {
  it("returns at once for a calm invocation: no re-read, no sleep", async () => {
    const c = clock();
    const calls: string[][] = [];
    const out = await watchAtRisk({
      first: summary([account("calm", "ok")]),
      cycleTime: new Date(T0),
      deadlineMs: T0 + 56_000,
      settings: minute,
      reread: async (accounts) => {
        calls.push([...accounts]);
        return summary([]);
      },
      now: c.now,
      sleep: c.sleep,
    });
    expect(out).toEqual([]);
    expect(calls).toEqual([]);
    expect(c.sleeps).toEqual([]);
  });

  it("re-reads only the at-risk accounts, each at its planned time, until they calm down", async () => {
    const c = clock();
    const inputs: { accounts: string[]; at: number }[] = [];
    // "hot" stays at warning for two re-reads then calms; "calm" is never re-read.
    const levels = ["warning", "warning", "ok"];
    const out = await watchAtRisk({
      first: summary([account("hot", "warning"), account("calm", "ok")]),
      cycleTime: new Date(T0),
      deadlineMs: T0 + 56_000,
      settings: minute,
      reread: async (accounts, input: CycleInput) => {
        inputs.push({ accounts: [...accounts], at: (input.cycleTime.getTime() - T0) / 1000 });
        expect(c.now()).toBe(input.cycleTime.getTime());
        c.advance(700);
        return summary([account("hot", levels[inputs.length - 1] ?? "ok")], input.cycleTime);
      },
      now: c.now,
      sleep: c.sleep,
    });
    expect(inputs).toEqual([
      { accounts: ["hot"], at: 10 },
      { accounts: ["hot"], at: 20 },
      { accounts: ["hot"], at: 30 },
    ]);
    expect(out).toHaveLength(3);
  });

  it("keeps an account the governor deferred on the list, and stops at the last slot before the next run", async () => {
    const c = clock();
    const at: number[] = [];
    await watchAtRisk({
      first: summary([account("hot", "critical")]),
      cycleTime: new Date(T0),
      deadlineMs: T0 + 56_000,
      settings: minute,
      reread: async (_accounts, input) => {
        at.push((input.cycleTime.getTime() - T0) / 1000);
        return summary([account("hot", "critical", at.length === 2 ? "deferred" : "ok")], input.cycleTime);
      },
      now: c.now,
      sleep: c.sleep,
    });
    expect(at).toEqual([10, 20, 30, 40, 50]);
    // Never at or past the next scheduled run: its cycle time stays the newest.
    expect(Math.max(...at)).toBeLessThan(60);
  });

  it("skips slots a slow read overran instead of reading twice in a row", async () => {
    const c = clock();
    const at: number[] = [];
    await watchAtRisk({
      first: summary([account("hot", "warning")]),
      cycleTime: new Date(T0),
      deadlineMs: T0 + 56_000,
      settings: minute,
      reread: async (_accounts, input) => {
        at.push((input.cycleTime.getTime() - T0) / 1000);
        c.advance(at.length === 1 ? 15_000 : 100);
        return summary([account("hot", "warning")], input.cycleTime);
      },
      now: c.now,
      sleep: c.sleep,
    });
    expect(at).toEqual([10, 30, 40, 50]);
  });
});
