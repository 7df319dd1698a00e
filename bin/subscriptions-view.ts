/**
 * The subscriber list `status` prints after the accounts: who the deployed topic reaches, and
 * what stops delivery (unconfirmed email, SMS sandbox). Kept apart from status.ts so the two
 * change independently; read-only SNS calls with the user's credentials.
 */
import { describeAwsError } from "../lib/aws/stack-outputs.js";
import { formatSubscriptions, readSubscriptions } from "../lib/aws/subscriptions.js";
import type { CliDeps, Target, TargetValues } from "./cli-context.js";

/** Text to print (ending in a newline), or "" when there is no deployed topic to ask. */
export async function subscriptionsSection(values: TargetValues, target: Target, deps: CliDeps): Promise<string> {
  if (target.demo) return "";
  const clients = deps.aws({
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  });
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
