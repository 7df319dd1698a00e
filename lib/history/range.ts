/**
 * Times and durations as people type them on the command line, and as the stack states its
 * schedule. Pure: every function returns undefined for text it does not understand, and the
 * command turns that into a usage error with an example.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * The longest duration understood: a century. Anything longer cannot name a time the table
 * holds, and `99999999w` back from now is before the earliest Date (it printed "Invalid time
 * value" and exited 1); it is a usage error instead.
 */
export const MAX_DURATION_MS = 100 * 365.25 * 86_400_000;

/** The earliest and latest instants a Date can hold (±8.64e15 ms, ECMA-262 21.4.1.1). */
const DATE_LIMIT_MS = 8.64e15;

/** "90s", "15m", "24h", "7d", "2w", or combined like "1h30m". Milliseconds, or undefined (also past MAX_DURATION_MS). */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  // Bounded before the pattern runs: a duration is a few characters.
  if (t.length > 64 || !/^(\d+(\.\d+)?[smhdw])+$/.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ""] ?? Number.NaN);
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_DURATION_MS ? Math.round(ms) : undefined;
}

/** A Date for `ms`, or undefined where no valid Date exists (so nothing later throws "Invalid time value"). */
function validDate(ms: number): Date | undefined {
  return Number.isFinite(ms) && Math.abs(ms) <= DATE_LIMIT_MS ? new Date(ms) : undefined;
}

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An instant: "now", a duration back from `now` ("24h" = 24 hours ago), or an ISO 8601 date or
 * date-time. A date-time without a zone is UTC, like every time this tool prints.
 *
 * A date alone is a whole day: its first millisecond, or with `endOfDay` (an inclusive end such
 * as --until) its last, so `--until 2026-10-31` keeps October's last day.
 */
export function parseInstant(text: string, now: Date, options: { endOfDay?: boolean } = {}): Date | undefined {
  const t = text.trim();
  if (t.toLowerCase() === "now") return validDate(now.getTime());
  const ago = parseDuration(t);
  if (ago !== undefined) return validDate(now.getTime() - ago);
  const m = ISO.exec(t);
  if (!m) return undefined;
  const [, date, time, zone] = m;
  const iso = `${date}T${time ?? "00:00"}${zone ? zone.toUpperCase() : "Z"}`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  // Reject dates the Date parser silently rolls over (2026-02-30 -> March 2).
  if (!zone && d.toISOString().slice(0, 10) !== date) return undefined;
  return time === undefined && options.endOfDay ? validDate(d.getTime() + 86_400_000 - 1) : d;
}

/**
 * The schedule interval in milliseconds from an EventBridge expression: "rate(1 minute)",
 * "rate(5 minutes)", "rate(2 hours)", "rate(1 day)", or a cron whose minute field is "*" or
 * "0/N" / "*\/N" with every hour. Undefined for anything else.
 */
export function parseScheduleExpression(text: string): number | undefined {
  const t = text.trim();
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/i.exec(t);
  if (rate) {
    const n = Number(rate[1]);
    const unit = (rate[2] ?? "").toLowerCase().replace(/s$/, "");
    const ms = unit === "minute" ? 60_000 : unit === "hour" ? 3_600_000 : 86_400_000;
    return n > 0 ? n * ms : undefined;
  }
  const cron = /^cron\(\s*(\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+(?:\s+\S+)?\s*\)$/i.exec(t);
  if (cron) {
    const [, minute, hour] = cron;
    if (hour !== "*") return undefined;
    if (minute === "*") return 60_000;
    const step = /^(?:0|\*)\/(\d+)$/.exec(minute ?? "");
    if (step && Number(step[1]) > 0) return Number(step[1]) * 60_000;
  }
  return undefined;
}

/** An interval as given to --interval: a duration ("1m") or a schedule expression. */
export function parseInterval(text: string): number | undefined {
  return parseDuration(text) ?? parseScheduleExpression(text);
}

/** A short age or duration for people: "42s", "3m 05s", "2h 07m", "3d 4h". */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  const negative = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  const text = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${pad(m)}m` : m > 0 ? `${m}m ${pad(s)}s` : `${s}s`;
  return negative ? `-${text}` : text;
}

/** A whole interval compactly: "1m", "90s", "1h30m", "1d". */
export function formatInterval(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.length > 0 ? parts.join("") : `${ms}ms`;
}

/** "2026-11-24 22:28:58" (UTC, seconds), the way tables and charts print a time. */
export function formatTime(iso: string): string {
  return iso.length >= 19 ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso;
}
