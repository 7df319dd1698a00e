/**
 * Who the deployed topic reaches, read with the user's credentials (read-only SNS calls):
 * its subscriptions (ListSubscriptionsByTopic), each confirmed one's filter policy
 * (GetSubscriptionAttributes), and whether the account's SMS sandbox blocks the numbers
 * (GetSMSSandboxAccountStatus, ListSMSSandboxPhoneNumbers). Flags what would stop an alert from
 * arriving: an email never confirmed, a number the sandbox does not allow.
 */
import {
  GetSMSSandboxAccountStatusCommand,
  GetSubscriptionAttributesCommand,
  ListSMSSandboxPhoneNumbersCommand,
  ListSubscriptionsByTopicCommand,
  type SNSClient,
} from "@aws-sdk/client-sns";
import { ATTRIBUTE, SEVERITIES, type Severity } from "../alerts/attributes.js";

export interface SubscriptionInfo {
  readonly protocol: string;
  readonly endpoint: string;
  readonly pendingConfirmation: boolean;
  /** The least severe alert its filter admits ("ok" without a filter); undefined when unreadable. */
  readonly minSeverity: Severity | undefined;
  /** Why this subscriber would not receive alerts, if anything stops it. */
  readonly problem?: string;
}

export interface SubscriptionReport {
  readonly subscriptions: readonly SubscriptionInfo[];
  /** Undefined when the account's SMS sandbox status could not be read. */
  readonly smsSandbox: boolean | undefined;
}

/** The minimum severity a filter policy on routeRank expresses (lib/alerts/attributes.ts). */
export function minSeverityOfPolicy(policy: string | undefined): Severity | undefined {
  if (policy === undefined || policy.trim() === "") return "ok";
  try {
    const parsed = JSON.parse(policy) as Record<string, unknown>;
    const conditions = parsed[ATTRIBUTE.routeRank];
    const first = Array.isArray(conditions) ? (conditions[0] as { numeric?: unknown[] } | undefined) : undefined;
    const [op, rank] = first?.numeric ?? [];
    return op === ">=" && typeof rank === "number" ? SEVERITIES[rank] : undefined;
  } catch {
    return undefined;
  }
}

async function allSubscriptions(client: SNSClient, topicArn: string) {
  const out = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    out.push(...(page.Subscriptions ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

async function sandbox(client: SNSClient): Promise<{ inSandbox: boolean; verified: Set<string> } | undefined> {
  try {
    const status = await client.send(new GetSMSSandboxAccountStatusCommand({}));
    if (!status.IsInSandbox) return { inSandbox: false, verified: new Set() };
    const verified = new Set<string>();
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListSMSSandboxPhoneNumbersCommand({ NextToken }));
      for (const n of page.PhoneNumbers ?? [])
        if (n.Status === "Verified" && n.PhoneNumber) verified.add(n.PhoneNumber);
      NextToken = page.NextToken;
    } while (NextToken);
    return { inSandbox: true, verified };
  } catch {
    // Not every user may read the SMS settings; the subscriptions still show.
    return undefined;
  }
}

export async function readSubscriptions(client: SNSClient, topicArn: string): Promise<SubscriptionReport> {
  const subs = await allSubscriptions(client, topicArn);
  const sms = subs.some((s) => s.Protocol === "sms") ? await sandbox(client) : undefined;
  const subscriptions = await Promise.all(
    subs.map(async (s): Promise<SubscriptionInfo> => {
      const arn = s.SubscriptionArn ?? "";
      const pending = arn === "PendingConfirmation";
      let minSeverity: Severity | undefined;
      if (!pending) {
        try {
          const attrs = await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }));
          minSeverity = minSeverityOfPolicy(attrs.Attributes?.FilterPolicy);
        } catch {
          minSeverity = undefined;
        }
      }
      const endpoint = s.Endpoint ?? "";
      const problem = pending
        ? "not confirmed: click the link in the email from AWS Notifications (or re-deploy to resend it)"
        : s.Protocol === "sms" && sms?.inSandbox && !sms.verified.has(endpoint)
          ? 'SMS sandbox: this number is not verified, so SNS drops every text to it (docs/deploy.md, "SMS")'
          : undefined;
      return {
        protocol: s.Protocol ?? "",
        endpoint,
        pendingConfirmation: pending,
        minSeverity,
        ...(problem ? { problem } : {}),
      };
    }),
  );
  return { subscriptions, smsSandbox: sms?.inSandbox };
}

/** Lines for `status`: one per subscriber, flagged when something stops delivery. */
export function formatSubscriptions(report: SubscriptionReport): string[] {
  if (report.subscriptions.length === 0) return ["Subscriptions: NONE - no one receives alerts (docs/deploy.md)"];
  const lines = ["Subscriptions:"];
  for (const s of report.subscriptions) {
    const min = s.minSeverity === undefined ? "?" : s.minSeverity === "ok" ? "everything" : `${s.minSeverity} and up`;
    lines.push(`  ${s.protocol.padEnd(6)} ${s.endpoint}  (${min})${s.problem ? `  ! ${s.problem}` : ""}`);
  }
  if (report.smsSandbox) lines.push("  SMS sandbox: ON - only verified numbers receive texts");
  return lines;
}
