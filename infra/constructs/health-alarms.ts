/**
 * Monitor-the-monitor: alarms that tell the user when the monitor itself is broken, through the
 * same topic as margin alerts (through the alarm relay function). Four standard alarms
 * ($0.10/month each): errors, throttles and a missing heartbeat (no invocation in the window),
 * all on Lambda's own free metrics, and events in the schedule's dead-letter queue. The
 * heartbeat alarm covers everything upstream of the function too (a disabled rule, a deleted
 * function), but only as "stopped"; the dead-letter alarm says why: EventBridge tried and could
 * not deliver, and its messages carry the error.
 */
import { Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, type IAlarmAction, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

export interface HealthAlarmsProps {
  /** The monitor function. */
  readonly function: IFunction;
  /** What runs when an alarm fires and when it clears (the alarm relay, which publishes to the topic). */
  readonly action: IAlarmAction;
  /**
   * Window in which at least one invocation must start.
   * @default Duration.minutes(5)
   */
  readonly heartbeatWindow?: Duration;
  /** The schedule rule's dead-letter queue: any message in it is a cycle EventBridge could not start. */
  readonly deadLetterQueue: IQueue;
  /** Prefix of the alarm names, which appear in notification subjects: "ALARM: <prefix>-monitor-stopped". */
  readonly namePrefix: string;
}

export class HealthAlarms extends Construct {
  readonly errors: Alarm;
  readonly throttles: Alarm;
  readonly heartbeat: Alarm;
  readonly deadLetters: Alarm;

  constructor(scope: Construct, id: string, props: HealthAlarmsProps) {
    super(scope, id);
    const window = Duration.minutes(5);
    const heartbeatWindow = props.heartbeatWindow ?? window;

    // Binance failures do not count here (the core reports them as account-health alerts); a
    // failed invocation means bad configuration, a timeout, or state that could not be saved.
    this.errors = new Alarm(this, "Errors", {
      alarmName: `${props.namePrefix}-monitor-errors`,
      alarmDescription:
        "The coinm-guard monitor function failed. Margin alerts may be missing or late. " +
        "Check the function's log group for the error (bad configuration, timeout, or DynamoDB/SNS failure).",
      metric: props.function.metricErrors({ period: window, statistic: "Sum" }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No invocations means no errors; silence is the heartbeat alarm's job.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.throttles = new Alarm(this, "Throttles", {
      alarmName: `${props.namePrefix}-monitor-throttled`,
      alarmDescription:
        "Lambda throttled the coinm-guard monitor: the account's concurrency is exhausted by other functions, " +
        "so cycles are being skipped. Request a higher concurrency quota or find the function using it.",
      metric: props.function.metricThrottles({ period: window, statistic: "Sum" }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // Lambda's own Invocations metric (free) instead of a custom Heartbeat metric ($0.30 a month):
    // no invocation in the window means the schedule, the rule or the function is gone; an
    // invocation that fails is the Errors alarm's. Together they cover "no cycle completed".
    this.heartbeat = new Alarm(this, "Heartbeat", {
      alarmName: `${props.namePrefix}-monitor-stopped`,
      alarmDescription:
        `The coinm-guard monitor has not run in ${heartbeatWindow.toMinutes()} minutes: margins are NOT being ` +
        "watched. Check that the schedule rule is enabled and read the function's log group.",
      metric: props.function.metricInvocations({ period: heartbeatWindow, statistic: "Sum" }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No data IS the failure this alarm exists for.
      treatMissingData: TreatMissingData.BREACHING,
    });

    this.deadLetters = new Alarm(this, "DeadLetters", {
      alarmName: `${props.namePrefix}-schedule-undelivered`,
      alarmDescription:
        "EventBridge could not deliver scheduled events to the coinm-guard monitor (missing permission, deleted " +
        "or throttled function), so those cycles did not run. The messages in the schedule's dead-letter queue " +
        "carry the error; fix the cause, then purge the queue (the events are old cycles, not worth replaying).",
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: window, statistic: "Maximum" }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // SQS publishes this metric for an active queue; an idle empty queue may send none, which is fine.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    for (const alarm of this.all()) {
      alarm.addAlarmAction(props.action);
      alarm.addOkAction(props.action);
    }
  }

  all(): Alarm[] {
    return [this.errors, this.throttles, this.heartbeat, this.deadLetters];
  }
}
