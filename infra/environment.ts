/**
 * The Lambda's settings as environment variables. One function builds them for both the deployed
 * function and the synth-time check, so what was validated is exactly what gets deployed, and
 * the check is the core's own `loadConfig`: a value synth accepts is a value the Lambda accepts.
 */
import { loadConfig, type RatioMetrics } from "../lib/config.js";
import { ConfigError } from "../lib/core/errors.js";
import type { AlertLevel, DistanceLevel } from "../lib/risk/levels.js";
import type { PortfolioLevel } from "../lib/risk/portfolio.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Monitor behaviour that is plain configuration (resources are bound separately). */
export interface MonitorSettings {
  readonly alertLevels: readonly AlertLevel[];
  readonly hysteresis: number;
  readonly distanceLevels: readonly DistanceLevel[];
  readonly distanceHysteresis: number;
  readonly renotifyMinutes: number;
  readonly snapshotTtlDays: number;
  readonly ratioMetrics: RatioMetrics;
  readonly logLevel: LogLevel;
  /** Only for a proxy setup; the core's default (Binance's COIN-M endpoint) applies otherwise. */
  readonly binanceBaseUrl: string | undefined;
  /** The spot API for the daily key permission check, for the same proxy setup. */
  readonly binanceSpotBaseUrl: string | undefined;
  /** The USD-M API (fapi), for the same proxy setup. @default the core's (https://fapi.binance.com) */
  readonly binanceUsdmBaseUrl?: string | undefined;
  /** Read each account's USD-M book beside COIN-M. @default true */
  readonly usdm?: boolean;
  /** The public mark price stream (wss), for the same proxy setup. @default the core's (wss://dstream.binance.com) */
  readonly binanceStreamUrl?: string | undefined;
  /** Judge watched accounts at every mark of the stream (lib/monitor/mark-watch.ts). @default true */
  readonly markStream?: boolean;
  /** The Portfolio Margin API (papi), for the same proxy setup. */
  readonly binancePmBaseUrl?: string | undefined;
  /** Portfolio Margin levels by uniMMR (lib/risk/portfolio.ts). @default warning 1.5, critical 1.2 */
  readonly portfolioLevels?: readonly PortfolioLevel[];
  /** uniMMR points above a held PM level before it clears. @default 0.1 */
  readonly portfolioHysteresis?: number;
  /** Re-read an account at warning or above this often within an invocation (lib/monitor/cadence.ts); 0 = off. */
  readonly fastPollSeconds: number;
  /** Seconds between scheduled runs (rate schedules); undefined for cron. */
  readonly scheduleIntervalSeconds: number | undefined;
}

export function settingsEnvironment(settings: MonitorSettings): Record<string, string> {
  return {
    ALERT_LEVELS: JSON.stringify(settings.alertLevels),
    HYSTERESIS: String(settings.hysteresis),
    DISTANCE_LEVELS: JSON.stringify(settings.distanceLevels),
    DISTANCE_HYSTERESIS: String(settings.distanceHysteresis),
    RENOTIFY_MINUTES: String(settings.renotifyMinutes),
    SNAPSHOT_TTL_DAYS: String(settings.snapshotTtlDays),
    RATIO_METRICS: settings.ratioMetrics,
    LOG_LEVEL: settings.logLevel,
    FAST_POLL_SECONDS: String(settings.fastPollSeconds),
    ...(settings.scheduleIntervalSeconds !== undefined
      ? { SCHEDULE_INTERVAL_SECONDS: String(settings.scheduleIntervalSeconds) }
      : {}),
    ...(settings.binanceBaseUrl !== undefined ? { BINANCE_BASE_URL: settings.binanceBaseUrl } : {}),
    ...(settings.binanceSpotBaseUrl !== undefined ? { BINANCE_SPOT_BASE_URL: settings.binanceSpotBaseUrl } : {}),
    ...(settings.binanceUsdmBaseUrl !== undefined ? { BINANCE_USDM_BASE_URL: settings.binanceUsdmBaseUrl } : {}),
    ...(settings.usdm === false ? { USDM: "off" } : {}),
    ...(settings.binanceStreamUrl !== undefined ? { BINANCE_STREAM_URL: settings.binanceStreamUrl } : {}),
    ...(settings.markStream === false ? { MARK_STREAM: "off" } : {}),
    ...(settings.binancePmBaseUrl !== undefined ? { BINANCE_PM_BASE_URL: settings.binancePmBaseUrl } : {}),
    ...(settings.portfolioLevels !== undefined ? { PORTFOLIO_LEVELS: JSON.stringify(settings.portfolioLevels) } : {}),
    ...(settings.portfolioHysteresis !== undefined
      ? { PORTFOLIO_HYSTERESIS: String(settings.portfolioHysteresis) }
      : {}),
  };
}

/** Config key each core variable comes from, so errors name what the user edits. */
const CONFIG_KEY: Record<string, string> = {
  ALERT_LEVELS: "alertLevels",
  HYSTERESIS: "hysteresis",
  DISTANCE_LEVELS: "distanceLevels",
  DISTANCE_HYSTERESIS: "distanceHysteresis",
  RENOTIFY_MINUTES: "renotifyMinutes",
  SNAPSHOT_TTL_DAYS: "snapshotTtlDays",
  RATIO_METRICS: "ratioMetrics",
  BINANCE_BASE_URL: "binanceBaseUrl",
  BINANCE_SPOT_BASE_URL: "binanceSpotBaseUrl",
  BINANCE_USDM_BASE_URL: "binanceUsdmBaseUrl",
  USDM: "usdm",
  BINANCE_STREAM_URL: "binanceStreamUrl",
  MARK_STREAM: "markStream",
  BINANCE_PM_BASE_URL: "binancePmBaseUrl",
  PORTFOLIO_LEVELS: "portfolioLevels",
  PORTFOLIO_HYSTERESIS: "portfolioHysteresis",
  FAST_POLL_SECONDS: "fastPollSeconds",
  SCHEDULE_INTERVAL_SECONDS: "schedule",
  ACCOUNTS: "accounts",
};

/**
 * Run the core's loader over the environment the function will get (resource names stubbed:
 * they do not exist until deploy). Returns `[configKey, problem]` or undefined.
 */
export function coreConfigProblem(env: Record<string, string>): [string, string] | undefined {
  try {
    loadConfig({
      SNAPSHOT_TABLE: "synth-check",
      ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:synth-check",
      ACCOUNTS: JSON.stringify([{ name: "synth-check", secretId: "synth-check" }]),
      ...env,
    });
    return undefined;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // ConfigError messages read "VARIABLE: problem"; keep the problem, rename the variable.
    const problem = err.message.startsWith(`${err.variable}: `)
      ? err.message.slice(err.variable.length + 2)
      : err.message;
    return [CONFIG_KEY[err.variable] ?? err.variable, problem];
  }
}
