/**
 * `test-alert`: publish one clearly marked test message through the deployed alert topic, with
 * the same routing attributes real alerts carry, so a person can see each channel work after a
 * deploy. It then lists who should receive it (the topic's subscriptions and their filters).
 */

import { isSeverity, reaches, SEVERITIES, type Severity, testAttributes } from "../../lib/alerts/attributes.js";
import { SMS_MAX, SUBJECT_MAX, truncate } from "../../lib/alerts/messages.js";
import { SnsPublisher } from "../../lib/aws/sns-publisher.js";
import { DEFAULT_STACK_NAME, readStackOutputs } from "../../lib/aws/stack-outputs.js";
import { readSubscriptions } from "../../lib/aws/subscriptions.js";
import type { TestNotice } from "../../lib/chat/message.js";
import { parseOptions } from "../args.js";
import { resolveAwsTarget } from "../aws-target.js";
import { type CliDeps, defaultCliDeps } from "../cli-context.js";
import { type Command, EXIT, UsageError } from "../command.js";

const DEFAULT_SEVERITY: Severity = "warning";

const HELP = `Usage: coinm-guard test-alert [--severity ${SEVERITIES.join("|")}] [options]

Publishes one test message, marked TEST in its subject and text, through the deployed stack's
alert topic with the attributes a real alert of that severity carries. Each subscriber whose
filter admits that severity receives it: by default email and chat get "${DEFAULT_SEVERITY}", and
SMS only "critical" (an SMS costs money: see docs/deploy.md, "Costs").

Options:
  --severity SEV    ok, warning or critical (default: ${DEFAULT_SEVERITY})
  --topic-arn ARN   the topic to publish to (default: the stack's AlertTopicArn output)
  --stack NAME      CloudFormation stack to read outputs from (default: cdk.json's
                    stackName in a checkout, else ${DEFAULT_STACK_NAME})
  --region REGION   AWS region (default: AWS_REGION, else cdk.json's region in a
                    checkout, else the profile's)
  --profile NAME    AWS profile (default: the SDK's credential chain)

Examples:
  coinm-guard test-alert
  coinm-guard test-alert --severity critical

Needs sns:Publish on the topic (and sns:ListSubscriptionsByTopic to list who should receive it).
Exit codes: 0 published, 1 error, 2 usage error.`;

const OPTIONS = {
  severity: { type: "string" },
  "topic-arn": { type: "string" },
  stack: { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
} as const;

/** The test message's subject, email/chat text and SMS. */
export function renderTest(severity: Severity, at: string) {
  const label = severity.toUpperCase();
  const text = [
    `This is a TEST message from coinm-guard at severity ${label}, sent by \`coinm-guard test-alert\`.`,
    "No account is at risk; nothing needs doing. It shows that this channel receives alerts of this severity.",
    `Sent: ${at}`,
  ].join("\n");
  return {
    subject: truncate(`coinm-guard TEST alert (${label}): delivery check, no action needed`, SUBJECT_MAX),
    email: text,
    sms: truncate(`coinm-guard TEST (${label}): delivery check, no action needed.`, SMS_MAX),
  };
}

export function createTestAlertCommand(overrides: Partial<CliDeps> = {}): Command {
  return {
    name: "test-alert",
    summary: "Publish a marked test message through the deployed topic to check every channel",
    help: HELP,
    async run(argv) {
      const deps: CliDeps = { ...defaultCliDeps(), ...overrides };
      const { values } = parseOptions(argv, OPTIONS);
      const severity = values.severity ?? DEFAULT_SEVERITY;
      if (!isSeverity(severity)) throw new UsageError(`--severity must be one of ${SEVERITIES.join(", ")}`);
      const resolved = resolveAwsTarget(values, deps.env, deps.projectDefaults?.());
      const clients = deps.aws(resolved.client);
      try {
        const sns = clients.sns?.();
        if (!sns) throw new Error("no SNS client available");
        let topicArn = values["topic-arn"];
        if (!topicArn) {
          if (resolved.note) deps.stderr.write(`${resolved.note}\n`);
          const stackName = resolved.stackName;
          topicArn = (await readStackOutputs(await clients.cloudformation(), stackName)).alertTopicArn;
          if (!topicArn) throw new Error(`stack "${stackName}" has no AlertTopicArn output; pass --topic-arn`);
        }
        const at = deps.now().toISOString();
        const rendered = renderTest(severity, at);
        const notice: TestNotice = { type: "test", severity, at, text: rendered.email };
        await new SnsPublisher(sns, topicArn).publishRendered(
          rendered,
          JSON.stringify(notice),
          testAttributes(severity),
        );
        deps.stdout.write(`Published a TEST message at severity ${severity} to ${topicArn}.\n`);
        try {
          const report = await readSubscriptions(sns, topicArn);
          const attributes = testAttributes(severity);
          const lines = report.subscriptions.map((s) => {
            const gets =
              s.minSeverity === undefined
                ? "unknown filter"
                : reaches(attributes, s.minSeverity)
                  ? "should receive it"
                  : `filtered out (${s.minSeverity} and up)`;
            return `  ${s.protocol.padEnd(6)} ${s.endpoint}: ${s.problem ? `WILL NOT receive it: ${s.problem}` : gets}`;
          });
          deps.stdout.write(
            `${lines.length > 0 ? ["Subscribers:", ...lines].join("\n") : "No subscribers: nobody receives alerts."}\n`,
          );
        } catch {
          deps.stdout.write("(could not list the topic's subscriptions to say who should receive it)\n");
        }
        return EXIT.ok;
      } finally {
        clients.destroy();
      }
    },
  };
}

export const testAlertCommand: Command = createTestAlertCommand();
