/**
 * The alert policy on a pool's two measures (issue 9): distance-to-liquidation levels rise at once
 * and clear only beyond their threshold plus the distance hysteresis; a pool's level is the worse
 * of what its ratio and its distance hold. Also: alerts written before pools existed still render.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderAlert, SMS_MAX, SUBJECT_MAX } from "../../lib/alerts/messages.js";
import {
  decidePool,
  nextDistanceLevel,
  nextPoolLevel,
  type PolicySettings,
  type PoolAlertState,
  type PoolObservation,
} from "../../lib/alerts/policy.js";
import { upgradePendingAlert } from "../../lib/alerts/upgrade.js";
import { DEFAULTS } from "../../lib/config.js";
import {
  DEFAULT_ALERT_LEVELS,
  DEFAULT_DISTANCE_LEVELS,
  distanceThreshold,
  levelForDistance,
  levelRank,
  poolLevels,
  type RiskLevels,
} from "../../lib/risk/levels.js";

const LEVELS: RiskLevels = { ratio: DEFAULT_ALERT_LEVELS, distance: DEFAULT_DISTANCE_LEVELS };
const policy: PolicySettings = {
  levels: DEFAULT_ALERT_LEVELS,
  hysteresis: DEFAULTS.hysteresis,
  distanceLevels: DEFAULT_DISTANCE_LEVELS,
  distanceHysteresis: DEFAULTS.distanceHysteresis,
  renotifyMs: 0,
};

/** Feed observations one minute apart; collect every notice as "notice level (was previous)". */
function play(observations: readonly PoolObservation[], settings = policy) {
  let state: PoolAlertState | undefined;
  const notices: string[] = [];
  const levels: string[] = [];
  observations.forEach((o, i) => {
    const d = decidePool(state, o, i * 60_000, settings);
    if (d.notice) notices.push(`${i}: ${d.notice} ${d.next.level} (was ${d.previousLevel})`);
    levels.push(d.next.level);
    state = d.next;
  });
  return { notices, levels };
}

const far = 0.5; // a ratio of 50% would be warning: keep ratios low where only distance is tested
const at = (distance: number | null, ratio = 0.01): PoolObservation => ({ ratio, distance });

describe("distance levels (defaults: warning within 10%, critical within 3%)", () => {
  it("the defaults are the documented ones", () => {
    expect(DEFAULT_DISTANCE_LEVELS).toEqual([
      { name: "warning", distance: 0.1 },
      { name: "critical", distance: 0.03 },
    ]);
    expect(DEFAULTS.distanceHysteresis).toBe(0.01);
  });

  it.each([
    [null, "ok"],
    [far, "ok"],
    [0.1000001, "ok"],
    [0.1, "warning"],
    [0.0300001, "warning"],
    [0.03, "critical"],
    [0.0006, "critical"],
    [0, "critical"],
  ])("distance %s alone is %s", (distance, level) => {
    expect(levelForDistance(distance, LEVELS)).toBe(level);
  });

  it("without distance levels configured, distance never raises a level", () => {
    expect(levelForDistance(0, { ratio: DEFAULT_ALERT_LEVELS, distance: [] })).toBe("ok");
    const ratioOnly: PolicySettings = { ...policy, distanceLevels: [] };
    expect(play([at(0.001), at(0.001)], ratioOnly).notices).toEqual([]);
  });

  it("escalates at once, straight to the level reached, with one notice per change", () => {
    expect(play([at(far), at(0.08), at(0.02), at(0.01)]).notices).toEqual([
      "1: escalated warning (was ok)",
      "2: escalated critical (was warning)",
    ]);
    expect(play([at(far), at(0.001)]).notices).toEqual(["1: escalated critical (was ok)"]);
  });

  it("clears critical only beyond 3% + 1%, and warning only beyond 10% + 1%, one recovery notice each", () => {
    const { notices, levels } = play([
      at(0.02), // critical
      at(0.035), // within the band: held
      at(0.0399),
      at(0.0401), // beyond 4%: warning
      at(0.105), // within 11%: held
      at(0.1099),
      at(0.1101), // beyond 11%: ok
      at(0.2),
    ]);
    expect(levels).toEqual(["critical", "critical", "critical", "warning", "warning", "warning", "ok", "ok"]);
    expect(notices).toEqual([
      "0: escalated critical (was ok)",
      "3: recovered warning (was critical)",
      "6: recovered ok (was warning)",
    ]);
  });

  it("a price that wobbles around a threshold raises one alert, not one per wobble", () => {
    const wobble = [0.029, 0.031, 0.029, 0.033, 0.028, 0.032, 0.03].map((d) => at(d));
    expect(play(wobble).notices).toEqual(["0: escalated critical (was ok)"]);
  });

  it("falls from critical straight to ok when the price moves far away at once", () => {
    expect(play([at(0.01), at(0.5)]).notices).toEqual([
      "0: escalated critical (was ok)",
      "1: recovered ok (was critical)",
    ]);
  });

  it("a liquidation price that disappears (position closed, or none any more) leaves the level to the ratio", () => {
    expect(nextDistanceLevel("critical", null, policy)).toBe("ok");
    expect(play([at(0.01, 0.6), at(null, 0.6)]).notices).toEqual([
      "0: escalated critical (was ok)",
      "1: recovered warning (was critical)",
    ]);
  });

  it("distance thresholds attach to ratio levels by name", () => {
    expect(distanceThreshold(1, LEVELS)).toBe(0.1);
    expect(distanceThreshold(2, LEVELS)).toBe(0.03);
    expect(distanceThreshold(3, LEVELS)).toBeUndefined();
  });
});

describe("the pool's level is the worse of ratio and distance", () => {
  it.each([
    [0.85, far, "critical", "critical", "ok"],
    [0.1, 0.02, "critical", "ok", "critical"],
    [0.6, 0.05, "warning", "warning", "warning"],
    [0.6, 0.02, "critical", "warning", "critical"],
    [0.85, 0.05, "critical", "critical", "warning"],
    [0.1, null, "ok", "ok", "ok"],
    [Number.POSITIVE_INFINITY, null, "critical", "critical", "ok"],
  ])("ratio %s, distance %s: %s (ratio alone %s, distance alone %s)", (ratio, distance, level, byRatio, byDistance) => {
    expect(poolLevels(ratio, distance, LEVELS)).toEqual({ level, ratioLevel: byRatio, distanceLevel: byDistance });
    expect(decidePool(undefined, { ratio, distance }, 0, policy).next.level).toBe(level);
  });

  it("each measure keeps its own hysteresis: a level holds while either measure still holds it", () => {
    // Critical by ratio (85%); the ratio falls to 78% (within 80% − 5%) while the distance is far.
    expect(play([at(far, 0.85), at(far, 0.78), at(far, 0.74)]).notices).toEqual([
      "0: escalated critical (was ok)",
      "2: recovered warning (was critical)",
    ]);
    // Critical by distance; the ratio is low: the distance band alone holds it.
    expect(nextPoolLevel("critical", at(0.035, 0.01), policy)).toBe("critical");
    // Critical by ratio; the distance has cleared: the ratio band alone holds it.
    expect(nextPoolLevel("critical", at(far, 0.76), policy)).toBe("critical");
    expect(nextPoolLevel("critical", at(far, 0.74), policy)).toBe("warning");
  });

  it("reminders follow the pool's held level, whichever measure holds it", () => {
    const reminding: PolicySettings = { ...policy, renotifyMs: 2 * 60_000 };
    expect(play([at(0.02), at(0.02), at(0.035), at(0.035), at(0.5)], reminding).notices).toEqual([
      "0: escalated critical (was ok)",
      "2: reminder critical (was critical)",
      "4: recovered ok (was critical)",
    ]);
  });

  it("property: never below what the measures say now, never cleared inside a band, a notice only on change", () => {
    const observation = fc.record({
      ratio: fc.oneof(fc.double({ min: 0, max: 1.5, noNaN: true }), fc.constant(Number.POSITIVE_INFINITY)),
      distance: fc.option(fc.double({ min: 0, max: 0.3, noNaN: true }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(observation, { minLength: 1, maxLength: 40 }), (observations) => {
        let state: PoolAlertState | undefined;
        observations.forEach((o, i) => {
          const d = decidePool(state, o, i * 60_000, policy);
          const rank = (l: string) => levelRank(l, DEFAULT_ALERT_LEVELS);
          const held = rank(d.previousLevel);
          expect(rank(d.next.level)).toBeGreaterThanOrEqual(rank(poolLevels(o.ratio, o.distance, LEVELS).level));
          const threshold = distanceThreshold(held, LEVELS);
          if (held > 0 && o.distance !== null && threshold !== undefined) {
            if (o.distance <= threshold + DEFAULTS.distanceHysteresis)
              expect(rank(d.next.level)).toBeGreaterThanOrEqual(held);
          }
          const ratioThreshold = DEFAULT_ALERT_LEVELS[held - 1]?.ratio;
          if (held > 0 && ratioThreshold !== undefined && o.ratio >= ratioThreshold - DEFAULTS.hysteresis) {
            expect(rank(d.next.level)).toBeGreaterThanOrEqual(held);
          }
          expect(d.notice !== undefined).toBe(d.next.level !== d.previousLevel);
          state = d.next;
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe("alerts written before margin pools existed", () => {
  /** An outbox entry exactly as the per-asset monitor stored it. */
  const oldEntry = {
    alert: {
      type: "margin",
      id: "2026-11-24T12:00:00.000Z#main#BTC#escalated",
      account: "main",
      asset: "BTC",
      notice: "escalated",
      level: "warning",
      previousLevel: "ok",
      ratio: 0.62,
      maintMargin: "0.62000000",
      marginBalance: "1.00000000",
      at: "2026-11-24T12:00:00.000Z",
    },
    notBefore: 0,
    attempts: 1,
  };

  it("upgrade to the BTC cross pool, keeping the id, level and figures", () => {
    const upgraded = upgradePendingAlert(oldEntry);
    expect(upgraded).toMatchObject({
      notBefore: 0,
      attempts: 1,
      alert: {
        type: "margin",
        id: oldEntry.alert.id,
        pool: "BTC",
        poolLabel: "BTC cross",
        poolKind: "cross",
        asset: "BTC",
        level: "warning",
        previousLevel: "ok",
        ratio: 0.62,
        distance: null,
        requirement: "0.62000000",
        collateral: "1.00000000",
      },
    });
    expect(upgraded?.alert).not.toHaveProperty("maintMargin");
  });

  it("render as a BTC cross alert that fits an SMS and a subject", () => {
    const upgraded = upgradePendingAlert(oldEntry);
    if (!upgraded) throw new Error("not upgraded");
    const r = renderAlert(upgraded.alert);
    expect(r.subject).toBe("coinm-guard: main BTC cross rose to WARNING (was ok), ratio 62.0%");
    expect(r.sms).toBe("coinm-guard main BTC cross: rose to WARNING (was ok). Ratio 62.0%, no liq price.");
    expect(r.email).toContain("Margin ratio: 62.0% = requirement 0.62000000 / collateral 1.00000000 BTC");
    expect(r.email).toContain("no position in this pool has a liquidation price");
    expect(r.sms.length).toBeLessThanOrEqual(SMS_MAX);
    expect(r.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
  });

  it("leave today's alerts and health alerts as they are, and refuse what is not an outbox entry", () => {
    const health = { alert: { type: "health", id: "h", account: "main", notice: "restored", failures: 3, at: "x" } };
    expect(upgradePendingAlert(health)).toEqual(health);
    const upgraded = upgradePendingAlert(oldEntry);
    expect(upgradePendingAlert(upgraded)).toEqual(upgraded);
    expect(upgradePendingAlert("nonsense")).toBeUndefined();
    expect(upgradePendingAlert({ alert: null })).toBeUndefined();
  });
});
