/** SNS adapter: one Publish per alert, with separate email and SMS bodies and routing attributes. */
import type { SNSClient } from "@aws-sdk/client-sns";
import {
  type AlertAttributes,
  alertAttributes,
  type LambdaEnvelope,
  toMessageAttributes,
} from "../alerts/attributes.js";
import { type Alert, type RenderedAlert, renderAlert } from "../alerts/messages.js";
import type { AlertPublisher } from "../monitor/ports.js";
import type { AlertLevel } from "../risk/levels.js";
import { type ClientRef, lazyModule, resolveClient } from "./lazy.js";

/** Imported on the first publish: a calm cycle never loads SNS (lib/aws/lazy.ts). */
const snsSdk = lazyModule(() => import("@aws-sdk/client-sns"));

function lambdaEnvelope(attributes: AlertAttributes, body: string): LambdaEnvelope {
  return { attributes, body };
}

export class SnsPublisher implements AlertPublisher {
  private readonly client: () => Promise<SNSClient>;

  /** `levels` decide each margin level's severity (lib/alerts/attributes.ts). */
  constructor(
    client: ClientRef<SNSClient>,
    private readonly topicArn: string,
    private readonly levels: readonly AlertLevel[] = [],
  ) {
    this.client = resolveClient(client);
  }

  async publish(alert: Alert): Promise<void> {
    await this.publishRendered(renderAlert(alert), JSON.stringify(alert), alertAttributes(alert, this.levels));
  }

  /** Publish already-rendered bodies; `defaultBody` goes to non-email, non-SMS subscribers. */
  async publishRendered(rendered: RenderedAlert, defaultBody: string, attributes: AlertAttributes): Promise<void> {
    const { subject, email, sms } = rendered;
    const [client, sdk] = await Promise.all([this.client(), snsSdk()]);
    await client.send(
      new sdk.PublishCommand({
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
