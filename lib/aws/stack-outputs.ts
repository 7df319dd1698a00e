/**
 * The deployed stack's outputs, read with CloudFormation DescribeStacks, so the CLI finds the
 * table, topic, schedule and account secrets without being told. Output keys:
 *   SnapshotTableName, AlertTopicArn, ScheduleExpression ("rate(1 minute)"),
 *   AccountSecrets (JSON object: account name -> secret ARN), AlertLevels (ALERT_LEVELS JSON),
 *   DistanceLevels (DISTANCE_LEVELS JSON; optional: without it charts derive distance levels
 *   from the alert levels as the monitor does).
 */
import type { CloudFormationClient, Output } from "@aws-sdk/client-cloudformation";
import {
  type AlertLevel,
  DEFAULT_ALERT_LEVELS,
  type DistanceLevel,
  parseAlertLevels,
  parseDistanceLevels,
} from "../config.js";

export const DEFAULT_STACK_NAME = "CoinmGuard";

export interface StackOutputs {
  readonly stackName: string;
  readonly snapshotTableName?: string;
  readonly alertTopicArn?: string;
  readonly scheduleExpression?: string;
  /** Account name -> secret ARN; undefined when the output is missing or not a JSON object. */
  readonly accountSecrets?: Readonly<Record<string, string>>;
  /** The deployed alert levels; undefined when the output is missing or invalid. */
  readonly alertLevels?: readonly AlertLevel[];
  /** The deployed distance-to-liquidation levels; undefined when the output is missing or invalid. */
  readonly distanceLevels?: readonly DistanceLevel[];
}

export class StackError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StackError";
  }
}

/** Parse the AccountSecrets output: a JSON object of name -> non-empty string. */
export function parseAccountSecrets(text: string): Record<string, string> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, arn] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof arn === "string" && arn.trim() !== "") out[name] = arn.trim();
  }
  return out;
}

export function parseStackOutputs(stackName: string, outputs: readonly Output[]): StackOutputs {
  const get = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue?.trim() || undefined;
  const secrets = get("AccountSecrets");
  const accountSecrets = secrets !== undefined ? parseAccountSecrets(secrets) : undefined;
  const snapshotTableName = get("SnapshotTableName");
  const alertTopicArn = get("AlertTopicArn");
  const scheduleExpression = get("ScheduleExpression");
  const levelsText = get("AlertLevels");
  let alertLevels: AlertLevel[] | undefined;
  try {
    alertLevels = levelsText !== undefined ? parseAlertLevels(levelsText, "AlertLevels") : undefined;
  } catch {
    alertLevels = undefined; // an older stack or a hand-edited output: charts fall back to the defaults
  }
  let distanceLevels: DistanceLevel[] | undefined;
  const distanceText = get("DistanceLevels");
  try {
    distanceLevels =
      distanceText !== undefined
        ? parseDistanceLevels(distanceText, alertLevels ?? DEFAULT_ALERT_LEVELS, "DistanceLevels")
        : undefined;
  } catch {
    distanceLevels = undefined; // as for AlertLevels: charts fall back to levels derived from the ratio levels
  }
  return {
    stackName,
    ...(snapshotTableName ? { snapshotTableName } : {}),
    ...(alertTopicArn ? { alertTopicArn } : {}),
    ...(scheduleExpression ? { scheduleExpression } : {}),
    ...(accountSecrets ? { accountSecrets } : {}),
    ...(alertLevels ? { alertLevels } : {}),
    ...(distanceLevels ? { distanceLevels } : {}),
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
