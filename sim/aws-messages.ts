/**
 * The messages the AWS stand-ins carry, in the shapes AWS gives them to a subscriber: what SNS
 * published and to whom, the SNS record a Lambda subscriber receives, and SQS's digest of message
 * attributes (the SDK checks it).
 */
import { createHash, randomUUID } from "node:crypto";
import type { MessageAttributes } from "./sns-filter.js";

export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly messageStructure?: string;
  /** When the stand-in received it (wall-clock ms): the bench's detection latency ends here. */
  readonly receivedAt: number;
  readonly messageAttributes: MessageAttributes;
  /** Endpoints of the topic's confirmed subscriptions whose filter policy admitted the message. */
  readonly deliveredTo: readonly string[];
}

export interface StandInSubscription {
  readonly topicArn: string;
  readonly protocol: "email" | "sms" | "lambda" | "https" | "sqs";
  readonly endpoint: string;
  /** Email subscriptions wait for a click; until then SNS lists them as "PendingConfirmation". */
  readonly confirmed?: boolean;
  readonly filterPolicy?: unknown;
}

/**
 * The SNS record a Lambda subscriber receives for a published message, as SNS builds it: the
 * "lambda" body of a JSON-structured message (else "default"), and the message attributes only
 * for a plain message (SNS does not deliver them with MessageStructure "json").
 */
export function lambdaRecord(sent: PublishedMessage, messageId: string = randomUUID()) {
  const json = sent.messageStructure === "json";
  const bodies = json ? (JSON.parse(sent.message) as Record<string, string>) : undefined;
  return {
    EventSource: "aws:sns",
    Sns: {
      Type: "Notification",
      MessageId: messageId,
      TopicArn: sent.topicArn,
      Subject: sent.subject ?? null,
      Message: bodies ? (bodies.lambda ?? bodies.default ?? "") : sent.message,
      MessageAttributes: json
        ? {}
        : Object.fromEntries(
            Object.entries(sent.messageAttributes).map(([k, v]) => [
              k,
              { Type: v.DataType, Value: v.StringValue ?? "" },
            ]),
          ),
    },
  };
}

export interface SentQueueMessage {
  readonly queueUrl: string;
  readonly body: string;
}

export interface SqsAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** SQS's digest of message attributes: each, sorted by name, as length-prefixed name, type, transport byte, value. */
export function sqsAttributesMd5(attributes: Readonly<Record<string, SqsAttribute>>): string {
  const hash = createHash("md5");
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name] as SqsAttribute;
    field(Buffer.from(name, "utf8"));
    field(Buffer.from(a.DataType, "utf8"));
    if (a.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      field(Buffer.from(a.BinaryValue, "base64"));
    } else {
      hash.update(Buffer.from([1]));
      field(Buffer.from(a.StringValue ?? "", "utf8"));
    }
  }
  return hash.digest("hex");
}
