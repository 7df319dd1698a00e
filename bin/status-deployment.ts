/**
 * What `status` prints after the accounts about the deployment itself: the accounts that have
 * levels of their own (AccountLevels output), and who the alert topic reaches with what stops
 * delivery (unconfirmed email, SMS sandbox). Kept apart from status.ts so the two change
 * independently; read-only calls with the user's credentials.
 */

import { describeAwsError } from "../lib/aws/stack-outputs.js";
import { formatSubscriptions, readSubscriptions } from "../lib/aws/subscriptions.js";
import type { LevelOverrides, LevelSet } from "../lib/risk/level-overrides.js";
import type { AlertLevel, DistanceLevel } from "../lib/risk/levels.js";
import { resolveAwsTarget } from "./aws-target.js";
import type { CliDeps, Target, TargetValues } from "./cli-context.js";

const pct = (n: number) => `${Number((n * 100).toFixed(2))}%`;

function describeSet(set: LevelSet): string {
  const parts: string[] = [];
  if (set.alertLevels) parts.push((set.alertLevels as AlertLevel[]).map((l) => `${l.name} ${pct(l.ratio)}`).join(", "));
  if (set.distanceLevels) {
    parts.push(
      `distance ${(set.distanceLevels as DistanceLevel[]).map((d) => `${d.name} ${pct(d.distance)}`).join(", ")}`,
    );
  }
  return parts.length > 0 ? parts.join("; ") : "the account's levels";
}

/** Lines for the accounts with levels of their own; none when every account uses the stack's. */
export function formatAccountLevels(levels: Readonly<Record<string, LevelOverrides>> | undefined): string[] {
  const names = Object.keys(levels ?? {}).sort();
  if (!levels || names.length === 0) return [];
  const lines = ["Own alert levels (ratio; distance to liquidation), other accounts use the stack's:"];
  for (const name of names) {
    const o = levels[name] as LevelOverrides;
    lines.push(`  ${name}: ${o.alertLevels || o.distanceLevels ? describeSet(o) : "the stack's levels"}`);
    for (const [asset, set] of Object.entries(o.assets ?? {})) lines.push(`    ${asset}: ${describeSet(set)}`);
  }
  return lines;
}

/** Text to print (ending in a newline), or "" when there is no deployed stack to ask. */
export async function deploymentSection(values: TargetValues, target: Target, deps: CliDeps): Promise<string> {
  if (target.demo) return "";
  const levels = formatAccountLevels((await target.stack().catch(() => undefined))?.accountLevels);
  const subscriptions = await subscriptionsSection(values, target, deps);
  return `${levels.length > 0 ? `\n${levels.join("\n")}\n` : ""}${subscriptions}`;
}

/** Text to print (ending in a newline), or "" when there is no deployed topic to ask. */
export async function subscriptionsSection(values: TargetValues, target: Target, deps: CliDeps): Promise<string> {
  if (target.demo) return "";
  // The same region and profile the target was opened with (flags, AWS_REGION, cdk.json).
  const clients = deps.aws(resolveAwsTarget(values, deps.env, deps.projectDefaults?.()).client);
  try {
    const sns = clients.sns?.();
    if (!sns) return "";
    let topicArn: string | undefined;
    try {
      topicArn = (await target.stack()).alertTopicArn;
    } catch {
      topicArn = undefined;
    }
    if (!topicArn) return "\nSubscriptions: unknown (no stack AlertTopicArn output to read them from)\n";
    const report = await readSubscriptions(sns, topicArn);
    return `\n${formatSubscriptions(report).join("\n")}\n`;
  } catch (err) {
    return `\nSubscriptions: cannot read them (${describeAwsError(err)})\n`;
  } finally {
    clients.destroy();
  }
}
