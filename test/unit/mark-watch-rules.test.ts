/**
 * The pure rules of the watch between reads: who is within reach (lib/monitor/reach.ts) and what
 * a mark may do to the alert state (evaluateMarkEscalations: raise only, through the policy).
 */
import { describe, expect, it } from "vitest";
import { renderAlert, SMS_MAX } from "../../lib/alerts/messages.js";
import { parseAccountResponse } from "../../lib/binance/coinm/account.js";
import { joinPositions } from "../../lib/binance/coinm/join.js";
import { parsePositionRiskResponse } from "../../lib/binance/coinm/position-risk.js";
import { loadConfig } from "../../lib/config.js";
import { evaluateMarkEscalations } from "../../lib/monitor/account-evaluation.js";
import type { AccountState } from "../../lib/monitor/ports.js";
import { DEFAULT_REACH, isWithinReach, MarkHistory, moveToWarning, reachOf } from "../../lib/monitor/reach.js";
import { decimalFromNumber } from "../../lib/risk/decimal.js";
import { DEFAULT_ALERT_LEVELS, defaultDistanceLevels } from "../../lib/risk/levels.js";
import { type AssessedPool, assessPools, marginPools } from "../../lib/risk/pools.js";
import type { RevalueContext } from "../../lib/risk/revalue.js";
import { accountBodyOf, positionRiskBodyOf } from "../../sim/engine/coinm/bodies.js";
import { isolatedNearLiquidationExample } from "../../sim/engine/coinm/examples.js";

const LEVELS = { ratio: DEFAULT_ALERT_LEVELS, distance: defaultDistanceLevels(DEFAULT_ALERT_LEVELS) };
const CTX: RevalueContext = { contractSize: () => decimalFromNumber(100), brackets: () => undefined };

/** The spec's isolated long (liquidated near 56,968) read at `mark`. */
function isolatedAt(mark: number): AssessedPool {
  const engine = isolatedNearLiquidationExample(mark);
  const account = parseAccountResponse(accountBodyOf(engine));
  const pools = marginPools(account, joinPositions(account, parsePositionRiskResponse(positionRiskBodyOf(engine))));
  const pool = assessPools(pools, LEVELS).find((p) => p.kind === "isolated");
  if (!pool) throw new Error("no isolated pool");
  return pool;
}

describe("MarkHistory and reach", () => {
  it("takes the worst minute of the last hour, per minute, and forgets older samples", () => {
    // Prepare
    const h = new MarkHistory();
    const t0 = 1_700_000_000_000;

    // Act: a 2% minute, then a 4-minute gap with a 2% move (1% per sqrt-minute), then calm.
    h.record("BTCUSD_PERP", 60_000, t0);
    h.record("BTCUSD_PERP", 61_200, t0 + 60_000);
    h.record("BTCUSD_PERP", 61_200 * 1.02, t0 + 5 * 60_000);
    h.record("BTCUSD_PERP", 61_210, t0 + 5 * 60_000 + 5_000); // too close: ignored

    // Assess
    expect(h.worstMinuteMove("BTCUSD_PERP")).toBeCloseTo(Math.log(1.02), 6);
    expect(h.worstMinuteMove("ETHUSD_PERP")).toBeUndefined();
    h.record("BTCUSD_PERP", 61_000, t0 + 2 * 3_600_000);
    expect(h.worstMinuteMove("BTCUSD_PERP")).toBeUndefined();
  });

  it("reach = 3 x max(1%, worst minute) x sqrt(horizon / 1 min)", () => {
    const h = new MarkHistory();
    expect(reachOf("BTCUSD_PERP", h, 60_000)).toBeCloseTo(0.03, 9);
    expect(reachOf("BTCUSD_PERP", h, 15_000)).toBeCloseTo(0.015, 9);
    h.record("BTCUSD_PERP", 60_000, 0);
    h.record("BTCUSD_PERP", 57_000, 60_000);
    expect(reachOf("BTCUSD_PERP", h, 60_000)).toBeCloseTo(3 * Math.abs(Math.log(0.95)), 9);
  });
});

describe("who is within reach", () => {
  const calm = new MarkHistory();

  it("a calm pool 0.6% from its warning distance is within reach of a minute; 20% away is not", () => {
    const near = isolatedAt(63_700);
    const far = isolatedAt(90_000);
    expect(near.level).toBe("ok");
    expect(moveToWarning(near, LEVELS, CTX)).toBeCloseTo(0.0063, 3);
    expect(isWithinReach(near, LEVELS, CTX, calm, 60_000)).toBe(true);
    expect(isWithinReach(far, LEVELS, CTX, calm, 60_000)).toBe(false);
    // 29.7% away: beyond the 25% searched, so out of reach without a number; found when searched farther.
    expect(moveToWarning(far, LEVELS, CTX, DEFAULT_REACH.maxMove)).toBeUndefined();
    expect(moveToWarning(far, LEVELS, CTX, 0.5)).toBeCloseTo(1 - 63_298 / 90_000, 3);
  });

  it("a horizon too short for the move leaves it out; a volatile hour brings it in", () => {
    // 12% from liquidation: ~2.2% from warning.
    const pool = isolatedAt(64_740);
    expect(isWithinReach(pool, LEVELS, CTX, calm, 6_000)).toBe(false);
    expect(isWithinReach(pool, LEVELS, CTX, calm, 60_000)).toBe(true);
    const wild = new MarkHistory();
    wild.record("BTCUSD_PERP", 64_740, 0);
    wild.record("BTCUSD_PERP", 64_740 * 0.97, 60_000);
    expect(isWithinReach(pool, LEVELS, CTX, wild, 6_000)).toBe(true);
  });

  it("a pool that cannot be revalued (no contract size) counts as reachable; a USD-M pool keeps today's rule", () => {
    const pool = isolatedAt(90_000);
    const blind: RevalueContext = { contractSize: () => undefined, brackets: () => undefined };
    expect(isWithinReach(pool, LEVELS, blind, calm, 60_000)).toBe(true);
    expect(isWithinReach({ ...pool, product: "usdm" }, LEVELS, CTX, calm, 60_000)).toBe(false);
  });
});

describe("evaluateMarkEscalations: a mark raises, never lowers", () => {
  const config = loadConfig({
    SNAPSHOT_TABLE: "t",
    ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:alerts",
    ACCOUNTS: JSON.stringify([{ name: "main", secretId: "s" }]),
  });
  const at = new Date("2026-12-03T10:00:05.250Z");
  const state = (level: string, lastNotifiedAt = 0): AccountState => ({
    version: 3,
    lastCycleAt: "2026-12-03T10:00:00.000Z",
    pools: { "BTCUSD_PERP#BOTH": { level, lastNotifiedAt, label: "BTCUSD_PERP long isolated" } },
    health: { consecutiveFailures: 0, alerted: false },
    outbox: {},
  });

  it("warning -> critical at the mark: one escalation, marked as from the mark price, state raised", () => {
    // Act
    const { state: next, alerts } = evaluateMarkEscalations(config, state("warning"), [isolatedAt(58_500)], "main", at);

    // Assess
    expect(alerts).toHaveLength(1);
    const alert = alerts[0];
    if (alert?.type !== "margin") throw new Error("not a margin alert");
    expect(alert).toMatchObject({
      notice: "escalated",
      level: "critical",
      previousLevel: "warning",
      source: "mark-price",
      id: "2026-12-03T10:00:05.250Z#main#BTCUSD_PERP#BOTH#escalated#mark",
    });
    expect(next.pools["BTCUSD_PERP#BOTH"]?.level).toBe("critical");
    expect(next.lastCycleAt).toBe("2026-12-03T10:00:00.000Z");
    expect(next.health).toEqual(state("warning").health);
    const rendered = renderAlert(alert);
    expect(rendered.subject).toContain("rose to CRITICAL (was warning) at mark");
    expect(rendered.sms.length).toBeLessThanOrEqual(SMS_MAX);
    expect(rendered.email).toContain("Source: Binance's mark price stream, between two signed reads");
  });

  it("a mark below the held level changes nothing: no recovery, no reminder, state as it was", () => {
    for (const [held, mark] of [
      ["critical", 62_000],
      ["critical", 90_000],
      ["warning", 62_000],
    ] as const) {
      const prev = state(held);
      const { state: next, alerts } = evaluateMarkEscalations(config, prev, [isolatedAt(mark)], "main", at);
      expect(alerts).toEqual([]);
      expect(next.pools).toEqual(prev.pools);
    }
  });

  it("a read's alert and a mark's alert never share an id", () => {
    const { alerts } = evaluateMarkEscalations(config, state("ok"), [isolatedAt(62_000)], "main", at);
    expect(alerts[0]?.id).toMatch(/#mark$/);
  });
});
