/**
 * Loopback stand-ins for the AWS APIs besides DynamoDB: SNS Publish (AWS query protocol) and
 * Secrets Manager GetSecretValue (AWS JSON 1.1), which the monitor calls; and, for `run-once
 * --stack`, CloudFormation DescribeStacks (query protocol) and Lambda GetFunctionConfiguration
 * (REST JSON). The real SDK clients talk to them through AWS_ENDPOINT_URL (or the per-service
 * AWS_ENDPOINT_URL_<SERVICE>) or `endpoint`. Lambda and CloudFormation requests must be SigV4-signed
 * for their own service, as the real endpoints require.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackService } from "./loopback-server.js";

export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly messageStructure?: string;
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
  /** Lambda functions by name: their environment variables, for GetFunctionConfiguration. */
  readonly functions = new Map<string, Record<string, string>>();
  /** CloudFormation stacks by name: their outputs, for DescribeStacks. */
  readonly stacks = new Map<string, Record<string, string>>();
  private readonly snsFaults: AwsFault[] = [];
  private readonly secretFaults: AwsFault[] = [];

  putSecret(secretId: string, value: string): void {
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
    else if (req.url?.startsWith("/2015-03-31/functions/")) this.lambda(req, res);
    else if (new URLSearchParams(body).get("Action") === "DescribeStacks") this.cloudFormation(req, body, res);
    else this.sns(body, res);
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
