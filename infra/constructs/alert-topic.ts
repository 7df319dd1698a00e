/**
 * The SNS topic every alert goes to: the monitor's margin alerts and the CloudWatch alarms that
 * watch the monitor itself. Subscribers (email, SMS) come from the deploy config.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
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
  /**
   * Name prefix of the CloudWatch alarms allowed to publish here.
   * @default - the stack name
   */
  readonly alarmNamePrefix?: string;
}

const CLOUDWATCH = new ServicePrincipal("cloudwatch.amazonaws.com");

export class AlertTopic extends Construct {
  readonly topic: Topic;
  /** The topic's key, when encrypted; publishers need kms:GenerateDataKey and kms:Decrypt on it. */
  readonly key: Key | undefined;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
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

    // Any topic policy replaces SNS's default one (which let the account's own services publish),
    // and enforceSSL creates one, so CloudWatch needs an explicit grant, limited to this stack's
    // alarms (the confused-deputy guard AWS recommends for service principals).
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowThisStacksAlarmsToPublish",
        effect: Effect.ALLOW,
        principals: [CLOUDWATCH],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            "aws:SourceArn": stack.formatArn({
              service: "cloudwatch",
              resource: "alarm",
              resourceName: `${props.alarmNamePrefix ?? stack.stackName}*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

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
}
