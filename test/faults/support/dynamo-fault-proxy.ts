/**
 * A loopback HTTP proxy in front of dynalite that answers chosen DynamoDB operations with an
 * error instead of forwarding them, so the real SDK client (and its own retries) sees exactly
 * what DynamoDB sends when it throttles or a condition fails. Everything else is forwarded
 * byte for byte, response headers (including x-amz-crc32) included.
 */
import { type IncomingMessage, request, type ServerResponse } from "node:http";
import { LoopbackService } from "../../../sim/loopback-server.js";

export type DynamoOperation = "GetItem" | "PutItem" | "UpdateItem" | "Query" | "Scan" | "DescribeTable" | "CreateTable";

export type DynamoErrorName =
  | "ProvisionedThroughputExceededException"
  | "ThrottlingException"
  | "ConditionalCheckFailedException"
  | "InternalServerError";

/** What one intercepted request looks like to a rule. */
export interface DynamoRequestInfo {
  readonly operation: string;
  readonly table: string | undefined;
  /** The partition key of the item written or read, e.g. "ACCT#main". */
  readonly pk: string | undefined;
  /** The sort key of the item written or read (`Item.sk` or `Key.sk`), e.g. "STATE" or "SNAP#...". */
  readonly sk: string | undefined;
}

export interface DynamoFaultRule {
  readonly operation: DynamoOperation;
  readonly error: DynamoErrorName;
  /** Further narrowing, e.g. only the STATE item or one table. */
  readonly when?: (info: DynamoRequestInfo) => boolean;
  /** How many matching requests to fail. */
  times: number;
}

const STATUS: Record<DynamoErrorName, number> = {
  ProvisionedThroughputExceededException: 400,
  ThrottlingException: 400,
  ConditionalCheckFailedException: 400,
  InternalServerError: 500,
};

export class DynamoFaultProxy extends LoopbackService {
  private readonly rules: DynamoFaultRule[] = [];
  /** Every request seen, in order, with whether it was failed by a rule. */
  readonly seen: Array<DynamoRequestInfo & { failedWith?: DynamoErrorName }> = [];

  constructor(private readonly upstream: string) {
    super();
  }

  /** Fail the next `times` requests that match. Rules are consumed in the order they were added. */
  fail(operation: DynamoOperation, error: DynamoErrorName, times: number, when?: DynamoFaultRule["when"]): void {
    this.rules.push({ operation, error, times, ...(when ? { when } : {}) });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** Requests seen for one operation (optionally one sort-key prefix), failed or not. */
  count(operation: DynamoOperation, skPrefix?: string): number {
    return this.seen.filter((s) => s.operation === operation && (skPrefix === undefined || s.sk?.startsWith(skPrefix)))
      .length;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const info = describe(req.headers["x-amz-target"], body);
    const rule = this.rules.find((r) => r.times > 0 && r.operation === info.operation && (!r.when || r.when(info)));
    if (rule) {
      rule.times--;
      this.seen.push({ ...info, failedWith: rule.error });
      const payload = JSON.stringify({
        __type: `com.amazonaws.dynamodb.v20120810#${rule.error}`,
        message:
          rule.error === "ConditionalCheckFailedException"
            ? "The conditional request failed"
            : rule.error === "InternalServerError"
              ? "Internal server error"
              : "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
      });
      res.writeHead(STATUS[rule.error], {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": `fault-${this.seen.length}`,
      });
      res.end(payload);
      return;
    }
    this.seen.push(info);
    const target = new URL(this.upstream);
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
    );
    forward.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    forward.end(body);
  }
}

function describe(targetHeader: string | string[] | undefined, body: Buffer): DynamoRequestInfo {
  const target = typeof targetHeader === "string" ? targetHeader : "";
  const operation = target.split(".").at(-1) ?? "";
  let table: string | undefined;
  let pk: string | undefined;
  let sk: string | undefined;
  try {
    const parsed = JSON.parse(body.toString("utf8")) as {
      TableName?: string;
      Item?: { pk?: { S?: string }; sk?: { S?: string } };
      Key?: { pk?: { S?: string }; sk?: { S?: string } };
    };
    table = parsed.TableName;
    pk = parsed.Item?.pk?.S ?? parsed.Key?.pk?.S;
    sk = parsed.Item?.sk?.S ?? parsed.Key?.sk?.S;
  } catch {
    // Not JSON: counted, never matched by an sk rule.
  }
  return { operation, table, pk, sk };
}
