/** SNS adapter: one Publish per alert, with separate email and SMS bodies and routing attributes. */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import {
  type AlertAttributes,
  alertAttributes,
  type LambdaEnvelope,
  toMessageAttributes,
} from "../alerts/attributes.js";
import { type Alert, type RenderedAlert, renderAlert } from "../alerts/messages.js";
import type { AlertPublisher } from "../monitor/ports.js";
import type { AlertLevel } from "../risk/levels.js";

function lambdaEnvelope(attributes: AlertAttributes, body: string): LambdaEnvelope {
  return { attributes, body };
}

export class SnsPublisher implements AlertPublisher {
  /** `levels` decide each margin level's severity (lib/alerts/attributes.ts). */
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly levels: readonly AlertLevel[] = [],
  ) {}

  async publish(alert: Alert): Promise<void> {
    await this.publishRendered(renderAlert(alert), JSON.stringify(alert), alertAttributes(alert, this.levels));
  }

  /** Publish already-rendered bodies; `defaultBody` goes to non-email, non-SMS subscribers. */
  async publishRendered(rendered: RenderedAlert, defaultBody: string, attributes: AlertAttributes): Promise<void> {
    const { subject, email, sms } = rendered;
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        // With MessageStructure "json", SNS picks the body by protocol: "sms" for text messages,
        // "email" for email, "lambda" for the chat relay, "default" for everything else. SNS
        // filters on the attributes but does not deliver them with a JSON-structured message,
        // so the relay's body carries them too.
        MessageStructure: "json",
        Message: JSON.stringify({
          default: defaultBody,
          email,
          sms,
          lambda: JSON.stringify(lambdaEnvelope(attributes, defaultBody)),
        }),
        // Subscription filter policies route on these (lib/alerts/attributes.ts).
        MessageAttributes: toMessageAttributes(attributes),
      }),
    );
  }
}
