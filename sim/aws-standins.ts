/**
 * Loopback stand-ins for the AWS APIs the stack's functions and the CLI call besides DynamoDB:
 * SNS (AWS query protocol: Publish with message attributes checked as SNS checks them and each
 * message fanned out through the subscriptions' filter policies; ListSubscriptionsByTopic,
 * GetSubscriptionAttributes, GetSMSSandboxAccountStatus, ListSMSSandboxPhoneNumbers), Secrets
 * Manager GetSecretValue (AWS JSON 1.1) and SQS SendMessage (AWS JSON 1.0); and, for `run-once
 * --stack`, CloudFormation DescribeStacks (query protocol) and Lambda GetFunctionConfiguration
 * (REST JSON), which must be SigV4-signed for their own service as the real endpoints require.
 * The real SDK clients talk to them through AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_<SERVICE>) or
 * `endpoint`.
 */
import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SECRET_VALUE_LIMIT_BYTES } from "../lib/keys/secret-ref.js";
import {
  type PublishedMessage,
  type SentQueueMessage,
  type SqsAttribute,
  type StandInSubscription,
  sqsAttributesMd5,
} from "./aws-messages.js";
import { LoopbackService } from "./loopback-server.js";
import { matchesFilterPolicy } from "./sns-filter.js";
import { snsPublishProblem } from "./sns-rules.js";

const xmlEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export interface AwsFault {
  readonly status: number;
  readonly code: string;
  readonly message?: string;
}

export class AwsStandIns extends LoopbackService {
  readonly published: PublishedMessage[] = [];
  readonly secrets = new Map<string, { value: string; versionId: string }>();
  readonly secretReads: string[] = [];
  /** Lambda functions by name: their environment variables, for GetFunctionConfiguration. */
  readonly functions = new Map<string, Record<string, string>>();
  /** CloudFormation stacks by name: their outputs, for DescribeStacks. */
  readonly stacks = new Map<string, Record<string, string>>();
  readonly subscriptions: Array<StandInSubscription & { readonly arn: string }> = [];
  readonly sandboxNumbers = new Map<string, "Pending" | "Verified">();
  inSmsSandbox = false;
  readonly sentToQueues: SentQueueMessage[] = [];
  private readonly sqsFaults: AwsFault[] = [];
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

  subscribe(subscription: StandInSubscription): string {
    const arn = `${subscription.topicArn}:${randomUUID()}`;
    this.subscriptions.push({ ...subscription, arn });
    return arn;
  }

  failNextQueueSend(fault: AwsFault, times = 1): void {
    for (let i = 0; i < times; i++) this.sqsFaults.push(fault);
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
    else if (typeof target === "string" && target.startsWith("AmazonSQS.")) this.sqs(target, body, res);
    else if (req.url?.startsWith("/2015-03-31/functions/")) this.lambda(req, res);
    else if (new URLSearchParams(body).get("Action") === "DescribeStacks") this.cloudFormation(req, body, res);
    else this.sns(body, res);
  }

  private sqs(target: string, body: string, res: ServerResponse): ServerResponse {
    const json = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
      return res.end(JSON.stringify(payload));
    };
    const fault = this.sqsFaults.shift();
    if (fault)
      return json(fault.status, { __type: `com.amazonaws.sqs#${fault.code}`, message: fault.message ?? fault.code });
    if (target !== "AmazonSQS.SendMessage")
      return json(400, { __type: "com.amazonaws.sqs#InvalidAction", message: "unsupported" });
    const input = JSON.parse(body) as { QueueUrl?: string; MessageBody?: string };
    if (!input.QueueUrl || !input.MessageBody) {
      return json(400, {
        __type: "com.amazonaws.sqs#MissingParameter",
        message: "QueueUrl and MessageBody are required",
      });
    }
    // SQS's limit: 256 KB a message.
    if (Buffer.byteLength(input.MessageBody) > 262_144) {
      return json(400, { __type: "com.amazonaws.sqs#InvalidParameterValue", message: "message too long" });
    }
    this.sentToQueues.push({ queueUrl: input.QueueUrl, body: input.MessageBody });
    // The SDK verifies both digests, as SQS computes them.
    const attributes = (input as { MessageAttributes?: Record<string, SqsAttribute> }).MessageAttributes;
    return json(200, {
      MessageId: randomUUID(),
      MD5OfMessageBody: createHash("md5").update(input.MessageBody, "utf8").digest("hex"),
      ...(attributes && Object.keys(attributes).length > 0
        ? { MD5OfMessageAttributes: sqsAttributesMd5(attributes) }
        : {}),
    });
  }

  /** The service a SigV4 Authorization header is signed for ("lambda", "cloudformation", ...), if any. */
  private signedService(req: IncomingMessage): string | undefined {
    const auth = req.headers.authorization ?? "";
    return /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.exec(
      auth,
    )?.[1];
  }

  private lambda(req: IncomingMessage, res: ServerResponse): ServerResponse {
    const json = (status: number, payload: unknown, errorType?: string) => {
      res.writeHead(status, {
        "content-type": "application/json",
        "x-amzn-requestid": randomUUID(),
        ...(errorType ? { "x-amzn-errortype": errorType } : {}),
      });
      return res.end(JSON.stringify(payload));
    };
    if (this.signedService(req) !== "lambda") {
      return json(403, { message: "Missing Authentication Token" }, "MissingAuthenticationTokenException");
    }
    const m = /^\/2015-03-31\/functions\/([^/?]+)\/configuration(?:\?.*)?$/.exec(req.url ?? "");
    if (req.method !== "GET" || !m)
      return json(404, { Type: "User", message: "unsupported" }, "UnknownOperationException");
    const name = decodeURIComponent(m[1] ?? "");
    // Lambda's FunctionName pattern: a name, a partial ARN or a full ARN, 1-140 characters.
    if (
      !/^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/.test(
        name,
      ) ||
      name.length > 140
    ) {
      return json(
        400,
        {
          Type: "User",
          message: `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint`,
        },
        "ValidationException",
      );
    }
    const shortName =
      name
        .split(":")
        .filter((p) => p !== "function")
        .at(-1) ?? name;
    const variables = this.functions.get(shortName);
    const arn = `arn:aws:lambda:eu-west-1:123456789012:function:${shortName}`;
    if (!variables)
      return json(404, { Type: "User", Message: `Function not found: ${arn}` }, "ResourceNotFoundException");
    return json(200, {
      FunctionName: shortName,
      FunctionArn: arn,
      Runtime: "nodejs24.x",
      Handler: "index.handler",
      State: "Active",
      LastUpdateStatus: "Successful",
      Environment: { Variables: variables },
    });
  }

  private cloudFormation(req: IncomingMessage, body: string, res: ServerResponse): ServerResponse {
    const params = new URLSearchParams(body);
    const requestId = randomUUID();
    const xml = (status: number, payload: string) => {
      res.writeHead(status, { "content-type": "text/xml" });
      return res.end(payload);
    };
    const error = (status: number, code: string, message: string) =>
      xml(
        status,
        `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    if (this.signedService(req) !== "cloudformation")
      return error(403, "MissingAuthenticationToken", "Missing Authentication Token");
    if (params.get("Version") !== "2010-05-15") return error(400, "InvalidParameterValue", "unsupported Version");
    const name = params.get("StackName") ?? "";
    const outputs = this.stacks.get(name);
    if (!outputs) return error(400, "ValidationError", `Stack with id ${name} does not exist`);
    const members = Object.entries(outputs)
      .map(
        ([k, v]) => `<member><OutputKey>${escapeXml(k)}</OutputKey><OutputValue>${escapeXml(v)}</OutputValue></member>`,
      )
      .join("");
    return xml(
      200,
      `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${escapeXml(name)}</StackName><StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/${escapeXml(name)}/${randomUUID()}</StackId><CreationTime>2026-11-01T00:00:00.000Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
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
    const error = (code: string, message: string) =>
      xml(
        400,
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    const ok = (action: string, result: string) =>
      xml(
        200,
        `<${action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
      );
    switch (params.get("Action")) {
      case "Publish":
        break;
      case "ListSubscriptionsByTopic": {
        const topicArn = params.get("TopicArn") ?? "";
        const members = this.subscriptions
          .filter((sub) => sub.topicArn === topicArn)
          .map(
            (sub) =>
              `<member><TopicArn>${xmlEscape(sub.topicArn)}</TopicArn><Protocol>${sub.protocol}</Protocol><SubscriptionArn>${
                sub.confirmed === false ? "PendingConfirmation" : xmlEscape(sub.arn)
              }</SubscriptionArn><Owner>123456789012</Owner><Endpoint>${xmlEscape(sub.endpoint)}</Endpoint></member>`,
          );
        return ok("ListSubscriptionsByTopic", `<Subscriptions>${members.join("")}</Subscriptions>`);
      }
      case "GetSubscriptionAttributes": {
        const sub = this.subscriptions.find((x) => x.arn === params.get("SubscriptionArn"));
        if (!sub) return error("NotFound", "Subscription does not exist");
        const entries: Record<string, string> = {
          SubscriptionArn: sub.arn,
          TopicArn: sub.topicArn,
          Protocol: sub.protocol,
          Endpoint: sub.endpoint,
          PendingConfirmation: String(sub.confirmed === false),
          ConfirmationWasAuthenticated: "true",
          ...(sub.filterPolicy !== undefined
            ? { FilterPolicy: JSON.stringify(sub.filterPolicy), FilterPolicyScope: "MessageAttributes" }
            : {}),
        };
        const xmlEntries = Object.entries(entries)
          .map(([k, v]) => `<entry><key>${k}</key><value>${xmlEscape(v)}</value></entry>`)
          .join("");
        return ok("GetSubscriptionAttributes", `<Attributes>${xmlEntries}</Attributes>`);
      }
      case "GetSMSSandboxAccountStatus":
        return ok("GetSMSSandboxAccountStatus", `<IsInSandbox>${this.inSmsSandbox}</IsInSandbox>`);
      case "ListSMSSandboxPhoneNumbers": {
        const members = [...this.sandboxNumbers].map(
          ([number, status]) =>
            `<member><PhoneNumber>${xmlEscape(number)}</PhoneNumber><Status>${status}</Status></member>`,
        );
        return ok("ListSMSSandboxPhoneNumbers", `<PhoneNumbers>${members.join("")}</PhoneNumbers>`);
      }
      default:
        return error("InvalidAction", "unsupported");
    }
    const subject = params.get("Subject");
    const structure = params.get("MessageStructure");
    const attributes: Record<string, { DataType: string; StringValue: string }> = {};
    for (let i = 1; params.has(`MessageAttributes.entry.${i}.Name`); i++) {
      const prefix = `MessageAttributes.entry.${i}`;
      attributes[params.get(`${prefix}.Name`) ?? ""] = {
        DataType: params.get(`${prefix}.Value.DataType`) ?? "",
        StringValue: params.get(`${prefix}.Value.StringValue`) ?? "",
      };
    }
    const problem = snsPublishProblem({
      ...(subject !== null ? { Subject: subject } : {}),
      Message: params.get("Message") ?? "",
      ...(structure !== null ? { MessageStructure: structure } : {}),
      MessageAttributes: attributes,
    });
    if (problem) return error("InvalidParameter", `Invalid parameter: ${problem}`);
    const topicArn = params.get("TopicArn") ?? "";
    const deliveredTo = this.subscriptions
      .filter((sub) => sub.topicArn === topicArn && sub.confirmed !== false)
      .filter((sub) => matchesFilterPolicy(sub.filterPolicy, attributes))
      .map((sub) => sub.endpoint);
    this.published.push({
      topicArn,
      message: params.get("Message") ?? "",
      ...(subject !== null ? { subject } : {}),
      ...(structure !== null ? { messageStructure: structure } : {}),
      receivedAt: Date.now(),
      messageAttributes: attributes,
      deliveredTo,
    });
    return xml(
      200,
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
