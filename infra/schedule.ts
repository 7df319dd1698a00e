/**
 * EventBridge schedule expressions and the time windows derived from them. The heartbeat alarm,
 * the async event age and the dashboard period all depend on how often the monitor runs, so they
 * are computed here from one parsed schedule instead of being guessed in each construct.
 */

export interface ParsedSchedule {
  /** The expression exactly as EventBridge receives it. */
  readonly expression: string;
  /** Minutes between runs for `rate(...)`; undefined for `cron(...)`, whose gaps can vary. */
  readonly intervalMinutes: number | undefined;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 1440 };
/** Longest rate accepted: the heartbeat window (twice the interval) must fit CloudWatch's 1-day limit. */
export const MAX_INTERVAL_MINUTES = 720;

/** Parse `rate(N unit)` or `cron(6 fields)`; returns a problem description instead of throwing. */
export function parseSchedule(text: string): ParsedSchedule | { problem: string } {
  const expression = text.trim();
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] ?? "";
    const singular = unit.replace(/s$/, "");
    // EventBridge rejects "rate(1 minutes)" and "rate(5 minute)" at deploy time; catch it at synth.
    if (value === 1 && unit !== singular) return { problem: `use the singular unit for 1: "rate(1 ${singular})"` };
    if (value !== 1 && unit === singular) return { problem: `use the plural unit: "rate(${value} ${singular}s)"` };
    const intervalMinutes = value * (UNIT_MINUTES[singular] ?? Number.NaN);
    if (!(intervalMinutes >= 1 && intervalMinutes <= MAX_INTERVAL_MINUTES)) {
      return { problem: `the interval must be between 1 minute and ${MAX_INTERVAL_MINUTES / 60} hours` };
    }
    return { expression, intervalMinutes };
  }
  if (/^cron\(.+\)$/.test(expression)) {
    const fields = expression.slice(5, -1).trim().split(/\s+/);
    if (fields.length !== 6) {
      return {
        problem: `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
      };
    }
    return { expression, intervalMinutes: undefined };
  }
  return { problem: 'must be "rate(N minutes|hours)" or "cron(...)", e.g. "rate(1 minute)"' };
}

/**
 * Heartbeat alarm window: at least 5 minutes, and at least two intervals so that jitter in when
 * a run finishes can never leave one window empty while the monitor is healthy.
 */
export function defaultHeartbeatWindowMinutes(intervalMinutes: number): number {
  return Math.max(5, 2 * intervalMinutes);
}

/**
 * How long a scheduled event stays worth delivering. Once the next tick has fired, an older
 * event only replays a superseded cycle, so one interval (bounded to what Lambda and EventBridge
 * accept: 1 minute to 6 hours) is the useful life of an event.
 */
export function eventLifetimeMinutes(schedule: ParsedSchedule): number {
  const interval = schedule.intervalMinutes ?? 60;
  return Math.min(360, Math.max(1, interval));
}

/** Period of the dashboard's ratio graph: one point per run, at CloudWatch's 1-minute resolution or coarser. */
export function metricPeriodMinutes(schedule: ParsedSchedule): number {
  return Math.max(1, schedule.intervalMinutes ?? 5);
}

/** Lambda's ceiling on a function's timeout. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/**
 * The monitor function's timeout: one schedule interval (at most Lambda's 15 minutes; a minute for
 * cron schedules). An invocation that finds an account at risk keeps re-reading it until half a
 * fast-poll interval before the next run (lib/monitor/cadence.ts), so it needs almost the whole interval;
 * a calm invocation returns in about a second whatever the timeout. Longer than the interval
 * would let a stuck invocation overlap the next one for long; the handler stops reading 4 s
 * before the timeout to leave time for state writes and alerts.
 */
export function monitorTimeoutSeconds(schedule: ParsedSchedule): number {
  return Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, (schedule.intervalMinutes ?? 1) * 60);
}
