/**
 * The SNS topic every alert goes to: the monitor's margin alerts and, through the alarm relay,
 * the CloudWatch alarms that watch the monitor itself. Subscribers (email, SMS) come from the
 * deploy config. Messages are always encrypted at rest.
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Effect, type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Alias, type IKey, Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { type CfnSubscription, type ITopicSubscription, SubscriptionFilter, Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription, LambdaSubscription, SmsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { filterPolicyFor, type Severity } from "../../lib/alerts/attributes.js";

/** Which KMS key encrypts the topic. */
export type AlertTopicKey = "aws-managed" | "customer-managed";

export interface AlertTopicProps {
  /**
   * "aws-managed" uses SNS's free key (alias/aws/sns). CloudWatch alarms cannot publish to a topic
   * under that key, which is why the stack's alarms go through the alarm relay function instead.
   * "customer-managed" creates a key with rotation (about $1/month) for those who want their own
   * key policy and CloudTrail trail of its use.
   * @default "aws-managed"
   */
  readonly key?: AlertTopicKey;
  /**
   * Email addresses to subscribe; each must confirm by clicking the link SNS sends.
   * @default - no email subscriptions
   */
  readonly emails?: readonly string[];
  /**
   * Phone numbers (E.164) to subscribe for SMS.
   * @default - no SMS subscriptions
   */
  readonly phoneNumbers?: readonly string[];
  /**
   * The least severe alert email receives (lib/alerts/attributes.ts).
   * @default "ok" - everything
   */
  readonly emailMinSeverity?: Severity;
  /**
   * The least severe alert SMS receives.
   * @default "critical" - critical alerts, "cannot read account", and the recoveries that close them
   */
  readonly smsMinSeverity?: Severity;
}

/** SNS's filter policy for a minimum severity, as CDK takes it; undefined = no filter. */
function filterFor(min: Severity): Record<string, SubscriptionFilter> | undefined {
  const policy = filterPolicyFor(min);
  if (!policy) return undefined;
  return Object.fromEntries(
    Object.entries(policy).map(([name, conditions]) => [name, new SubscriptionFilter([...conditions])]),
  );
}

export class AlertTopic extends Construct {
  readonly topic: Topic;
  /** The customer-managed key, when there is one; publishers need it (see grantPublish). */
  readonly customerKey: Key | undefined;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    let masterKey: IKey;
    if ((props.key ?? "aws-managed") === "customer-managed") {
      this.customerKey = new Key(this, "Key", {
        description: "coinm-guard: encrypts alert messages at rest in SNS",
        enableKeyRotation: true,
        // The key protects only messages in flight through SNS, which do not outlive the topic, so
        // it goes with the stack instead of billing $1/month forever after teardown.
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
      masterKey = this.customerKey;
    } else {
      // The AWS-managed key admits any principal of this account calling through SNS, so
      // publishers need no KMS permission of their own.
      masterKey = Alias.fromAliasName(this, "AwsManagedKey", "alias/aws/sns");
    }

    this.topic = new Topic(this, "Topic", {
      // Shown as the sender of emails and as the SMS prefix; SMS sender names are short.
      displayName: "CoinmGuard",
      masterKey,
      // Adds a Deny for any request not made over TLS.
      enforceSSL: true,
      // SHA256 signatures on messages and subscription confirmations.
      signatureVersion: "2",
    });

    const emailFilter = filterFor(props.emailMinSeverity ?? "ok");
    const smsFilter = filterFor(props.smsMinSeverity ?? "critical");
    for (const email of props.emails ?? []) {
      this.subscribe(new EmailSubscription(email, emailFilter ? { filterPolicy: emailFilter } : {}));
    }
    for (const phone of props.phoneNumbers ?? []) {
      this.subscribe(new SmsSubscription(phone, smsFilter ? { filterPolicy: smsFilter } : {}));
    }
  }

  /** Subscribe a function (the chat relay) to the alerts at or above `minSeverity`. */
  subscribeFunction(fn: IFunction, minSeverity: Severity): void {
    const filter = filterFor(minSeverity);
    this.subscribe(new LambdaSubscription(fn, filter ? { filterPolicy: filter } : {}));
  }

  private subscribe(subscription: ITopicSubscription): void {
    const sub = this.topic.addSubscription(subscription);
    const cfn = sub.node.defaultChild as CfnSubscription;
    // Filter on the message attributes (SNS's default scope, stated so a reader need not know it).
    if (cfn.filterPolicy !== undefined) cfn.filterPolicyScope = "MessageAttributes";
  }

  /** Publish on this topic only, plus the key operations SNS performs for the publisher under a customer key. */
  grantPublish(grantee: IGrantable, sid: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid,
        effect: Effect.ALLOW,
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
      }),
    );
    if (this.customerKey) {
      // SNS calls KMS with the publisher's credentials. The key is dedicated to this topic, so
      // the grant is scoped by the key ARN; no kms:ViaService condition, because a wrong guess
      // there would fail every Publish and silence all alerts.
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          sid: `${sid}Key`,
          effect: Effect.ALLOW,
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: [this.customerKey.keyArn],
        }),
      );
    }
  }
}
