/** SNS adapter: one Publish per alert, with separate email and SMS bodies. */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { type Alert, type RenderedAlert, renderAlert } from "../alerts.js";
import type { AlertPublisher } from "../ports.js";

export class SnsPublisher implements AlertPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<void> {
    await this.publishRendered(renderAlert(alert), JSON.stringify(alert), { account: alert.account, type: alert.type });
  }

  /** Publish already-rendered bodies; `defaultBody` goes to non-email, non-SMS subscribers. */
  async publishRendered(
    rendered: RenderedAlert,
    defaultBody: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<void> {
    const { subject, email, sms } = rendered;
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        // With MessageStructure "json", SNS picks the body by protocol: "sms" for text messages,
        // "email" for email, "default" for everything else (HTTPS, SQS, Lambda subscribers).
        MessageStructure: "json",
        Message: JSON.stringify({ default: defaultBody, email, sms }),
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([name, value]) => [name, { DataType: "String", StringValue: value }]),
        ),
      }),
    );
  }
}
