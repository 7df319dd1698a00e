import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decideHealth,
  decidePool,
  HEALTHY,
  type HealthState,
  nextLevel,
  type PolicySettings,
  type PoolAlertState,
} from "../../lib/alerts/policy.js";
import { DEFAULT_ALERT_LEVELS, levelForRatio, levelRank } from "../../lib/risk/levels.js";

const policy: PolicySettings = { levels: DEFAULT_ALERT_LEVELS, hysteresis: 0.05, renotifyMs: 60 * 60_000 };
const noReminders: PolicySettings = { ...policy, renotifyMs: 0 };

/** Feed ratios one minute apart and collect the notices. */
function play(ratios: readonly number[], settings = noReminders) {
  let state: PoolAlertState | undefined;
  const notices: Array<{ notice: string; level: string; from: string; ratio: number }> = [];
  const minutes: number[] = [];
  ratios.forEach((ratio, i) => {
    const d = decidePool(state, { ratio, distance: null }, i * 60_000, settings);
    if (d.notice) notices.push({ notice: d.notice, level: d.next.level, from: d.previousLevel, ratio });
    if (d.notice) minutes.push(i);
    state = d.next;
  });
  return { notices, minutes, final: state };
}

describe("levelForRatio", () => {
  it.each([
    [0, "ok"],
    [0.4999, "ok"],
    [0.5, "warning"],
    [0.79, "warning"],
    [0.8, "critical"],
    [1.4, "critical"],
    [Number.POSITIVE_INFINITY, "critical"],
  ])("ratio %s is %s", (ratio, level) => {
    expect(levelForRatio(ratio, DEFAULT_ALERT_LEVELS)).toBe(level);
  });
});

describe("nextLevel (hysteresis)", () => {
  it("escalates at once, even across two levels", () => {
    expect(nextLevel("ok", 0.85, policy)).toBe("critical");
  });
  it("holds a level inside the hysteresis band", () => {
    expect(nextLevel("critical", 0.76, policy)).toBe("critical");
    expect(nextLevel("warning", 0.451, policy)).toBe("warning");
  });
  it("falls only below threshold minus hysteresis, to the highest level still held", () => {
    expect(nextLevel("critical", 0.749, policy)).toBe("warning");
    expect(nextLevel("critical", 0.46, policy)).toBe("warning");
    expect(nextLevel("critical", 0.44, policy)).toBe("ok");
  });
  it("starts from the raw level when the stored level is no longer configured", () => {
    expect(nextLevel("danger", 0.6, policy)).toBe("warning");
  });
});

describe("decidePool", () => {
  it("alerts on the way up and once on the way down", () => {
    const { notices, final } = play([0.1, 0.55, 0.6, 0.82, 0.9, 0.77, 0.7, 0.6, 0.47, 0.44, 0.2]);
    expect(notices).toEqual([
      { notice: "escalated", level: "warning", from: "ok", ratio: 0.55 },
      { notice: "escalated", level: "critical", from: "warning", ratio: 0.82 },
      { notice: "recovered", level: "warning", from: "critical", ratio: 0.7 },
      { notice: "recovered", level: "ok", from: "warning", ratio: 0.44 },
    ]);
    expect(final?.level).toBe("ok");
  });

  it("does not flap around a threshold", () => {
    const { notices } = play([0.49, 0.51, 0.49, 0.51, 0.48, 0.5, 0.46]);
    expect(notices.map((n) => n.notice)).toEqual(["escalated"]);
  });

  it("treats a gone margin balance (infinite ratio) as the top level", () => {
    const { notices } = play([0.2, Number.POSITIVE_INFINITY]);
    expect(notices).toEqual([{ notice: "escalated", level: "critical", from: "ok", ratio: Number.POSITIVE_INFINITY }]);
  });

  it("reminds every renotify interval while at warning or above, never at ok", () => {
    const ratios = Array.from({ length: 181 }, (_, i) => (i < 121 ? 0.6 : 0.1));
    const { notices, minutes } = play(ratios, policy);
    expect(notices.map((n, i) => `${n.notice}@${minutes[i]}`)).toEqual([
      "escalated@0",
      "reminder@60",
      "reminder@120",
      "recovered@121",
    ]);
  });
});

describe("alert policy properties", () => {
  const ratio = fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: 0, max: 1.5, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(0.45, 0.5, 0.75, 0.8, Number.POSITIVE_INFINITY) },
  );

  it("alerts exactly on the level changes the policy defines, never two identical in a row", () => {
    fc.assert(
      fc.property(fc.array(ratio, { maxLength: 80 }), (ratios) => {
        let level = "ok";
        let previousNotice: string | undefined;
        ratios.forEach((r, i) => {
          const d = decidePool({ level, lastNotifiedAt: 0 }, { ratio: r, distance: null }, i, noReminders);
          const before = levelRank(level, policy.levels);
          const after = levelRank(d.next.level, policy.levels);
          const raw = levelRank(levelForRatio(r, policy.levels), policy.levels);
          // Escalation: at once, to the raw level.
          if (raw > before)
            expect(d).toMatchObject({ notice: "escalated", next: { level: levelForRatio(r, policy.levels) } });
          // De-escalation only below the held threshold minus the hysteresis.
          if (after < before) {
            const held = policy.levels[before - 1];
            expect(held && r < held.ratio - policy.hysteresis).toBe(true);
            expect(d.notice).toBe("recovered");
          }
          if (after === before) expect(d.notice).toBeUndefined();
          const key = d.notice ? `${d.notice}:${d.next.level}` : undefined;
          if (key) expect(key).not.toBe(previousNotice);
          if (key) previousNotice = key;
          level = d.next.level;
        });
      }),
    );
  });

  it("ends at the raw level whenever the last ratio is outside every hysteresis band", () => {
    fc.assert(
      fc.property(fc.array(ratio, { maxLength: 40 }), fc.constantFrom(0.1, 0.6, 0.9), (ratios, last) => {
        const { final } = play([...ratios, last]);
        expect(final?.level).toBe(levelForRatio(last, policy.levels));
      }),
    );
  });
});

describe("decideHealth", () => {
  const fail = { ok: false as const, kind: "binance-unavailable", needsHuman: false };
  const run = (outcomes: Parameters<typeof decideHealth>[1][]) => {
    let state: HealthState = HEALTHY;
    return outcomes.map((o) => {
      const d = decideHealth(state, o, 3);
      state = d.next;
      return d.notice ?? "-";
    });
  };

  it("alerts once after three consecutive failures and once on restore", () => {
    expect(run([fail, fail, fail, fail, fail, { ok: true }, { ok: true }])).toEqual([
      "-",
      "-",
      "unreachable",
      "-",
      "-",
      "restored",
      "-",
    ]);
  });

  it("alerts at once when a human must act", () => {
    expect(run([{ ok: false, kind: "binance-auth", needsHuman: true }, fail])).toEqual(["unreachable", "-"]);
  });

  it("stays quiet for failures that heal before the threshold", () => {
    expect(run([fail, fail, { ok: true }, fail, fail, { ok: true }])).toEqual(["-", "-", "-", "-", "-", "-"]);
  });
});
