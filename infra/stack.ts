/**
 * The whole monitor in one stack, assembled from the deploy config: secrets, table, topic,
 * function, schedule, alarms, dashboard and the outputs the CLI reads.
 */

import { Annotations, CfnOutput, CfnResource, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { LambdaAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { Construct } from "constructs";
import { OUTPUT_KEYS } from "../lib/aws/stack-outputs.js";
import { type AccountConfig, DEFAULTS } from "../lib/config.js";
import { type DeployAccount, type DeployConfig, DeployConfigError } from "./config/index.js";
import { type AccountSecret, AccountSecrets } from "./constructs/account-secrets.js";
import { AlarmRelay } from "./constructs/alarm-relay.js";
import { AlertTopic } from "./constructs/alert-topic.js";
import { ChatRelay } from "./constructs/chat-relay.js";
import { HealthAlarms } from "./constructs/health-alarms.js";
import { MarginDashboard } from "./constructs/margin-dashboard.js";
import { MonitorFunction } from "./constructs/monitor-function.js";
import { ScheduleTrigger } from "./constructs/schedule-trigger.js";
import { SnapshotTable } from "./constructs/snapshot-table.js";
import { eventLifetimeMinutes, metricPeriodMinutes, monitorTimeoutSeconds } from "./schedule.js";
import { MAX_STACK_RESOURCES, PLANNED_ACCOUNTS } from "./stack-limits.js";

export interface CoinmGuardStackProps extends StackProps {
  /** Validated deploy config (see resolveConfig). */
  readonly config: DeployConfig;
}

export class CoinmGuardStack extends Stack {
  readonly monitor: MonitorFunction;

  constructor(scope: Construct, id: string, props: CoinmGuardStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      description: "coinm-guard: margin-risk monitor for Binance COIN-M futures accounts",
      ...stackProps,
    });
    const eventLifetime = Duration.minutes(eventLifetimeMinutes(config.schedule));

    const secrets = new AccountSecrets(this, "Secrets", { accounts: config.accounts });
    const table = new SnapshotTable(this, "Snapshots");
    const alerts = new AlertTopic(this, "Alerts", {
      key: config.alertTopicKey,
      emails: config.emails,
      phoneNumbers: config.phoneNumbers,
      emailMinSeverity: config.emailMinSeverity,
      smsMinSeverity: config.smsMinSeverity,
    });

    // Accounts with levels of their own (lib/risk/level-overrides.ts): in the account list and an output.
    const accountLevels = Object.fromEntries(config.accounts.flatMap((a) => (a.levels ? [[a.name, a.levels]] : [])));
    this.monitor = new MonitorFunction(this, "Monitor", {
      settings: config,
      accountList: functionAccounts(config.accounts, secrets.secrets),
      secrets: secrets.secrets,
      // A predictable name so `aws logs tail /aws/lambda/CoinmGuard-monitor` works (docs/deploy.md).
      logGroupName: `/aws/lambda/${config.stackName}-monitor`,
      logRetention: config.logRetentionDays,
      maxEventAge: eventLifetime,
      timeout: Duration.seconds(monitorTimeoutSeconds(config.schedule)),
    });
    this.monitor.bindSnapshotTable(table.table);
    this.monitor.bindAlertTopic(alerts);

    const schedule = new ScheduleTrigger(this, "Schedule", {
      expression: config.schedule.expression,
      target: this.monitor.function,
      maxEventAge: eventLifetime,
    });

    const relay = new AlarmRelay(this, "AlarmRelay", {
      alerts,
      logGroupName: `/aws/lambda/${config.stackName}-alarm-relay`,
      logRetention: config.logRetentionDays,
    });
    const alarmAction = new LambdaAction(relay.function);
    if (config.chat.length > 0) {
      new ChatRelay(this, "ChatRelay", {
        alerts,
        channels: config.chat,
        alarmAction,
        namePrefix: config.stackName,
        logGroupName: `/aws/lambda/${config.stackName}-chat-relay`,
        logRetention: config.logRetentionDays,
      });
    }
    const alarms = new HealthAlarms(this, "Health", {
      function: this.monitor.function,
      action: alarmAction,
      heartbeatWindow: Duration.minutes(config.heartbeatWindowMinutes),
      deadLetterQueue: schedule.deadLetterQueue,
      namePrefix: config.stackName,
    });

    new CfnOutput(this, OUTPUT_KEYS.table, {
      value: table.table.tableName,
      description: "DynamoDB table with snapshots and alert state",
    });
    new CfnOutput(this, OUTPUT_KEYS.topic, {
      value: alerts.topic.topicArn,
      description: "SNS topic for margin alerts and monitor alarms",
    });
    new CfnOutput(this, OUTPUT_KEYS.schedule, {
      value: config.schedule.expression,
      description: "How often the monitor runs (the CLI uses it to judge staleness)",
    });
    new CfnOutput(this, OUTPUT_KEYS.secrets, {
      value: this.toJsonString(secrets.outputMap()),
      description: "Account name -> Secrets Manager secret (ARN, or name for a secret imported by name)",
    });

    new CfnOutput(this, OUTPUT_KEYS.monitorFunction, {
      value: this.monitor.function.functionName,
      description: "The monitor function (`coinm-guard run-once --stack` reads its configuration)",
    });
    new CfnOutput(this, OUTPUT_KEYS.accountList, {
      value: JSON.stringify(this.monitor.accountList),
      description:
        "The monitor's account list, as its accounts.json holds it (`coinm-guard run-once --stack` runs with it)",
    });

    new CfnOutput(this, OUTPUT_KEYS.levels, {
      value: JSON.stringify(config.alertLevels),
      description: "Alert levels as margin ratios (the CLI draws them on charts)",
    });
    new CfnOutput(this, OUTPUT_KEYS.distanceLevels, {
      value: JSON.stringify(config.distanceLevels),
      description: "Distance-to-liquidation thresholds of the alert levels (the CLI draws them on charts)",
    });
    if (Object.keys(accountLevels).length > 0) {
      new CfnOutput(this, OUTPUT_KEYS.accountLevels, {
        value: JSON.stringify(accountLevels),
        description:
          "Accounts with their own alert levels (per asset or symbol too); status shows them, charts draw them",
      });
    }

    if (config.dashboard) {
      const dashboard = new MarginDashboard(this, "Dashboard", {
        dashboardName: `${config.stackName}-margin-${config.region}`,
        alertLevels: config.alertLevels,
        period: Duration.minutes(metricPeriodMinutes(config.schedule)),
        function: this.monitor.function,
        logGroup: this.monitor.logGroup,
        ratioMetrics: config.ratioMetrics,
        alarms: alarms.all(),
      });
      new CfnOutput(this, OUTPUT_KEYS.dashboard, {
        value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${dashboard.dashboard.dashboardName}`,
        description: "CloudWatch dashboard: margin ratios (from the logs) against the alert levels",
      });
    }
    refuseOverResourceLimit(this, config);
    if (config.accounts.length > PLANNED_ACCOUNTS) {
      // Allowed (synth refuses past MAX_ACCOUNTS), but said: the governor will defer re-reads first.
      Annotations.of(this).addWarningV2(
        "coinm-guard:accounts-headroom",
        `${config.accounts.length} accounts leave less than 10% of Binance's ${DEFAULTS.weightLimitPerMinute} weight a minute ` +
          `for re-reads of accounts at risk and retries: past ${PLANNED_ACCOUNTS}, re-reads are deferred first (docs/scaling.md)`,
      );
    }
  }
}

/**
 * What the monitor reads of each account (its accounts.json): the one place a per-account setting
 * of the deploy config becomes one of lib/config.ts's AccountConfig. A created secret is read by
 * its name (its ARN is known only after deploy; IAM allows the exact ARN).
 */
export function functionAccounts(
  accounts: readonly DeployAccount[],
  secrets: readonly AccountSecret[],
): AccountConfig[] {
  return accounts.map((a, i) => {
    const secret = secrets[i];
    if (secret?.name !== a.name) throw new Error(`account secrets out of order at ${a.name}`);
    return {
      name: a.name,
      secretId: secret.readId,
      ...(a.levels ? { levels: a.levels } : {}),
      ...(a.usdm === false ? { usdm: false } : {}),
      ...(a.margin ? { margin: a.margin } : {}),
    };
  });
}

/**
 * CloudFormation refuses a template of more than 500 resources, at deploy and after the upload.
 * Counted on the built stack, so every option (chat, subscribers, the key) is in the figure.
 */
function refuseOverResourceLimit(stack: Stack, config: DeployConfig): void {
  const count = stack.node.findAll().filter(CfnResource.isCfnResource).length;
  if (count <= MAX_STACK_RESOURCES) return;
  const created = config.accounts.filter((a) => a.secret.kind === "create").length;
  throw new DeployConfigError([
    `accounts: the stack would have ${count} resources and CloudFormation allows ${MAX_STACK_RESOURCES}; ` +
      `${created} of them are secrets created for accounts ("createSecret"). Keep several accounts' keys in one ` +
      'secret ("secretName": "name#account", docs/deploy.md "Several accounts in one secret"), or split the ' +
      "accounts across two stacks with different stackName values",
  ]);
}
