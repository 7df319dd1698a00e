/**
 * The deployed stack's outputs, read with CloudFormation DescribeStacks, so the CLI finds the
 * table, topic, schedule and account secrets without being told. Output keys:
 *   SnapshotTableName, AlertTopicArn, ScheduleExpression ("rate(1 minute)"),
 *   AccountSecrets (JSON object: account name -> secret ARN), AlertLevels (ALERT_LEVELS JSON),
 *   MonitorFunctionName and AccountList (the monitor's accounts.json, for `run-once --stack`).
 */
import type { CloudFormationClient, Output } from "@aws-sdk/client-cloudformation";
import { type LevelOverrides, parseLevelOverrides } from "../risk/level-overrides.js";
import { type AlertLevel, type DistanceLevel, parseAlertLevels, parseDistanceLevels } from "../risk/levels.js";

export const DEFAULT_STACK_NAME = "CoinmGuard";

/** Output keys: the stack writes them (infra/stack.ts), the CLI reads them; one list for both. */
export const OUTPUT_KEYS = {
  table: "SnapshotTableName",
  topic: "AlertTopicArn",
  dashboard: "DashboardUrl",
  schedule: "ScheduleExpression",
  secrets: "AccountSecrets",
  levels: "AlertLevels",
  distanceLevels: "DistanceLevels",
  accountLevels: "AccountLevels",
  monitorFunction: "MonitorFunctionName",
  accountList: "AccountList",
} as const;

export interface StackOutputs {
  readonly stackName: string;
  readonly snapshotTableName?: string;
  readonly alertTopicArn?: string;
  readonly scheduleExpression?: string;
  /** Account name -> secret ARN; undefined when the output is missing or not a JSON object. */
  readonly accountSecrets?: Readonly<Record<string, string>>;
  /** The deployed alert levels; undefined when the output is missing or invalid. */
  readonly alertLevels?: readonly AlertLevel[];
  /** The deployed distance thresholds; undefined when missing (a stack from before pools) or invalid. */
  readonly distanceLevels?: readonly DistanceLevel[];
  /** Accounts with levels of their own: name -> overrides (lib/risk/level-overrides.ts). */
  readonly accountLevels?: Readonly<Record<string, LevelOverrides>>;
  /** The monitor Lambda's name (stacks deployed before this output have none). */
  readonly monitorFunctionName?: string;
  /**
   * The monitor's account list as its accounts.json holds it (JSON text, checked by whoever uses
   * it with lib/config.ts's parser); stacks that still pass ACCOUNTS in the environment have none.
   */
  readonly accountList?: string;
}

/** An output's JSON object text, or undefined when it is not one (an older or hand-edited stack). */
function jsonObject(text: string): Record<string, unknown> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
}

/** Parse the AccountLevels output; entries that do not parse are left out (an older or edited stack). */
export function parseAccountLevels(text: string): Record<string, LevelOverrides> | undefined {
  const raw = jsonObject(text);
  if (!raw) return undefined;
  const out: Record<string, LevelOverrides> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
    try {
      const levels = parseLevelOverrides(value as Record<string, unknown>, OUTPUT_KEYS.accountLevels);
      if (levels) out[name] = levels;
    } catch {
      // skipped: charts and status fall back to the stack's levels for this account
    }
  }
  return out;
}

export class StackError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StackError";
  }
}

/** Parse the AccountSecrets output: a JSON object of name -> non-empty string. */
export function parseAccountSecrets(text: string): Record<string, string> | undefined {
  const raw = jsonObject(text);
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const [name, arn] of Object.entries(raw)) {
    if (typeof arn === "string" && arn.trim() !== "") out[name] = arn.trim();
  }
  return out;
}

export function parseStackOutputs(stackName: string, outputs: readonly Output[]): StackOutputs {
  const get = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue?.trim() || undefined;
  const secrets = get(OUTPUT_KEYS.secrets);
  const accountSecrets = secrets !== undefined ? parseAccountSecrets(secrets) : undefined;
  const snapshotTableName = get(OUTPUT_KEYS.table);
  const alertTopicArn = get(OUTPUT_KEYS.topic);
  const scheduleExpression = get(OUTPUT_KEYS.schedule);
  const levelsText = get(OUTPUT_KEYS.levels);
  const monitorFunctionName = get(OUTPUT_KEYS.monitorFunction);
  const accountList = get(OUTPUT_KEYS.accountList);
  let alertLevels: AlertLevel[] | undefined;
  try {
    alertLevels = levelsText !== undefined ? parseAlertLevels(levelsText, OUTPUT_KEYS.levels) : undefined;
  } catch {
    alertLevels = undefined; // an older stack or a hand-edited output: charts fall back to the defaults
  }
  const distanceText = get(OUTPUT_KEYS.distanceLevels);
  let distanceLevels: DistanceLevel[] | undefined;
  try {
    distanceLevels =
      distanceText !== undefined && alertLevels
        ? parseDistanceLevels(distanceText, alertLevels, OUTPUT_KEYS.distanceLevels)
        : undefined;
  } catch {
    distanceLevels = undefined;
  }
  const accountLevelsText = get(OUTPUT_KEYS.accountLevels);
  const accountLevels = accountLevelsText !== undefined ? parseAccountLevels(accountLevelsText) : undefined;
  return {
    stackName,
    ...(snapshotTableName ? { snapshotTableName } : {}),
    ...(alertTopicArn ? { alertTopicArn } : {}),
    ...(scheduleExpression ? { scheduleExpression } : {}),
    ...(accountSecrets ? { accountSecrets } : {}),
    ...(alertLevels ? { alertLevels } : {}),
    ...(distanceLevels ? { distanceLevels } : {}),
    ...(accountLevels ? { accountLevels } : {}),
    ...(monitorFunctionName ? { monitorFunctionName } : {}),
    ...(accountList ? { accountList } : {}),
  };
}

/** DescribeStacks on `stackName`; a missing stack or missing access becomes a StackError that says what to do. */
export async function readStackOutputs(client: CloudFormationClient, stackName: string): Promise<StackOutputs> {
  let outputs: Output[] | undefined;
  // Loaded on first use: the CloudFormation SDK adds ~100 ms to start-up, and most runs skip it.
  const { DescribeStacksCommand } = await import("@aws-sdk/client-cloudformation");
  try {
    const out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (!stack) throw new StackError(`stack "${stackName}" not found`);
    outputs = stack.Outputs;
  } catch (err) {
    if (err instanceof StackError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/does not exist/i.test(message)) {
      const region = await regionOf(client);
      throw new StackError(
        `stack "${stackName}" not found${region ? ` in ${region}` : ""}: deploy it, pass --stack/--region, or name the table with --table`,
        { cause: err },
      );
    }
    throw new StackError(`cannot read stack "${stackName}": ${describeAwsError(err)}`, { cause: err });
  }
  return parseStackOutputs(stackName, outputs ?? []);
}

async function regionOf(client: CloudFormationClient): Promise<string | undefined> {
  try {
    const region = client.config.region;
    return typeof region === "function" ? await region() : region;
  } catch {
    return undefined;
  }
}

/** One line about an AWS SDK error, with a hint for the usual local causes (credentials, region). */
export function describeAwsError(err: unknown): string {
  const name = err instanceof Error ? err.name : "Error";
  const message = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    return "no AWS credentials found (configure a profile and pass --profile, or set AWS_PROFILE / AWS_ACCESS_KEY_ID)";
  }
  if (/Region is missing/i.test(message)) return "no AWS region set (pass --region or set AWS_REGION)";
  if (/ExpiredToken|token.*expired/i.test(`${name} ${message}`))
    return "the AWS session has expired (log in again, e.g. aws sso login)";
  if (name === "AccessDeniedException" || name === "AccessDenied" || /not authorized/i.test(message)) {
    return `access denied: ${message}`;
  }
  if (name === "ResourceNotFoundException") return message || "resource not found";
  return `${name}: ${message}`;
}
