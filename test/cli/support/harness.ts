/**
 * Running CLI commands in-process for tests: dynalite on loopback with real SDK clients, captured
 * stdout / stderr, a scripted stdin, a fixed clock, a CloudFormation client whose DescribeStacks
 * answers with the outputs a test chooses, and a loopback Secrets Manager that records
 * PutSecretValue. Errors map to exit codes exactly as bin/cli.ts maps them.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable, Writable } from "node:stream";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import type { CliAwsClients, CliDeps, DemoStore, InStream } from "../../../bin/cli-context.js";
import { type Command, UsageError } from "../../../bin/command.js";
import { ensureTable, type RunningDynalite, startDynalite } from "../../../sim/dynalite.js";

export const REGION = "eu-west-1";
const CREDENTIALS = { accessKeyId: "loopback", secretAccessKey: "loopback" };

/** A writable that keeps what was written; optionally slow, a TTY, or closing like `| head`. */
export class CaptureStream extends Writable {
  readonly chunks: string[] = [];
  isTTY: boolean;
  columns: number | undefined;
  /** Bytes accepted so far. */
  bytes = 0;
  /** Line breaks accepted so far. */
  lines = 0;
  /** The last text written (kept even when `keep` is false). */
  lastChunk = "";

  constructor(
    options: {
      isTTY?: boolean;
      columns?: number;
      highWaterMark?: number;
      /** Delay per chunk, to exercise backpressure. */
      delayMs?: number;
      /** After this many bytes, fail every write with EPIPE (the reader went away). */
      closeAfterBytes?: number;
      /** Keep the text (default); false only counts bytes and lines, for huge outputs. */
      keep?: boolean;
      /** Called with each chunk as it is accepted. */
      onChunk?: (text: string) => void;
    } = {},
  ) {
    super({
      decodeStrings: false,
      ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
      write: (chunk: string | Buffer, _encoding, callback) => {
        if (options.closeAfterBytes !== undefined && this.bytes >= options.closeAfterBytes) {
          const err = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
          callback(err);
          return;
        }
        const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
        if (options.keep !== false || this.chunks.length < 2) this.chunks.push(text);
        this.lastChunk = text;
        this.bytes += Buffer.byteLength(text);
        for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.lines++;
        options.onChunk?.(text);
        if (options.delayMs) setTimeout(() => callback(), options.delayMs);
        else callback();
      },
    });
    this.isTTY = options.isTTY ?? false;
    this.columns = options.columns;
  }

  text(): string {
    return this.chunks.join("");
  }
}

/** Stdin that is a pipe with the given content. */
export function pipedStdin(content: string): InStream {
  return Object.assign(Readable.from([Buffer.from(content)]), { isTTY: false });
}

/** Stdin that is a terminal: raw mode is recorded, and `type` delivers keystrokes. */
export class FakeTtyStdin extends EventEmitter implements InStream {
  readonly isTTY = true;
  rawMode = false;
  readonly rawModeChanges: boolean[] = [];

  setRawMode(mode: boolean): this {
    this.rawMode = mode;
    this.rawModeChanges.push(mode);
    return this;
  }
  setEncoding(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  type(text: string): void {
    this.emit("data", text);
  }
  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    // A TTY stdin is never read to the end by put-secret; nothing to iterate.
  }
}

export interface StackFixture {
  readonly SnapshotTableName?: string;
  readonly AlertTopicArn?: string;
  readonly ScheduleExpression?: string;
  readonly AccountSecrets?: Record<string, string> | string;
  readonly AlertLevels?: ReadonlyArray<{ name: string; ratio: number }> | string;
  readonly DistanceLevels?: ReadonlyArray<{ name: string; distance: number }> | string;
  /** Account name -> its own levels (lib/risk/level-overrides.ts). */
  readonly AccountLevels?: Record<string, unknown> | string;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutStream: CaptureStream;
  readonly stderrStream: CaptureStream;
}

/** Local DynamoDB, CloudFormation outputs and Secrets Manager for the CLI commands. */
export class CliWorld {
  dynamo!: RunningDynalite;
  dynamodb!: DynamoDBClient;
  readonly cloudformation = new CloudFormationClient({ region: REGION, credentials: CREDENTIALS });
  readonly cfn = mockClient(this.cloudformation);
  secretsManager!: SecretsManagerClient;
  readonly secretWrites: { secretId: string; value: string }[] = [];
  /** Secret ids the Secrets Manager stand-in knows (others are ResourceNotFound). */
  readonly knownSecrets = new Set<string>();
  private smServer: Server | undefined;
  /** How the last command created AWS clients (region/profile passed on). */
  readonly clientRequests: { region?: string; profile?: string }[] = [];
  demo: DemoStore | undefined;

  async start(): Promise<void> {
    this.dynamo = await startDynalite();
    this.dynamodb = new DynamoDBClient({
      endpoint: this.dynamo.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
      maxAttempts: 2,
    });
    this.smServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const json = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
          res.end(JSON.stringify(body));
        };
        if (req.headers["x-amz-target"] !== "secretsmanager.PutSecretValue") {
          return json(400, { __type: "InvalidRequestException", message: "unsupported" });
        }
        const { SecretId, SecretString } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          SecretId: string;
          SecretString: string;
        };
        if (!this.knownSecrets.has(SecretId)) {
          return json(400, {
            __type: "ResourceNotFoundException",
            message: "Secrets Manager can't find the specified secret.",
          });
        }
        this.secretWrites.push({ secretId: SecretId, value: SecretString });
        return json(200, {
          ARN: SecretId,
          Name: SecretId.split(":").pop(),
          VersionId: randomUUID(),
          VersionStages: ["AWSCURRENT"],
        });
      });
    });
    await new Promise<void>((resolve) => this.smServer?.listen(0, "127.0.0.1", resolve));
    const port = (this.smServer.address() as AddressInfo).port;
    this.secretsManager = new SecretsManagerClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: REGION,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
  }

  async stop(): Promise<void> {
    this.dynamodb?.destroy();
    this.secretsManager?.destroy();
    this.cfn.restore();
    const server = this.smServer;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.dynamo?.stop();
  }

  async table(name: string): Promise<string> {
    await ensureTable(this.dynamodb, name);
    return name;
  }

  /** DescribeStacks answers with these outputs for any stack name (undefined: the stack does not exist). */
  stack(outputs: StackFixture | undefined): void {
    this.cfn.reset();
    if (!outputs) {
      const err = Object.assign(new Error("Stack with id CoinmGuard does not exist"), {
        name: "ValidationError",
        $metadata: {},
      });
      this.cfn.on(DescribeStacksCommand).rejects(err);
      return;
    }
    this.cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: "CoinmGuard",
          CreationTime: new Date(),
          StackStatus: "CREATE_COMPLETE",
          Outputs: Object.entries(outputs).map(([OutputKey, v]) => ({
            OutputKey,
            OutputValue: typeof v === "string" ? v : JSON.stringify(v),
          })),
        },
      ],
    });
  }

  deps(
    options: {
      now?: Date;
      stdout?: CaptureStream;
      stderr?: CaptureStream;
      stdin?: InStream;
      env?: Record<string, string | undefined>;
      files?: Map<string, string | Uint8Array>;
    } = {},
  ): CliDeps & { stdout: CaptureStream; stderr: CaptureStream } {
    const files = options.files ?? new Map<string, string | Uint8Array>();
    const aws = (o: { region?: string; profile?: string }): CliAwsClients => {
      this.clientRequests.push(o);
      return {
        dynamodb: () => this.dynamodb,
        cloudformation: async () => this.cloudformation,
        secretsManager: () => this.secretsManager,
        // The world owns the clients; commands must not close them for the next test.
        destroy() {},
      };
    };
    const demo = this.demo;
    return {
      stdout: options.stdout ?? new CaptureStream(),
      stderr: options.stderr ?? new CaptureStream(),
      stdin: options.stdin ?? pipedStdin(""),
      env: options.env ?? {},
      now: () => new Date((options.now ?? new Date()).getTime()),
      aws,
      openDemo: async () => {
        if (!demo) throw new Error("no demo data in .demo-data: run `npm start` first");
        return demo;
      },
      writeFile: async (path, data) => {
        files.set(path, data);
      },
      // As outside a checkout: the repository's own cdk.json must not pick the stack or region.
      projectDefaults: () => undefined,
    };
  }
}

/** Run a command object like bin/cli.ts does: UsageError -> 2, other errors -> 1 with one line. */
export async function run(
  command: Command,
  argv: readonly string[],
  deps: { stdout: CaptureStream; stderr: CaptureStream },
): Promise<RunResult> {
  let code: number;
  try {
    code = await command.run(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      deps.stderr.write(`coinm-guard ${command.name}: ${err.message}\n`);
      code = 2;
    } else {
      const message = err instanceof Error ? err.message : String(err);
      deps.stderr.write(`coinm-guard ${command.name}: ${message.split("\n")[0]}\n`);
      code = 1;
    }
  }
  // Let the streams flush what was written.
  await new Promise((r) => setImmediate(r));
  return {
    code,
    stdout: deps.stdout.text(),
    stderr: deps.stderr.text(),
    stdoutStream: deps.stdout,
    stderrStream: deps.stderr,
  };
}
