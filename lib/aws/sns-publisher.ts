/** SNS adapter: one Publish per alert, with separate email and SMS bodies. */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { type Alert, renderAlert } from "../alerts.js";
import type { AlertPublisher } from "../ports.js";

export class SnsPublisher implements AlertPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<void> {
    const { subject, email, sms } = renderAlert(alert);
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        // With MessageStructure "json", SNS picks the body by protocol: "sms" for text messages,
        // "email" for email, "default" for everything else (HTTPS, SQS, Lambda subscribers).
        MessageStructure: "json",
        Message: JSON.stringify({ default: JSON.stringify(alert), email, sms }),
        MessageAttributes: {
          account: { DataType: "String", StringValue: alert.account },
          type: { DataType: "String", StringValue: alert.type },
        },
      }),
    );
  }
}
