/**
 * Monitor configuration, read from environment variables once at start-up. The Lambda and the
 * local runner share this module, so what works locally is what runs in AWS.
 */
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { BINANCE_HOSTS, binanceStreamUrl, binanceUrl } from "./binance/hosts.js";
import { PM_WEIGHT_LIMIT } from "./binance/portfolio/reader.js";
import { MARGIN_MODES, type MarginMode } from "./binance/portfolio/recognise.js";
import { COINM_STREAM_URL } from "./binance/stream/url.js";
import { ConfigError } from "./core/errors.js";
import { LOG_LEVELS } from "./core/log.js";
import { type Env, NAME, number, parseJson, read, required } from "./core/parse.js";
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
import {
  DEFAULT_PORTFOLIO_HYSTERESIS,
  defaultPortfolioLevels,
  type PortfolioLevel,
  parsePortfolioLevels,
} from "./risk/portfolio.js";

/** An account to monitor and where its API key lives. */
export interface AccountConfig {
  /** Alias used in logs, alerts and the table key; never the API key. */
  readonly name: string;
  /** Secrets Manager secret name or ARN, with `#key` for an entry of a shared secret (secret-ref.ts). */
  readonly secretId: string;
  /** This account's own ratio/distance levels, and per asset or symbol (lib/risk/level-overrides.ts). */
  readonly levels?: LevelOverrides;
  /**
   * "classic" or "portfolio" (Portfolio Margin): read that, never probe. Absent: found out from
   * Binance's answers (lib/binance/portfolio/recognise.ts).
   */
  readonly margin?: MarginMode;
  /** false: never read this account's USD-M book. @default true (when the stack reads USD-M) */
  readonly usdm?: boolean;
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
  /** The USD-M API (fapi). */
  readonly binanceUsdmBaseUrl: string;
  /** Read each account's USD-M book beside COIN-M (USDM=off turns it off for the whole stack). */
  readonly usdm: boolean;
  /** The Portfolio Margin API (papi), for PM accounts. */
  readonly binancePmBaseUrl: string;
  /** Per-minute request weight the monitor's IP may use on papi (its own limit, apart from COIN-M's). */
  readonly pmWeightLimitPerMinute: number;
  /** A PM account's levels by uniMMR (lib/risk/portfolio.ts), named like `alertLevels`. */
  readonly portfolioLevels: readonly PortfolioLevel[];
  /** uniMMR points above a held PM level's threshold before it clears. */
  readonly portfolioHysteresis: number;
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
  binanceBaseUrl: BINANCE_HOSTS.BINANCE_BASE_URL,
  binanceSpotBaseUrl: BINANCE_HOSTS.BINANCE_SPOT_BASE_URL,
  binanceUsdmBaseUrl: BINANCE_HOSTS.BINANCE_USDM_BASE_URL,
  usdm: true,
  binancePmBaseUrl: BINANCE_HOSTS.BINANCE_PM_BASE_URL,
  pmWeightLimitPerMinute: PM_WEIGHT_LIMIT,
  portfolioHysteresis: DEFAULT_PORTFOLIO_HYSTERESIS,
  recvWindowMs: 5000,
  accountConcurrency: 16,
  weightLimitPerMinute: 2400,
  ratioMetrics: "off" as RatioMetrics,
  failuresBeforeAlert: 3,
  fastPollSeconds: 10,
  binanceStreamUrl: COINM_STREAM_URL,
  markStream: true,
} as const;

const PM_WEIGHT_RANGE = { min: 10, max: 100000, integer: true } as const;
/** uniMMR points: 0 (none) to 1 (100 points). */
const PORTFOLIO_HYSTERESIS_RANGE = { min: 0, max: 1 } as const;

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
    const { name, secretId, levels: rawLevels, usdm, margin } = entry as Record<string, unknown>;
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new ConfigError(variable, `entry ${i}: "name" must be 1-64 letters, digits, "_", "." or "-"`);
    }
    if (typeof secretId !== "string" || secretId.trim() === "") {
      throw new ConfigError(variable, `entry ${i} (${name}): "secretId" must be a non-empty string`);
    }
    const ref = parseSecretRef(secretId.trim());
    if ("problem" in ref) throw new ConfigError(variable, `entry ${i} (${name}): "secretId" ${ref.problem}`);
    if (seen.has(name)) throw new ConfigError(variable, `account name "${name}" appears twice`);
    if (margin !== undefined && !MARGIN_MODES.includes(margin as MarginMode)) {
      throw new ConfigError(variable, `entry ${i} (${name}): "margin" must be one of ${MARGIN_MODES.join(", ")}`);
    }
    seen.add(name);
    if (rawLevels !== undefined && (typeof rawLevels !== "object" || rawLevels === null || Array.isArray(rawLevels))) {
      throw new ConfigError(variable, `entry ${i} (${name}): "levels" must be an object`);
    }
    const levels = rawLevels
      ? parseLevelOverrides(rawLevels as Record<string, unknown>, `${variable}[${i}].levels`)
      : undefined;
    if (usdm !== undefined && typeof usdm !== "boolean") {
      throw new ConfigError(variable, `entry ${i} (${name}): "usdm" must be true or false`);
    }
    return {
      name,
      secretId: secretId.trim(),
      ...(levels ? { levels } : {}),
      ...(usdm !== undefined ? { usdm } : {}),
      ...(margin !== undefined ? { margin: margin as MarginMode } : {}),
    };
  });
}

/**
 * The account list's file in the deployed function's directory. The stack writes it into the
 * function's asset at synth (infra/constructs/monitor-function.ts), because Lambda's 4 KB of
 * environment holds ~30 accounts and a stack holds 400.
 */
export const ACCOUNTS_FILE_NAME = "accounts.json";

/** Far above 400 accounts with levels of their own (~100 KB); a bigger file is not ours. */
const ACCOUNTS_FILE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The accounts: ACCOUNTS's JSON when it is set (run-once, local use, a hand-made function), else
 * the file ACCOUNTS_FILE names (relative to the function's directory, LAMBDA_TASK_ROOT), checked
 * by the same parser.
 */
export function loadAccounts(env: Env): AccountConfig[] {
  const inline = read(env, "ACCOUNTS");
  const file = read(env, "ACCOUNTS_FILE");
  if (inline !== undefined || file === undefined) return parseAccounts(required(env, "ACCOUNTS"));
  const path = isAbsolute(file) ? file : join(read(env, "LAMBDA_TASK_ROOT") ?? process.cwd(), file);
  let text: string;
  try {
    const { size } = statSync(path);
    if (size > ACCOUNTS_FILE_MAX_BYTES) {
      throw new ConfigError("ACCOUNTS_FILE", `"${file}" is ${size} bytes, more than ${ACCOUNTS_FILE_MAX_BYTES}`);
    }
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "unknown error";
    throw new ConfigError("ACCOUNTS_FILE", `cannot read "${file}" (${code})`);
  }
  return parseAccounts(text, "ACCOUNTS_FILE");
}

/** USDM: on (default) or off, for the whole stack; an account's `"usdm": false` turns off its own. */
export function parseUsdmSwitch(env: Env): boolean {
  const text = read(env, "USDM");
  if (text === undefined) return DEFAULTS.usdm;
  const value = text.trim().toLowerCase();
  if (value === "on" || value === "true") return true;
  if (value === "off" || value === "false") return false;
  throw new ConfigError("USDM", `must be on or off, got "${text}"`);
}

/** Whether the cycle reads this account's USD-M book. */
export function readsUsdm(config: Pick<MonitorConfig, "usdm">, account: AccountConfig): boolean {
  return config.usdm && account.usdm !== false;
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
  const portfolioText = read(env, "PORTFOLIO_LEVELS");
  const portfolioLevels =
    portfolioText !== undefined
      ? parsePortfolioLevels(portfolioText, alertLevels)
      : defaultPortfolioLevels(alertLevels);
  const accounts = loadAccounts(env);
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
    binanceUsdmBaseUrl: binanceUrl(env, "BINANCE_USDM_BASE_URL"),
    usdm: parseUsdmSwitch(env),
    binancePmBaseUrl: binanceUrl(env, "BINANCE_PM_BASE_URL"),
    pmWeightLimitPerMinute: number(env, "BINANCE_PM_WEIGHT_LIMIT", DEFAULTS.pmWeightLimitPerMinute, PM_WEIGHT_RANGE),
    portfolioLevels,
    portfolioHysteresis: number(env, "PORTFOLIO_HYSTERESIS", DEFAULTS.portfolioHysteresis, PORTFOLIO_HYSTERESIS_RANGE),
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
  check(() => loadAccounts(env));
  check(() => read(env, "ALERT_LEVELS") && parseAlertLevels(required(env, "ALERT_LEVELS")));
  check(() => number(env, "HYSTERESIS", DEFAULTS.hysteresis, { min: 0, max: 0.5 }));
  check(() => number(env, "RENOTIFY_MINUTES", 0, { min: 0, max: 10080, integer: true }));
  check(() => number(env, "SNAPSHOT_TTL_DAYS", 1, { min: 1, max: 3650, integer: true }));
  check(() => binanceUrl(env, "BINANCE_BASE_URL"));
  check(() => binanceUrl(env, "BINANCE_SPOT_BASE_URL"));
  check(() => binanceUrl(env, "BINANCE_USDM_BASE_URL"));
  check(() => parseUsdmSwitch(env));
  check(() => binanceStreamUrl(env));
  check(() => onOff(env, "MARK_STREAM", true));
  check(() => binanceUrl(env, "BINANCE_PM_BASE_URL"));
  check(() => number(env, "BINANCE_PM_WEIGHT_LIMIT", 10, PM_WEIGHT_RANGE));
  check(() => number(env, "PORTFOLIO_HYSTERESIS", 0, PORTFOLIO_HYSTERESIS_RANGE));
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
