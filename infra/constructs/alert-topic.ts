/**
 * The SNS topic every alert goes to: the monitor's margin alerts and the CloudWatch alarms that
 * watch the monitor itself. Subscribers (email, SMS) come from the deploy config.
 */
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import { Effect, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription, SmsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";

export interface AlertTopicProps {
  /**
   * Encrypt messages at rest with a new customer-managed KMS key (about $1/month). The free
   * AWS-managed key (alias/aws/sns) is not an option: its policy cannot be edited, so CloudWatch
   * alarms could not publish to the topic and the monitor-the-monitor alarms would go silent.
   * @default true
   */
  readonly encrypt?: boolean;
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
}

const CLOUDWATCH = new ServicePrincipal("cloudwatch.amazonaws.com");

export class AlertTopic extends Construct {
  readonly topic: Topic;
  /** The topic's key, when encrypted; publishers need kms:GenerateDataKey and kms:Decrypt on it. */
  readonly key: Key | undefined;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    const encrypt = props.encrypt ?? true;

    if (encrypt) {
      this.key = new Key(this, "Key", {
        description: "coinm-guard: encrypts alert messages at rest in SNS",
        enableKeyRotation: true,
        // The key protects only messages in flight through SNS, which do not outlive the topic, so
        // it goes with the stack instead of billing $1/month forever after teardown.
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
      // CloudWatch calls KMS itself when an alarm publishes to an encrypted topic, and a service
      // principal is not covered by the account-root statement, so the key policy names it. In a
      // key policy, Resource "*" means this key only (KMS requires exactly "*" there).
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid: "AllowCloudWatchAlarmsToEncrypt",
          effect: Effect.ALLOW,
          principals: [CLOUDWATCH],
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
        }),
      );
    }

    this.topic = new Topic(this, "Topic", {
      // Shown as the sender of emails and as the SMS prefix; SMS sender names are short.
      displayName: "CoinmGuard",
      masterKey: this.key,
      // Adds a Deny for any request not made over TLS.
      enforceSSL: true,
      // SHA256 signatures on messages and subscription confirmations.
      signatureVersion: "2",
    });

    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));
    for (const phone of props.phoneNumbers ?? []) this.topic.addSubscription(new SmsSubscription(phone));

    if (!encrypt) {
      Validations.of(this.topic).acknowledge({
        id: "AwsSolutions-SNS2",
        reason:
          'Encryption at rest turned off in the deploy config ("encryptAlertTopic": false) to save the $1/month ' +
          "of a customer-managed key; the AWS-managed key would break the CloudWatch alarm actions. Messages carry " +
          "account aliases and margin ratios, never credentials, and transport is TLS-only (enforceSSL).",
      });
    }
  }

  /**
   * Let these CloudWatch alarms, and no others, publish here. Any topic policy replaces SNS's
   * default one (which let the account's own services publish), and enforceSSL creates one, so
   * CloudWatch needs an explicit grant; naming the alarms' ARNs is the confused-deputy guard AWS
   * recommends for a service principal.
   */
  allowAlarmsToPublish(alarms: readonly IAlarm[]): void {
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowThisStacksAlarmsToPublish",
        effect: Effect.ALLOW,
        principals: [CLOUDWATCH],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: { ArnEquals: { "aws:SourceArn": alarms.map((a) => a.alarmArn) } },
      }),
    );
  }
}
