/**
 * The monitor's plain settings (schedule, heartbeat, logging, fast polling, topic key), and the
 * check that runs the core's own loader (lib/config.ts) over the environment the Lambda will get.
 */
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { DEFAULTS, parseRatioMetrics, RATIO_METRICS_VALUES, type RatioMetrics } from "../../lib/config.js";
import type { AlertTopicKey } from "../constructs/alert-topic.js";
import { coreConfigProblem, type LogLevel, type MonitorSettings, settingsEnvironment } from "../environment.js";
import { defaultHeartbeatWindowMinutes, type ParsedSchedule, parseSchedule } from "../schedule.js";
import type { Reader } from "./reader.js";
import { DEPLOY_DEFAULTS } from "./types.js";

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

const RETENTION_VALUES = Object.values(RetentionDays).filter(
  (v): v is RetentionDays => typeof v === "number" && v !== RetentionDays.INFINITE,
);

const TOPIC_KEYS: readonly AlertTopicKey[] = ["aws-managed", "customer-managed"];

export function readSchedule(r: Reader): ParsedSchedule {
  const scheduleText = r.string("schedule") ?? DEPLOY_DEFAULTS.schedule;
  const parsed = parseSchedule(scheduleText);
  if ("problem" in parsed) {
    r.problem("schedule", `"${scheduleText}": ${parsed.problem}`);
    return { expression: DEPLOY_DEFAULTS.schedule, intervalMinutes: 1 };
  }
  return parsed;
}

export function readHeartbeatWindow(r: Reader, schedule: ParsedSchedule): number {
  const heartbeatWindowMinutes = r.number("heartbeatWindowMinutes");
  if (heartbeatWindowMinutes === undefined) {
    if (schedule.intervalMinutes !== undefined) return defaultHeartbeatWindowMinutes(schedule.intervalMinutes);
    r.problem(
      "heartbeatWindowMinutes",
      "is required with a cron schedule: set it to at least twice the longest gap between runs",
    );
    return 5;
  }
  if (!Number.isInteger(heartbeatWindowMinutes) || heartbeatWindowMinutes < 1 || heartbeatWindowMinutes > 1440) {
    r.problem("heartbeatWindowMinutes", "must be a whole number of minutes from 1 to 1440");
  } else if (schedule.intervalMinutes !== undefined && heartbeatWindowMinutes < 2 * schedule.intervalMinutes) {
    r.problem(
      "heartbeatWindowMinutes",
      `${heartbeatWindowMinutes} is less than two runs of the schedule (${2 * schedule.intervalMinutes}); the alarm would fire while the monitor is healthy`,
    );
  }
  return heartbeatWindowMinutes;
}

export function readRatioMetrics(r: Reader, raw: unknown): RatioMetrics {
  if (raw === undefined) return DEFAULTS.ratioMetrics;
  if (typeof raw !== "string" && typeof raw !== "boolean") {
    r.problem("ratioMetrics", `must be one of ${RATIO_METRICS_VALUES.join(", ")}`);
    return DEFAULTS.ratioMetrics;
  }
  return r.core(() => parseRatioMetrics(String(raw), "ratioMetrics"), DEFAULTS.ratioMetrics);
}

export function readLogLevel(r: Reader): LogLevel | undefined {
  const logLevelText = r.string("logLevel") ?? DEPLOY_DEFAULTS.logLevel;
  const logLevel = LOG_LEVELS.find((l) => l === logLevelText);
  if (!logLevel) r.problem("logLevel", `must be one of ${LOG_LEVELS.join(", ")}, got "${logLevelText}"`);
  return logLevel;
}

export function readLogRetention(r: Reader): RetentionDays | undefined {
  const logRetention = r.number("logRetentionDays") ?? DEPLOY_DEFAULTS.logRetentionDays;
  const logRetentionDays = RETENTION_VALUES.find((v) => v === logRetention);
  if (logRetentionDays === undefined) {
    r.problem("logRetentionDays", `must be one of CloudWatch Logs' values: ${RETENTION_VALUES.join(", ")}`);
  }
  return logRetentionDays;
}

export function readFastPollSeconds(r: Reader): number {
  const fastPollSeconds = r.number("fastPollSeconds") ?? DEFAULTS.fastPollSeconds;
  if (!Number.isInteger(fastPollSeconds) || fastPollSeconds < 0) {
    r.problem("fastPollSeconds", "must be a whole number of seconds (0 turns re-reading at risk off)");
  } else if (fastPollSeconds > 0 && fastPollSeconds < 5) {
    // Each re-read costs an account's request weight (6) against the IP's 2,400 a minute.
    r.problem("fastPollSeconds", "must be 0 or at least 5: each re-read spends request weight");
  }
  return fastPollSeconds;
}

export function readAlertTopicKey(r: Reader): AlertTopicKey {
  const text = r.string("alertTopicKey") ?? DEPLOY_DEFAULTS.alertTopicKey;
  const key = TOPIC_KEYS.find((k) => k === text);
  if (!key) r.problem("alertTopicKey", `must be one of ${TOPIC_KEYS.join(", ")}, got "${text}"`);
  return key ?? DEPLOY_DEFAULTS.alertTopicKey;
}

/**
 * Check each setting the Lambda reads with the core's loader, one at a time so that every bad
 * value is reported (the loader stops at the first). Alert levels ride along with hysteresis,
 * which must stay below the lowest level.
 */
export function checkWithCore(r: Reader, settings: MonitorSettings): void {
  const env = settingsEnvironment(settings);
  const groups: string[][] = [
    ["HYSTERESIS"],
    ["DISTANCE_HYSTERESIS"],
    ["RENOTIFY_MINUTES"],
    ["SNAPSHOT_TTL_DAYS"],
    ["BINANCE_BASE_URL"],
    ["BINANCE_SPOT_BASE_URL"],
    ["BINANCE_USDM_BASE_URL"],
    ["BINANCE_STREAM_URL"],
    ["BINANCE_PM_BASE_URL"],
    ["PORTFOLIO_HYSTERESIS"],
    ["FAST_POLL_SECONDS", "SCHEDULE_INTERVAL_SECONDS"],
  ];
  for (const group of groups) {
    const subset: Record<string, string> = { ALERT_LEVELS: env.ALERT_LEVELS ?? "" };
    for (const name of group) if (env[name] !== undefined) subset[name] = env[name];
    const found = coreConfigProblem(subset);
    if (found) r.problem(found[0], found[1]);
  }
}
