/**
 * Adaptive cadence: when a scheduled cycle finds an account at risk (any margin pool at warning
 * or above), the same invocation keeps re-reading that account every `fastPollMs`, running the full
 * cycle (read, snapshot, policy, alerts) on each read, until half a fast-poll interval before the
 * next scheduled invocation or the Lambda deadline, whichever is first. Calm accounts are not
 * re-read, and an invocation with no account at risk returns at once.
 *
 * Each re-read is a cycle of its own with `cycleTime` = its planned time (scheduled time + k x
 * fastPollMs), strictly between this invocation's scheduled time and the next one's. So its
 * snapshot gets its own key (SNAP#<time>, never the scheduled one's), and the alert state's
 * ordering by cycle time (a cycle older than the stored one changes nothing) and its version lock
 * make an overlap with the next scheduled invocation safe: whichever writes second either builds
 * on the first or is recognised as older, so no alert is sent twice or lost.
 *
 * Re-reads go through the same Binance client and weight governor as the scheduled read, so they
 * count against the per-minute budget; an account the governor defers stays on the watch list.
 */
import type { AccountResult, CycleInput, CycleSummary } from "./cycle.js";

export interface CadenceSettings {
  /** Time between re-reads of an at-risk account; 0 turns re-reading off. */
  readonly fastPollMs: number;
  /** Time between scheduled invocations; undefined (a cron schedule) = re-read until the deadline only. */
  readonly intervalMs: number | undefined;
}

/**
 * Whether an account's latest read puts it on the fast cadence: any margin pool at warning or
 * above, on its ratio or its distance to liquidation. The one place that reads the risk model for
 * the cadence.
 */
export function isAtRisk(account: AccountResult): boolean {
  return account.status === "ok" && account.pools.some((p) => p.level !== "ok");
}

/**
 * When an invocation stops watching: half a fast-poll interval before the next scheduled run (so
 * the last re-read is done, and its state written, before that run starts in the usual case), or
 * the deadline, whichever is first.
 */
export function watchStopTime(cycleTimeMs: number, settings: CadenceSettings, deadlineMs: number): number {
  const beforeNext =
    settings.intervalMs !== undefined ? cycleTimeMs + settings.intervalMs - settings.fastPollMs / 2 : deadlineMs;
  return Math.min(beforeNext, deadlineMs);
}

/** Planned re-read times (ms) after a scheduled cycle at `cycleTimeMs`, within the stop time. */
export function rereadTimes(cycleTimeMs: number, settings: CadenceSettings, deadlineMs: number): number[] {
  if (!(settings.fastPollMs > 0)) return [];
  const stopAt = watchStopTime(cycleTimeMs, settings, deadlineMs);
  const times: number[] = [];
  for (let t = cycleTimeMs + settings.fastPollMs; t <= stopAt; t += settings.fastPollMs) times.push(t);
  return times;
}

export interface WatchOptions {
  /** The scheduled cycle's result. */
  readonly first: CycleSummary;
  /** Scheduled time of this invocation. */
  readonly cycleTime: Date;
  /** Wall-clock ms by which every read must be done (the Lambda's remaining time, less a margin). */
  readonly deadlineMs: number;
  readonly settings: CadenceSettings;
  /** Run a full cycle for these accounts only. */
  readonly reread: (accounts: readonly string[], input: CycleInput) => Promise<CycleSummary>;
  /** Each re-read's result, as it completes (the handler logs it and emits its metrics). */
  readonly onReread?: (summary: CycleSummary) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Re-read the at-risk accounts of `first` until they calm down or time runs out; returns every re-read. */
export async function watchAtRisk(options: WatchOptions): Promise<CycleSummary[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  let watching = options.first.accounts.filter(isAtRisk).map((a) => a.account);
  const out: CycleSummary[] = [];
  if (watching.length === 0) return out;
  for (const at of rereadTimes(options.cycleTime.getTime(), options.settings, options.deadlineMs)) {
    // A slow read can overrun planned slots: skip those rather than read twice in a row.
    if (at < now()) continue;
    await sleep(at - now());
    const summary = await options.reread(watching, { cycleTime: new Date(at), deadlineMs: options.deadlineMs });
    out.push(summary);
    options.onReread?.(summary);
    // Calmed down: off the list. Not read (deferred by the governor, failed): still at risk as far
    // as we know, so it stays.
    watching = watching.filter((name) => {
      const result = summary.accounts.find((a) => a.account === name);
      return result === undefined || result.status !== "ok" || isAtRisk(result);
    });
    if (watching.length === 0) break;
  }
  return out;
}
