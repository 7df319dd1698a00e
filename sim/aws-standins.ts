/**
 * Loopback stand-ins for the two AWS APIs the monitor calls besides DynamoDB: SNS Publish (AWS
 * query protocol) and Secrets Manager GetSecretValue (AWS JSON 1.1). The real SDK clients talk
 * to them through AWS_ENDPOINT_URL_SNS / AWS_ENDPOINT_URL_SECRETS_MANAGER or `endpoint`.
 */

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SECRET_VALUE_LIMIT_BYTES } from "../lib/secret-ref.js";
import { LoopbackService } from "./loopback-server.js";

export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly messageStructure?: string;
  /** When the stand-in received it (wall-clock ms): the bench's detection latency ends here. */
  readonly receivedAt: number;
}

export interface AwsFault {
  readonly status: number;
  readonly code: string;
  readonly message?: string;
}

export class AwsStandIns extends LoopbackService {
  readonly published: PublishedMessage[] = [];
  readonly secrets = new Map<string, { value: string; versionId: string }>();
  readonly secretReads: string[] = [];
  private readonly snsFaults: AwsFault[] = [];
  private readonly secretFaults: AwsFault[] = [];

  putSecret(secretId: string, value: string): void {
    // Secrets Manager refuses a SecretString over 65,536 bytes (PutSecretValue, CreateSecret).
    if (Buffer.byteLength(value, "utf8") > SECRET_VALUE_LIMIT_BYTES) {
      throw new Error(`ValidationException: secret value over ${SECRET_VALUE_LIMIT_BYTES} bytes`);
    }
    this.secrets.set(secretId, { value, versionId: randomUUID() });
  }

  failNextPublish(fault: AwsFault, times = 1): void {
    for (let i = 0; i < times; i++) this.snsFaults.push(fault);
  }

  failNextSecretRead(fault: AwsFault, times = 1): void {
    for (let i = 0; i < times; i++) this.secretFaults.push(fault);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const target = req.headers["x-amz-target"];
    if (typeof target === "string" && target.startsWith("secretsmanager.")) this.secretsManager(target, body, res);
    else this.sns(body, res);
  }

  private secretsManager(target: string, body: string, res: ServerResponse): ServerResponse {
    const json = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      return res.end(JSON.stringify(payload));
    };
    const fault = this.secretFaults.shift();
    if (fault) return json(fault.status, { __type: fault.code, message: fault.message ?? fault.code });
    if (target !== "secretsmanager.GetSecretValue")
      return json(400, { __type: "InvalidRequestException", message: "unsupported" });
    const { SecretId } = JSON.parse(body) as { SecretId: string };
    this.secretReads.push(SecretId);
    const secret = this.secrets.get(SecretId);
    if (!secret) {
      return json(400, {
        __type: "ResourceNotFoundException",
        message: "Secrets Manager can't find the specified secret.",
      });
    }
    return json(200, {
      ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${SecretId}`,
      Name: SecretId,
      SecretString: secret.value,
      VersionId: secret.versionId,
      VersionStages: ["AWSCURRENT"],
      CreatedDate: Date.now() / 1000,
    });
  }

  private sns(body: string, res: ServerResponse): ServerResponse {
    const params = new URLSearchParams(body);
    const xml = (status: number, payload: string) => {
      res.writeHead(status, { "content-type": "text/xml" });
      return res.end(payload);
    };
    const requestId = randomUUID();
    const fault = this.snsFaults.shift();
    if (fault) {
      return xml(
        fault.status,
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${fault.message ?? fault.code}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    }
    if (params.get("Action") !== "Publish") {
      return xml(
        400,
        `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>unsupported</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    }
    const subject = params.get("Subject");
    const structure = params.get("MessageStructure");
    this.published.push({
      topicArn: params.get("TopicArn") ?? "",
      message: params.get("Message") ?? "",
      ...(subject !== null ? { subject } : {}),
      ...(structure !== null ? { messageStructure: structure } : {}),
      receivedAt: Date.now(),
    });
    return xml(
      200,
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }
}
