/**
 * The deploy configuration: the `"coinm-guard"` object in cdk.json's context, checked at synth.
 * Every problem is collected and reported together, named by the key the user edits. Values
 * the Lambda reads are checked by the core's own validators (lib/config.ts), not a copy of them.
 * This file assembles the parts; each part's reading lives in its own file beside it.
 */
import { DEFAULTS } from "../../lib/config.js";
import type { MonitorSettings } from "../environment.js";
import { checkEmail, checkPhoneNumber, checkRegion, checkStackName } from "../validators.js";
import { readAccounts } from "./accounts.js";
import { checkAccountLevels, readAlertLevels, readDistanceLevels, readPortfolioLevels } from "./levels.js";

/** `{ key: value }` when the value is set, else nothing: absent settings take the core's defaults. */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value !== undefined ? { [key]: value } : {}) as { [P in K]?: V };

import { DeployConfigError, describe, isObject, Reader } from "./reader.js";
import { checkSomeoneReceives, readChatChannels, readSeverity } from "./recipients.js";
import {
  checkWithCore,
  readAlertTopicKey,
  readFastPollSeconds,
  readHeartbeatWindow,
  readLogLevel,
  readLogRetention,
  readRatioMetrics,
  readSchedule,
} from "./settings.js";
import { DEPLOY_DEFAULTS, type DeployConfig, type ResolveOptions } from "./types.js";

const KNOWN_KEYS = [
  "stackName",
  "region",
  "allowUsRegion",
  "accounts",
  "schedule",
  "heartbeatWindowMinutes",
  "alertLevels",
  "hysteresis",
  "distanceLevels",
  "distanceHysteresis",
  "renotifyMinutes",
  "snapshotTtlDays",
  "logRetentionDays",
  "logLevel",
  "emails",
  "phoneNumbers",
  "emailMinSeverity",
  "smsMinSeverity",
  "chat",
  "ratioMetrics",
  "dashboard",
  "alertTopicKey",
  "binanceBaseUrl",
  "binanceSpotBaseUrl",
  "binanceUsdmBaseUrl",
  "usdm",
  "binanceStreamUrl",
  "markStream",
  "binancePmBaseUrl",
  "portfolioLevels",
  "portfolioHysteresis",
  "fastPollSeconds",
] as const;

/** Validate the raw config and fill in defaults; throws DeployConfigError listing every problem. */
export function resolveConfig(raw: unknown, options: ResolveOptions = {}): DeployConfig {
  if (raw === undefined) raw = {};
  if (!isObject(raw)) throw new DeployConfigError([`the config must be a JSON object, got ${describe(raw)}`]);
  const r = new Reader(raw);

  for (const key of Object.keys(raw)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      r.problem(key, `unknown setting (known: ${KNOWN_KEYS.join(", ")})`);
    }
  }

  const stackName = r.string("stackName") ?? DEPLOY_DEFAULTS.stackName;
  r.problem("stackName", checkStackName(stackName));

  const allowUsRegion = r.boolean("allowUsRegion") ?? false;
  const region = r.string("region") ?? DEPLOY_DEFAULTS.region;
  r.problem("region", checkRegion(region, allowUsRegion));

  const accounts = readAccounts(r, raw.accounts, { stackName, region, account: options.account });

  const schedule = readSchedule(r);
  const heartbeatWindowMinutes = readHeartbeatWindow(r, schedule);

  const alertLevels = readAlertLevels(r, raw.alertLevels);
  const ratioMetrics = readRatioMetrics(r, raw.ratioMetrics);
  // The dashboard reads ratios from the logs (Logs Insights), so it needs no custom metric.
  const dashboardSetting = r.boolean("dashboard");
  const logLevel = readLogLevel(r);
  const logRetentionDays = readLogRetention(r);
  const fastPollSeconds = readFastPollSeconds(r);

  const settings: MonitorSettings = {
    alertLevels,
    fastPollSeconds,
    scheduleIntervalSeconds: schedule.intervalMinutes !== undefined ? schedule.intervalMinutes * 60 : undefined,
    hysteresis: r.number("hysteresis") ?? DEFAULTS.hysteresis,
    distanceLevels: readDistanceLevels(r, raw.distanceLevels, alertLevels),
    distanceHysteresis: r.number("distanceHysteresis") ?? DEFAULTS.distanceHysteresis,
    renotifyMinutes: r.number("renotifyMinutes") ?? DEFAULTS.renotifyMinutes,
    snapshotTtlDays: r.number("snapshotTtlDays") ?? DEFAULTS.snapshotTtlDays,
    ratioMetrics,
    logLevel: logLevel ?? "info",
    binanceBaseUrl: r.string("binanceBaseUrl"),
    binanceSpotBaseUrl: r.string("binanceSpotBaseUrl"),
    binanceUsdmBaseUrl: r.string("binanceUsdmBaseUrl"),
    usdm: r.boolean("usdm") ?? true,
    binanceStreamUrl: r.string("binanceStreamUrl"),
    markStream: r.boolean("markStream") ?? true,
    binancePmBaseUrl: r.string("binancePmBaseUrl"),
    ...optional("portfolioLevels", readPortfolioLevels(r, raw.portfolioLevels, alertLevels)),
    ...optional("portfolioHysteresis", r.number("portfolioHysteresis")),
  };
  checkWithCore(r, settings);
  checkAccountLevels(r, accounts, raw.accounts, settings);

  const emails = r.stringList("emails", checkEmail);
  const phoneNumbers = r.stringList("phoneNumbers", checkPhoneNumber);
  const chat = readChatChannels(r, raw.chat, { region, account: options.account });
  checkSomeoneReceives(r, raw);

  const config: DeployConfig = {
    ...settings,
    stackName,
    region,
    allowUsRegion,
    accounts,
    schedule,
    heartbeatWindowMinutes,
    logRetentionDays: logRetentionDays ?? DEPLOY_DEFAULTS.logRetentionDays,
    emails,
    phoneNumbers,
    emailMinSeverity: readSeverity(r, "emailMinSeverity", DEPLOY_DEFAULTS.emailMinSeverity),
    smsMinSeverity: readSeverity(r, "smsMinSeverity", DEPLOY_DEFAULTS.smsMinSeverity),
    chat,
    dashboard: dashboardSetting ?? true,
    alertTopicKey: readAlertTopicKey(r),
  };
  if (r.problems.length > 0) throw new DeployConfigError(r.problems);
  return config;
}
