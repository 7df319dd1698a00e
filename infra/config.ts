/**
 * Deploy configuration: the `"coinm-guard"` object in cdk.json's context, checked at synth.
 * Every problem is collected and reported together, named by the key the user edits. Values
 * the Lambda reads are checked by the core's own validators (lib/config.ts), not a copy of them.
 */
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { isSeverity, SEVERITIES, type Severity } from "../lib/alerts/attributes.js";
import { type ChatChannel, parseChatChannels } from "../lib/chat/channels.js";
import { DEFAULTS, parseAccounts, parseRatioMetrics, RATIO_METRICS_VALUES, type RatioMetrics } from "../lib/config.js";
import { ConfigError } from "../lib/core/errors.js";
import { parseSecretRef } from "../lib/keys/secret-ref.js";
import {
  checkLevelOverrides,
  LEVEL_OVERRIDE_KEYS,
  type LevelOverrides,
  parseLevelOverrides,
} from "../lib/risk/level-overrides.js";
import {
  type AlertLevel,
  DEFAULT_ALERT_LEVELS,
  type DistanceLevel,
  defaultDistanceLevels,
  parseAlertLevels,
  parseDistanceLevels,
} from "../lib/risk/levels.js";
import type { AlertTopicKey } from "./constructs/alert-topic.js";
import { coreConfigProblem, type LogLevel, type MonitorSettings, settingsEnvironment } from "./environment.js";
import { defaultHeartbeatWindowMinutes, type ParsedSchedule, parseSchedule } from "./schedule.js";
import {
  checkEmail,
  checkKmsKeyArn,
  checkPhoneNumber,
  checkRegion,
  checkSecretArn,
  checkSecretName,
  checkStackName,
  type Problem,
} from "./validators.js";

/** cdk.json context key holding the config object (or, from `-c`, its JSON text). */
export const CONTEXT_KEY = "coinm-guard";

/** Where an account's API key lives. */
export type SecretSource =
  /** A new secret with no value, named `<stackName>/<account>`, for the user to fill after deploy. */
  | { readonly kind: "create"; readonly secretName: string }
  /**
   * An existing secret in the stack's account and region, by name (its ARN suffix is unknown).
   * `jsonKey`: the account's entry in a secret shared by several accounts (`"name#key"`).
   */
  | {
      readonly kind: "name";
      readonly secretName: string;
      readonly kmsKeyArn: string | undefined;
      readonly jsonKey?: string;
    }
  /** An existing secret by complete ARN, optionally with `#key` as above. */
  | {
      readonly kind: "arn";
      readonly secretArn: string;
      readonly kmsKeyArn: string | undefined;
      readonly jsonKey?: string;
    };

/** A chat channel and the existing secret that holds its token or webhook URL. */
export interface DeployChatChannel {
  /** The channel as the relay reads it; `secretId` is filled in by the stack (ARN or name). */
  readonly channel: Omit<ChatChannel, "secretId">;
  readonly secret:
    | { readonly kind: "name"; readonly secretName: string }
    | { readonly kind: "arn"; readonly secretArn: string };
}

export interface DeployAccount {
  readonly name: string;
  readonly secret: SecretSource;
  /** The account's own levels, and per asset or symbol (lib/risk/level-overrides.ts). */
  readonly levels?: LevelOverrides;
}

export interface DeployConfig extends MonitorSettings {
  readonly stackName: string;
  readonly region: string;
  readonly allowUsRegion: boolean;
  readonly accounts: readonly DeployAccount[];
  readonly schedule: ParsedSchedule;
  /** Window of the "no heartbeat" alarm. */
  readonly heartbeatWindowMinutes: number;
  readonly logRetentionDays: RetentionDays;
  readonly emails: readonly string[];
  readonly phoneNumbers: readonly string[];
  /** The least severe alert email receives (lib/alerts/attributes.ts); "ok" = everything. */
  readonly emailMinSeverity: Severity;
  /** The least severe alert SMS receives; SMS costs per message, so critical by default. */
  readonly smsMinSeverity: Severity;
  readonly chat: readonly DeployChatChannel[];
  readonly dashboard: boolean;
  /** KMS key of the alert topic: SNS's free AWS-managed key, or a customer-managed one ($1/month). */
  readonly alertTopicKey: AlertTopicKey;
}

export const DEPLOY_DEFAULTS = {
  stackName: "CoinmGuard",
  // Any non-US region works (Binance answers 451 to US ones); latency to Binance does not matter
  // for a monitor that runs once a minute.
  region: "eu-west-1",
  schedule: "rate(1 minute)",
  logRetentionDays: RetentionDays.ONE_MONTH,
  logLevel: "info",
  alertTopicKey: "aws-managed",
  emailMinSeverity: "ok",
  smsMinSeverity: "critical",
} as const;

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
  "fastPollSeconds",
] as const;

const ACCOUNT_KEYS = [
  "name",
  "createSecret",
  "secretName",
  "secretArn",
  "secretKmsKeyArn",
  ...LEVEL_OVERRIDE_KEYS,
] as const;

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

const RETENTION_VALUES = Object.values(RetentionDays).filter(
  (v): v is RetentionDays => typeof v === "number" && v !== RetentionDays.INFINITE,
);

/** All problems found in the config, each "key: problem". */
export class DeployConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid coinm-guard config (cdk.json, context "${CONTEXT_KEY}"); see docs/deploy.md:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "DeployConfigError";
  }
}

/** Facts about the target known outside the config. */
export interface ResolveOptions {
  /** Target account id (CDK_DEFAULT_ACCOUNT); undefined when synthesizing without credentials. */
  readonly account?: string;
}

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (Array.isArray(v) ? "an array" : v === null ? "null" : `a ${typeof v}`);

/** Reads typed fields, recording a problem (and returning undefined) for each wrong type. */
class Reader {
  readonly problems: string[] = [];

  constructor(private readonly raw: Obj) {}

  problem(key: string, problem: Problem): void {
    if (problem !== undefined) this.problems.push(`${key}: ${problem}`);
  }

  private typed<T>(key: string, kind: string, ok: (v: unknown) => v is T): T | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (ok(value)) return value;
    this.problem(key, `must be ${kind}, got ${describe(value)}`);
    return undefined;
  }

  string(key: string): string | undefined {
    return this.typed(key, "a string", (v): v is string => typeof v === "string")?.trim();
  }

  number(key: string): number | undefined {
    return this.typed(key, "a number", (v): v is number => typeof v === "number" && Number.isFinite(v));
  }

  boolean(key: string): boolean | undefined {
    return this.typed(key, "true or false", (v): v is boolean => typeof v === "boolean");
  }

  array(key: string): unknown[] | undefined {
    return this.typed(key, "a JSON array", (v): v is unknown[] => Array.isArray(v));
  }

  /** A list of unique strings, each passing `check`. */
  stringList(key: string, check: (s: string) => Problem): string[] {
    const list = this.array(key) ?? [];
    const out: string[] = [];
    for (const [i, item] of list.entries()) {
      const at = `${key}[${i}]`;
      if (typeof item !== "string") {
        this.problem(at, `must be a string, got ${describe(item)}`);
        continue;
      }
      const value = item.trim();
      const problem = check(value) ?? (out.includes(value) ? `"${value}" is listed twice` : undefined);
      if (problem) this.problem(at, problem);
      else out.push(value);
    }
    return out;
  }
}

/** Accept the config object from cdk.json, or its JSON text from `cdk synth -c coinm-guard='{...}'`. */
export function configFromContext(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new DeployConfigError([`context "${CONTEXT_KEY}" was given as text but is not valid JSON`]);
  }
}

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

  const scheduleText = r.string("schedule") ?? DEPLOY_DEFAULTS.schedule;
  const parsed = parseSchedule(scheduleText);
  let schedule: ParsedSchedule = { expression: DEPLOY_DEFAULTS.schedule, intervalMinutes: 1 };
  if ("problem" in parsed) r.problem("schedule", `"${scheduleText}": ${parsed.problem}`);
  else schedule = parsed;

  let heartbeatWindowMinutes = r.number("heartbeatWindowMinutes");
  if (heartbeatWindowMinutes === undefined) {
    if (schedule.intervalMinutes !== undefined) {
      heartbeatWindowMinutes = defaultHeartbeatWindowMinutes(schedule.intervalMinutes);
    } else {
      r.problem(
        "heartbeatWindowMinutes",
        "is required with a cron schedule: set it to at least twice the longest gap between runs",
      );
      heartbeatWindowMinutes = 5;
    }
  } else if (!Number.isInteger(heartbeatWindowMinutes) || heartbeatWindowMinutes < 1 || heartbeatWindowMinutes > 1440) {
    r.problem("heartbeatWindowMinutes", "must be a whole number of minutes from 1 to 1440");
  } else if (schedule.intervalMinutes !== undefined && heartbeatWindowMinutes < 2 * schedule.intervalMinutes) {
    r.problem(
      "heartbeatWindowMinutes",
      `${heartbeatWindowMinutes} is less than two runs of the schedule (${2 * schedule.intervalMinutes}); the alarm would fire while the monitor is healthy`,
    );
  }

  const alertLevels = readAlertLevels(r, raw.alertLevels);
  const ratioMetrics = readRatioMetrics(r, raw.ratioMetrics);
  // The dashboard reads ratios from the logs (Logs Insights), so it needs no custom metric.
  const dashboardSetting = r.boolean("dashboard");

  const logLevelText = r.string("logLevel") ?? DEPLOY_DEFAULTS.logLevel;
  const logLevel = LOG_LEVELS.find((l) => l === logLevelText);
  if (!logLevel) r.problem("logLevel", `must be one of ${LOG_LEVELS.join(", ")}, got "${logLevelText}"`);

  const logRetention = r.number("logRetentionDays") ?? DEPLOY_DEFAULTS.logRetentionDays;
  const logRetentionDays = RETENTION_VALUES.find((v) => v === logRetention);
  if (logRetentionDays === undefined) {
    r.problem("logRetentionDays", `must be one of CloudWatch Logs' values: ${RETENTION_VALUES.join(", ")}`);
  }

  const fastPollSeconds = r.number("fastPollSeconds") ?? DEFAULTS.fastPollSeconds;
  if (!Number.isInteger(fastPollSeconds) || fastPollSeconds < 0) {
    r.problem("fastPollSeconds", "must be a whole number of seconds (0 turns re-reading at risk off)");
  } else if (fastPollSeconds > 0 && fastPollSeconds < 5) {
    // Each re-read costs an account's request weight (6) against the IP's 2,400 a minute.
    r.problem("fastPollSeconds", "must be 0 or at least 5: each re-read spends request weight");
  }
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
  };
  checkWithCore(r, settings);
  // Each account's own levels against the global ones, with the core's checks.
  accounts.forEach((a) => {
    const i = Array.isArray(raw.accounts)
      ? raw.accounts.findIndex((e: unknown) => isObject(e) && e.name === a.name)
      : -1;
    try {
      checkLevelOverrides(
        a.levels,
        { ratio: settings.alertLevels, distance: settings.distanceLevels },
        settings.hysteresis,
        `accounts[${i}]`,
      );
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      r.problems.push(err.message);
    }
  });

  const emails = r.stringList("emails", checkEmail);
  const phoneNumbers = r.stringList("phoneNumbers", checkPhoneNumber);
  const chat = readChatChannels(r, raw.chat, { region, account: options.account });
  // Counted as written, so a mistyped address is reported as that, not also as "no one".
  const listed = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  if (listed(raw.emails) + listed(raw.phoneNumbers) + listed(raw.chat) === 0) {
    r.problem("emails, phoneNumbers, chat", NO_RECIPIENT);
  }

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

function readRatioMetrics(r: Reader, raw: unknown): RatioMetrics {
  if (raw === undefined) return DEFAULTS.ratioMetrics;
  if (typeof raw !== "string" && typeof raw !== "boolean") {
    r.problem("ratioMetrics", `must be one of ${RATIO_METRICS_VALUES.join(", ")}`);
    return DEFAULTS.ratioMetrics;
  }
  try {
    return parseRatioMetrics(String(raw), "ratioMetrics");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    r.problems.push(err.message);
    return DEFAULTS.ratioMetrics;
  }
}

const NO_RECIPIENT =
  'no one would receive an alert: add an email address to "emails", an E.164 number to "phoneNumbers" ' +
  'or a channel to "chat" (docs/deploy.md, "Who gets alerts")';

function readSeverity(r: Reader, key: string, fallback: Severity): Severity {
  const text = r.string(key);
  if (text === undefined) return fallback;
  if (isSeverity(text)) return text;
  r.problem(key, `must be one of ${SEVERITIES.join(", ")}, got "${text}"`);
  return fallback;
}

const CHAT_SECRET_KEYS = ["secretName", "secretArn"] as const;

function readChatChannels(
  r: Reader,
  raw: unknown,
  target: { region: string; account: string | undefined },
): DeployChatChannel[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    r.problem(
      "chat",
      'must be a JSON array of channels such as [{"name": "ops", "platform": "slack", "secretName": "..."}]',
    );
    return [];
  }
  const out: DeployChatChannel[] = [];
  raw.forEach((entry: unknown, i) => {
    const at = `chat[${i}]`;
    if (!isObject(entry)) {
      r.problem(at, "must be an object");
      return;
    }
    const { secretName, secretArn, ...rest } = entry;
    let secret: DeployChatChannel["secret"] | undefined;
    if ((secretName === undefined) === (secretArn === undefined)) {
      r.problem(
        at,
        'give exactly one of "secretName" or "secretArn": the Secrets Manager secret with the bot token or webhook URL ' +
          "(never the token itself: cdk.json and the template are not secret)",
      );
    } else if (secretName !== undefined) {
      const problem = typeof secretName === "string" ? checkSecretName(secretName.trim()) : "must be a string";
      r.problem(`${at}.secretName`, problem);
      if (!problem) secret = { kind: "name", secretName: (secretName as string).trim() };
    } else {
      const problem =
        typeof secretArn === "string"
          ? checkSecretArn(secretArn.trim(), target.region, target.account)
          : "must be a string";
      r.problem(`${at}.secretArn`, problem);
      if (!problem) secret = { kind: "arn", secretArn: (secretArn as string).trim() };
    }
    if ("secretId" in rest) {
      r.problem(`${at}.secretId`, `unknown setting: use ${CHAT_SECRET_KEYS.join(" or ")}`);
      return;
    }
    // The relay's own parser: what synth accepts, the Lambda accepts.
    let channel: ChatChannel | undefined;
    try {
      [channel] = parseChatChannels(JSON.stringify([{ ...rest, secretId: "synth-check" }]), "chat");
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      r.problems.push(err.message.replace(/^chat\[0\]/, at));
    }
    if (channel && secret) {
      const { secretId: _placeholder, ...fields } = channel;
      if (out.some((c) => c.channel.name === fields.name)) r.problem(`${at}.name`, `"${fields.name}" is used twice`);
      else out.push({ channel: fields, secret });
    }
  });
  return out;
}

/**
 * Merge a `-c coinm-guard='{...}'` override over cdk.json's block, key by key: an object merges
 * into the object under the same key, anything else (arrays included) replaces it. So an
 * override that sets "region" keeps cdk.json's emails, and one that sets "emails" replaces them.
 */
export function mergeOverride(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override;
  const out: Obj = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeOverride(base[key], value);
  return out;
}

/**
 * The config the app uses: cdk.json's block as is, or, when the context holds JSON text (from
 * `-c coinm-guard='{...}'`, which replaces the context value), that text merged over `fileBlock`
 * (cdk.json's block read from the file, since the CLI no longer passes it).
 */
export function configWithOverride(contextValue: unknown, fileBlock: unknown): unknown {
  const value = configFromContext(contextValue);
  return typeof contextValue === "string" && fileBlock !== undefined ? mergeOverride(fileBlock, value) : value;
}

const TOPIC_KEYS: readonly AlertTopicKey[] = ["aws-managed", "customer-managed"];

function readAlertTopicKey(r: Reader): AlertTopicKey {
  const text = r.string("alertTopicKey") ?? DEPLOY_DEFAULTS.alertTopicKey;
  const key = TOPIC_KEYS.find((k) => k === text);
  if (!key) r.problem("alertTopicKey", `must be one of ${TOPIC_KEYS.join(", ")}, got "${text}"`);
  return key ?? DEPLOY_DEFAULTS.alertTopicKey;
}

function readAlertLevels(r: Reader, raw: unknown): AlertLevel[] {
  if (raw === undefined) return [...DEFAULT_ALERT_LEVELS];
  try {
    return parseAlertLevels(JSON.stringify(raw), "alertLevels");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    r.problems.push(err.message);
    return [...DEFAULT_ALERT_LEVELS];
  }
}

function readDistanceLevels(r: Reader, raw: unknown, alertLevels: readonly AlertLevel[]): DistanceLevel[] {
  if (raw === undefined) return defaultDistanceLevels(alertLevels);
  try {
    return parseDistanceLevels(JSON.stringify(raw), alertLevels, "distanceLevels");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    r.problems.push(err.message);
    return defaultDistanceLevels(alertLevels);
  }
}

/**
 * Check each setting the Lambda reads with the core's loader, one at a time so that every bad
 * value is reported (the loader stops at the first). Alert levels ride along with hysteresis,
 * which must stay below the lowest level.
 */
function checkWithCore(r: Reader, settings: MonitorSettings): void {
  const env = settingsEnvironment(settings);
  const groups: string[][] = [
    ["HYSTERESIS"],
    ["DISTANCE_HYSTERESIS"],
    ["RENOTIFY_MINUTES"],
    ["SNAPSHOT_TTL_DAYS"],
    ["BINANCE_BASE_URL"],
    ["BINANCE_SPOT_BASE_URL"],
    ["FAST_POLL_SECONDS", "SCHEDULE_INTERVAL_SECONDS"],
  ];
  for (const group of groups) {
    const subset: Record<string, string> = { ALERT_LEVELS: env.ALERT_LEVELS ?? "" };
    for (const name of group) if (env[name] !== undefined) subset[name] = env[name];
    const found = coreConfigProblem(subset);
    if (found) r.problem(found[0], found[1]);
  }
}

function readAccounts(
  r: Reader,
  raw: unknown,
  target: { stackName: string; region: string; account: string | undefined },
): DeployAccount[] {
  if (raw === undefined) {
    r.problem("accounts", 'is required: a list such as [{"name": "main", "createSecret": true}]');
    return [];
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    r.problem("accounts", 'must be a non-empty JSON array such as [{"name": "main", "createSecret": true}]');
    return [];
  }
  // Names and duplicates: the core's parser, so a name synth accepts is one the Lambda accepts.
  try {
    parseAccounts(
      JSON.stringify(raw.map((a: unknown) => ({ name: isObject(a) ? a.name : undefined, secretId: "synth-check" }))),
      "accounts",
    );
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    r.problems.push(err.message);
  }

  const accounts: DeployAccount[] = [];
  raw.forEach((entry: unknown, i) => {
    const at = `accounts[${i}]`;
    if (!isObject(entry)) return; // reported by parseAccounts above
    for (const key of Object.keys(entry)) {
      if (!(ACCOUNT_KEYS as readonly string[]).includes(key)) {
        r.problem(`${at}.${key}`, `unknown setting (known: ${ACCOUNT_KEYS.join(", ")})`);
      }
    }
    const name = typeof entry.name === "string" ? entry.name : "";
    const secret = readSecretSource(r, at, name, entry, target);
    let levels: LevelOverrides | undefined;
    try {
      levels = parseLevelOverrides(entry, at);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      r.problems.push(err.message);
    }
    if (secret) accounts.push({ name, secret, ...(levels ? { levels } : {}) });
  });
  const size = accountsVariableSize(accounts, target);
  if (size > ACCOUNTS_VARIABLE_BUDGET) {
    r.problem(
      "accounts",
      `${accounts.length} accounts make the ACCOUNTS variable about ${size} bytes; Lambda allows 4 KB of ` +
        `environment in all, leaving ${ACCOUNTS_VARIABLE_BUDGET} bytes for it. Split the accounts across ` +
        "two stacks with different stackName values, or use shorter account names",
    );
  }
  return accounts;
}

/** Lambda's 4 KB environment limit, less what the other variables can take (about 700 bytes). */
export const ACCOUNTS_VARIABLE_BUDGET = 3300;

/** Upper estimate of the ACCOUNTS variable's JSON size once secret ARNs are resolved at deploy. */
export function accountsVariableSize(
  accounts: readonly DeployAccount[],
  target: { stackName: string; region: string },
): number {
  const arnOf = (a: DeployAccount) => {
    const s = a.secret;
    if (s.kind === "arn") return s.jsonKey !== undefined ? `${s.secretArn}#${s.jsonKey}` : s.secretArn;
    // arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 random characters>
    const name = s.kind === "create" ? `${target.stackName}/${a.name}` : s.secretName;
    const key = s.kind === "name" && s.jsonKey !== undefined ? `#${s.jsonKey}` : "";
    return `arn:aws:secretsmanager:${target.region}:123456789012:secret:${name}-XXXXXX${key}`;
  };
  return JSON.stringify(
    accounts.map((a) => ({ name: a.name, secretId: arnOf(a), ...(a.levels ? { levels: a.levels } : {}) })),
  ).length;
}

function readSecretSource(
  r: Reader,
  at: string,
  accountName: string,
  entry: Obj,
  target: { stackName: string; region: string; account: string | undefined },
): SecretSource | undefined {
  const { createSecret, secretName, secretArn, secretKmsKeyArn } = entry;
  const chosen = [createSecret === true, secretName !== undefined, secretArn !== undefined].filter(Boolean).length;
  if (createSecret !== undefined && typeof createSecret !== "boolean") {
    r.problem(`${at}.createSecret`, "must be true or false");
    return undefined;
  }
  if (chosen !== 1) {
    r.problem(
      at,
      'give exactly one of "createSecret": true (a new empty secret you fill after deploy), ' +
        '"secretName" or "secretArn" (an existing secret)',
    );
    return undefined;
  }
  let kmsKeyArn: string | undefined;
  if (secretKmsKeyArn !== undefined) {
    if (createSecret === true) {
      r.problem(`${at}.secretKmsKeyArn`, "applies only to an existing secret (created secrets use the default key)");
    } else if (typeof secretKmsKeyArn !== "string") {
      r.problem(`${at}.secretKmsKeyArn`, "must be a string");
    } else {
      const problem = checkKmsKeyArn(secretKmsKeyArn.trim(), target.region);
      r.problem(`${at}.secretKmsKeyArn`, problem);
      if (!problem) kmsKeyArn = secretKmsKeyArn.trim();
    }
  }
  if (createSecret === true) {
    return { kind: "create", secretName: `${target.stackName}/${accountName}` };
  }
  const field = secretName !== undefined ? "secretName" : "secretArn";
  const text = entry[field];
  if (typeof text !== "string") {
    r.problem(`${at}.${field}`, "must be a string");
    return undefined;
  }
  // "secret#key": this account's entry in a secret shared by several accounts (lib/keys/secret-ref.ts).
  const ref = parseSecretRef(text.trim());
  if ("problem" in ref) {
    r.problem(`${at}.${field}`, ref.problem);
    return undefined;
  }
  const jsonKey = ref.jsonKey !== undefined ? { jsonKey: ref.jsonKey } : {};
  if (field === "secretName") {
    const problem = checkSecretName(ref.secretId);
    r.problem(`${at}.secretName`, problem);
    return problem ? undefined : { kind: "name", secretName: ref.secretId, kmsKeyArn, ...jsonKey };
  }
  const problem = checkSecretArn(ref.secretId, target.region, target.account);
  r.problem(`${at}.secretArn`, problem);
  return problem ? undefined : { kind: "arn", secretArn: ref.secretId, kmsKeyArn, ...jsonKey };
}
