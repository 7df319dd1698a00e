/**
 * Monitor configuration, read from environment variables once at start-up. The Lambda and the
 * local runner share this module, so what works locally is what runs in AWS.
 */

import { COINM_STREAM_URL, checkStreamUrl } from "./binance/stream/url.js";
import { ConfigError } from "./core/errors.js";
import { LOG_LEVELS } from "./core/log.js";
import { type Env, isLoopback, NAME, number, parseJson, read, required } from "./core/parse.js";
import { parseSecretRef } from "./keys/secret-ref.js";
import { checkLevelOverrides, type LevelOverrides, parseLevelOverrides } from "./risk/level-overrides.js";
import {
  type AlertLevel,
  DEFAULT_ALERT_LEVELS,
  type DistanceLevel,
  defaultDistanceLevels,
  parseAlertLevels,
  parseDistanceLevels,
} from "./risk/levels.js";

/** An account to monitor and where its API key lives. */
export interface AccountConfig {
  /** Alias used in logs, alerts and the table key; never the API key. */
  readonly name: string;
  /** Secrets Manager secret name or ARN, with `#key` for an entry of a shared secret (secret-ref.ts). */
  readonly secretId: string;
  /** This account's own ratio/distance levels, and per asset or symbol (lib/risk/level-overrides.ts). */
  readonly levels?: LevelOverrides;
}

export interface MonitorConfig {
  readonly snapshotTable: string;
  readonly alertTopicArn: string;
  readonly accounts: readonly AccountConfig[];
  /** Sorted by ratio, ascending. */
  readonly alertLevels: readonly AlertLevel[];
  readonly hysteresis: number;
  /** Distance thresholds, each naming one of `alertLevels`; tighter for more severe levels. */
  readonly distanceLevels: readonly DistanceLevel[];
  /** A distance level clears only when the distance rises this far above its threshold. */
  readonly distanceHysteresis: number;
  readonly renotifyMinutes: number;
  readonly snapshotTtlDays: number;
  readonly binanceBaseUrl: string;
  /** The spot API, used only for the daily key permission check. */
  readonly binanceSpotBaseUrl: string;
  readonly recvWindowMs: number;
  /** How many accounts are read at once. */
  readonly accountConcurrency: number;
  /** Per-minute request weight the monitor's IP may use (COIN-M REQUEST_WEIGHT limit). */
  readonly weightLimitPerMinute: number;
  /** Which MarginRatio custom metrics to emit (each costs $0.30 a month); see RatioMetrics. */
  readonly ratioMetrics: RatioMetrics;
  /** Consecutive failed cycles before a "cannot read account" alert. */
  readonly failuresBeforeAlert: number;
  /** Seconds between re-reads of an account at warning or above (lib/monitor/cadence.ts); 0 = off. */
  readonly fastPollSeconds: number;
  /** Seconds between scheduled invocations, for a rate() schedule; undefined for cron. */
  readonly scheduleIntervalSeconds: number | undefined;
  /** COIN-M's public market stream (mark prices between signed reads, lib/monitor/mark-watch.ts). */
  readonly binanceStreamUrl: string;
  /** Whether watched accounts are also judged at every mark from the stream (MARK_STREAM=off: re-reads only). */
  readonly markStream: boolean;
}

/**
 * MarginRatio custom metrics: none (the dashboard reads the ratios from the logs with Logs
 * Insights, free at rest), one per account (its worst asset: for an alarm or a 15-month history
 * per account), or one per account and asset. Each metric is $0.30 a month, which at 100 accounts
 * with 3 assets was $90 of a $135 bill (docs/performance.md, "Cost model").
 */
export type RatioMetrics = "off" | "worst" | "per-asset";
export const RATIO_METRICS_VALUES: readonly RatioMetrics[] = ["off", "worst", "per-asset"];

export const DEFAULTS = {
  hysteresis: 0.05,
  distanceHysteresis: 0.01,
  renotifyMinutes: 60,
  snapshotTtlDays: 90,
  binanceBaseUrl: "https://dapi.binance.com",
  binanceSpotBaseUrl: "https://api.binance.com",
  recvWindowMs: 5000,
  accountConcurrency: 16,
  weightLimitPerMinute: 2400,
  ratioMetrics: "off" as RatioMetrics,
  failuresBeforeAlert: 3,
  fastPollSeconds: 10,
  binanceStreamUrl: COINM_STREAM_URL,
  markStream: true,
} as const;

/** A RatioMetrics value; true/false are accepted for configs written before there were three. */
export function parseRatioMetrics(text: string, variable = "RATIO_METRICS"): RatioMetrics {
  const value = text.trim().toLowerCase();
  if (value === "true") return "per-asset";
  if (value === "false") return "off";
  const found = RATIO_METRICS_VALUES.find((v) => v === value);
  if (!found) throw new ConfigError(variable, `must be one of ${RATIO_METRICS_VALUES.join(", ")}, got "${text}"`);
  return found;
}

/** Parse and check the ACCOUNTS JSON: unique, key-safe names and a secret id each. */
export function parseAccounts(text: string, variable = "ACCOUNTS"): AccountConfig[] {
  const raw = parseJson(variable, text);
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new ConfigError(variable, 'must be a non-empty JSON array of {"name": "...", "secretId": "..."}');
  }
  const seen = new Set<string>();
  return raw.map((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) throw new ConfigError(variable, `entry ${i} is not an object`);
    const { name, secretId, levels: rawLevels } = entry as Record<string, unknown>;
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new ConfigError(variable, `entry ${i}: "name" must be 1-64 letters, digits, "_", "." or "-"`);
    }
    if (typeof secretId !== "string" || secretId.trim() === "") {
      throw new ConfigError(variable, `entry ${i} (${name}): "secretId" must be a non-empty string`);
    }
    const ref = parseSecretRef(secretId.trim());
    if ("problem" in ref) throw new ConfigError(variable, `entry ${i} (${name}): "secretId" ${ref.problem}`);
    if (seen.has(name)) throw new ConfigError(variable, `account name "${name}" appears twice`);
    seen.add(name);
    if (rawLevels !== undefined && (typeof rawLevels !== "object" || rawLevels === null || Array.isArray(rawLevels))) {
      throw new ConfigError(variable, `entry ${i} (${name}): "levels" must be an object`);
    }
    const levels = rawLevels
      ? parseLevelOverrides(rawLevels as Record<string, unknown>, `${variable}[${i}].levels`)
      : undefined;
    return { name, secretId: secretId.trim(), ...(levels ? { levels } : {}) };
  });
}

/** A Binance base URL from `variable`: https, or plain http on loopback only; returned as its origin. */
export function binanceUrl(env: Env, variable: "BINANCE_BASE_URL" | "BINANCE_SPOT_BASE_URL"): string {
  const fallback = variable === "BINANCE_BASE_URL" ? DEFAULTS.binanceBaseUrl : DEFAULTS.binanceSpotBaseUrl;
  const text = read(env, variable) ?? fallback;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(variable, `is not a URL: "${text}"`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(variable, "must use https (plain http is allowed only on loopback)");
  }
  return url.origin;
}

/** The market stream's origin from BINANCE_STREAM_URL: wss, or plain ws on loopback only. */
export function binanceStreamUrl(env: Env, variable = "BINANCE_STREAM_URL"): string {
  const checked = checkStreamUrl(read(env, variable) ?? DEFAULTS.binanceStreamUrl);
  if ("problem" in checked) throw new ConfigError(variable, checked.problem);
  return checked.origin;
}

function onOff(env: Env, variable: string, fallback: boolean): boolean {
  const text = read(env, variable)?.toLowerCase();
  if (text === undefined) return fallback;
  if (text === "on" || text === "true") return true;
  if (text === "off" || text === "false") return false;
  throw new ConfigError(variable, `must be "on" or "off", got "${text}"`);
}

// SNS topic ARNs in every partition (aws, aws-cn, aws-us-gov, aws-iso...); FIFO topics end in ".fifo".
const TOPIC_ARN = /^arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

function topicArn(env: Env): string {
  const value = required(env, "ALERT_TOPIC_ARN");
  if (!TOPIC_ARN.test(value)) {
    throw new ConfigError("ALERT_TOPIC_ARN", `is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME): "${value}"`);
  }
  return value;
}

/** Read and validate every variable; throws a ConfigError naming the first bad one. */
export function loadConfig(env: Env = process.env): MonitorConfig {
  const alertLevels = read(env, "ALERT_LEVELS")
    ? parseAlertLevels(required(env, "ALERT_LEVELS"))
    : [...DEFAULT_ALERT_LEVELS];
  const hysteresis = number(env, "HYSTERESIS", DEFAULTS.hysteresis, { min: 0, max: 0.5 });
  const lowest = alertLevels[0];
  if (lowest && hysteresis >= lowest.ratio) {
    throw new ConfigError("HYSTERESIS", `must be below the lowest alert level (${lowest.ratio})`);
  }
  // Fractions are allowed so a simulation can scale time down (bench/latency.ts).
  const fastPollSeconds = number(env, "FAST_POLL_SECONDS", DEFAULTS.fastPollSeconds, { min: 0, max: 3600 });
  const scheduleIntervalSeconds = read(env, "SCHEDULE_INTERVAL_SECONDS")
    ? number(env, "SCHEDULE_INTERVAL_SECONDS", 60, { min: 1, max: 86_400 })
    : undefined;
  if (scheduleIntervalSeconds !== undefined && fastPollSeconds > scheduleIntervalSeconds / 2) {
    throw new ConfigError(
      "FAST_POLL_SECONDS",
      `must be at most half the schedule interval (${scheduleIntervalSeconds / 2} s), got ${fastPollSeconds}`,
    );
  }
  const distanceText = read(env, "DISTANCE_LEVELS");
  const distanceLevels =
    distanceText !== undefined ? parseDistanceLevels(distanceText, alertLevels) : defaultDistanceLevels(alertLevels);
  const accounts = parseAccounts(required(env, "ACCOUNTS"));
  accounts.forEach((a, i) => {
    checkLevelOverrides(
      a.levels,
      { ratio: alertLevels, distance: distanceLevels },
      hysteresis,
      `ACCOUNTS[${i}].levels`,
    );
  });
  return {
    snapshotTable: required(env, "SNAPSHOT_TABLE"),
    alertTopicArn: topicArn(env),
    accounts,
    alertLevels,
    hysteresis,
    distanceLevels,
    distanceHysteresis: number(env, "DISTANCE_HYSTERESIS", DEFAULTS.distanceHysteresis, { min: 0, max: 0.5 }),
    renotifyMinutes: number(env, "RENOTIFY_MINUTES", DEFAULTS.renotifyMinutes, { min: 0, max: 10080, integer: true }),
    snapshotTtlDays: number(env, "SNAPSHOT_TTL_DAYS", DEFAULTS.snapshotTtlDays, { min: 1, max: 3650, integer: true }),
    binanceBaseUrl: binanceUrl(env, "BINANCE_BASE_URL"),
    binanceSpotBaseUrl: binanceUrl(env, "BINANCE_SPOT_BASE_URL"),
    recvWindowMs: number(env, "RECV_WINDOW_MS", DEFAULTS.recvWindowMs, { min: 1, max: 60000, integer: true }),
    accountConcurrency: number(env, "ACCOUNT_CONCURRENCY", DEFAULTS.accountConcurrency, {
      min: 1,
      max: 256,
      integer: true,
    }),
    weightLimitPerMinute: number(env, "BINANCE_WEIGHT_LIMIT", DEFAULTS.weightLimitPerMinute, {
      min: 10,
      max: 100000,
      integer: true,
    }),
    ratioMetrics: parseRatioMetrics(read(env, "RATIO_METRICS") ?? DEFAULTS.ratioMetrics),
    failuresBeforeAlert: number(env, "FAILURES_BEFORE_ALERT", DEFAULTS.failuresBeforeAlert, {
      min: 1,
      max: 100,
      integer: true,
    }),
    fastPollSeconds,
    scheduleIntervalSeconds,
    binanceStreamUrl: binanceStreamUrl(env),
    markStream: onOff(env, "MARK_STREAM", DEFAULTS.markStream),
  };
}

/**
 * Every problem in `env` at once (loadConfig stops at the first), for `run-once`, which should
 * not make a person fix one variable per run. LOG_LEVEL is checked here too: the logger falls
 * back to info rather than stop the monitor, but a person running it by hand wants to know.
 */
export function configProblems(env: Env = process.env): ConfigError[] {
  const problems: ConfigError[] = [];
  const check = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      if (!problems.some((p) => p.variable === err.variable)) problems.push(err);
    }
  };
  check(() => required(env, "SNAPSHOT_TABLE"));
  check(() => topicArn(env));
  check(() => parseAccounts(required(env, "ACCOUNTS")));
  check(() => read(env, "ALERT_LEVELS") && parseAlertLevels(required(env, "ALERT_LEVELS")));
  check(() => number(env, "HYSTERESIS", DEFAULTS.hysteresis, { min: 0, max: 0.5 }));
  check(() => number(env, "RENOTIFY_MINUTES", 0, { min: 0, max: 10080, integer: true }));
  check(() => number(env, "SNAPSHOT_TTL_DAYS", 1, { min: 1, max: 3650, integer: true }));
  check(() => binanceUrl(env, "BINANCE_BASE_URL"));
  check(() => binanceUrl(env, "BINANCE_SPOT_BASE_URL"));
  check(() => binanceStreamUrl(env));
  check(() => onOff(env, "MARK_STREAM", true));
  check(() => number(env, "DISTANCE_HYSTERESIS", 0, { min: 0, max: 0.5 }));
  check(() => number(env, "RECV_WINDOW_MS", 1, { min: 1, max: 60000, integer: true }));
  check(() => number(env, "ACCOUNT_CONCURRENCY", 1, { min: 1, max: 256, integer: true }));
  check(() => number(env, "BINANCE_WEIGHT_LIMIT", 10, { min: 10, max: 100000, integer: true }));
  check(() => parseRatioMetrics(read(env, "RATIO_METRICS") ?? DEFAULTS.ratioMetrics));
  check(() => number(env, "FAILURES_BEFORE_ALERT", 1, { min: 1, max: 100, integer: true }));
  check(() => {
    const level = read(env, "LOG_LEVEL");
    if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level.toLowerCase())) {
      throw new ConfigError("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}, got "${level}"`);
    }
  });
  // Whatever loadConfig checks that the list above does not (a rule across variables, or one added later).
  check(() => loadConfig(env));
  return problems;
}
