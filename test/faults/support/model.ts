/**
 * A reference model of the margin alert policy, written from its specification rather than
 * from lib/alerts/policy.ts, so tests compare the cycle's alerts with an independent oracle:
 * rising to a higher level alerts at once; falling needs the ratio below the held level's
 * threshold minus the hysteresis and lands on the highest level still held; while at a level
 * (not "ok"), a reminder goes out once `renotifyMs` has passed since the last notice.
 */
export interface ModelLevel {
  readonly name: string;
  readonly ratio: number;
}

export interface ModelSettings {
  readonly levels: readonly ModelLevel[]; // ascending
  readonly hysteresis: number;
  readonly renotifyMs: number;
}

export interface ModelNotice {
  readonly atMs: number;
  readonly notice: "escalated" | "recovered" | "reminder";
  readonly from: string;
  readonly to: string;
}

function rank(settings: ModelSettings, name: string): number {
  return name === "ok" ? 0 : settings.levels.findIndex((l) => l.name === name) + 1;
}

function rawLevel(settings: ModelSettings, ratio: number): string {
  let name = "ok";
  for (const l of settings.levels) if (ratio >= l.ratio) name = l.name;
  return name;
}

/** Notices for one asset observed at the given (time, ratio) points, in order. */
export function modelNotices(
  settings: ModelSettings,
  observations: ReadonlyArray<{ atMs: number; ratio: number }>,
): {
  notices: ModelNotice[];
  final: string;
} {
  let held = "ok";
  let lastNotified = 0;
  const notices: ModelNotice[] = [];
  for (const { atMs, ratio } of observations) {
    const raw = rawLevel(settings, ratio);
    let next = held;
    if (rank(settings, raw) > rank(settings, held)) {
      next = raw;
    } else if (rank(settings, raw) < rank(settings, held)) {
      next = "ok";
      for (let r = rank(settings, held); r >= 1; r--) {
        const level = settings.levels[r - 1];
        if (level && ratio >= level.ratio - settings.hysteresis) {
          next = level.name;
          break;
        }
      }
    }
    if (next !== held) {
      notices.push({
        atMs,
        notice: rank(settings, next) > rank(settings, held) ? "escalated" : "recovered",
        from: held,
        to: next,
      });
      lastNotified = atMs;
    } else if (held !== "ok" && settings.renotifyMs > 0 && atMs - lastNotified >= settings.renotifyMs) {
      notices.push({ atMs, notice: "reminder", from: held, to: held });
      lastNotified = atMs;
    }
    held = next;
  }
  return { notices, final: held };
}

/** The default levels and hysteresis of lib/config.ts, restated. */
export const DEFAULT_MODEL: ModelSettings = {
  levels: [
    { name: "warning", ratio: 0.5 },
    { name: "critical", ratio: 0.8 },
  ],
  hysteresis: 0.05,
  renotifyMs: 0,
};

/** A small deterministic PRNG (mulberry32) so a failing interleaving can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A ratio walk that crosses every threshold and hysteresis band often (two decimals, 0.05..0.95). */
export function ratioWalk(random: () => number, length: number): number[] {
  const out: number[] = [];
  let r = 0.3;
  for (let i = 0; i < length; i++) {
    r = Math.min(0.95, Math.max(0.05, r + (random() - 0.5) * 0.4));
    out.push(Math.round(r * 100) / 100);
  }
  return out;
}
