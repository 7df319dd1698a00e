/**
 * The EventBridge rule that starts one monitoring cycle per tick. The target gets the scheduled
 * event unchanged: the core reads its `time` field as the cycle time, which keys the snapshot and
 * makes a repeated delivery of the same tick write the same item.
 */
import { Duration } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { deadLetterQueue } from "./dead-letter-queue.js";

export interface ScheduleTriggerProps {
  /** EventBridge schedule expression, e.g. "rate(1 minute)". */
  readonly expression: string;
  /** Function to invoke on each tick. */
  readonly target: IFunction;
  /**
   * How long EventBridge keeps retrying a delivery it could not make (Lambda throttled the
   * Invoke call or it failed). After one interval the next tick supersedes the event.
   * @default Duration.minutes(1)
   */
  readonly maxEventAge?: Duration;
  /**
   * Delivery retries within maxEventAge. These retry the hand-off to Lambda, not the function
   * run, so they cannot run a cycle twice.
   * @default 3
   */
  readonly retryAttempts?: number;
}

export class ScheduleTrigger extends Construct {
  readonly rule: Rule;
  /** Events EventBridge gave up delivering; inspect with `aws sqs receive-message`. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ScheduleTriggerProps) {
    super(scope, id);

    this.deadLetterQueue = deadLetterQueue(this, "DeadLetterQueue", "the EventBridge target");

    this.rule = new Rule(this, "Rule", {
      description: "coinm-guard: one margin check per tick",
      schedule: Schedule.expression(props.expression),
    });
    this.rule.addTarget(
      new LambdaFunction(props.target, {
        deadLetterQueue: this.deadLetterQueue,
        maxEventAge: props.maxEventAge ?? Duration.minutes(1),
        retryAttempts: props.retryAttempts ?? 3,
      }),
    );
  }
}
