/**
 * Child: loads the built handler bundle exactly as deployed (SDK from node_modules, as the
 * runtime provides it) and invokes it warm, one scheduled event after another. To split each
 * invocation's wall time it times the calls it cannot see into: fetch (Binance) and the SDK
 * clients' send (DynamoDB, Secrets Manager, SNS), by wrapping them before the bundle loads. It
 * also counts what the handler writes to stdout, which is what CloudWatch Logs would ingest.
 */
import { pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { serve } from "./ipc.js";

/**
 * Time with at least one call of a kind in flight (overlapping calls count once, so the figure
 * is the kind's share of the wall time), plus the number of calls.
 */
interface Meter {
  ms: number;
  calls: number;
  inFlight: number;
  since: number;
}
const meters = { fetch: meter(), dynamodb: meter(), secrets: meter(), sns: meter() };
const output = { logBytes: 0, logLines: 0, emfBytes: 0, emfLines: 0 };
/** Bytes per kind of line: the log message, or "emf:" and the metric name. */
let byKind: Record<string, { bytes: number; lines: number }> = {};

function kindOf(line: string): string {
  try {
    const parsed = JSON.parse(line) as {
      message?: unknown;
      _aws?: { CloudWatchMetrics?: { Metrics?: { Name?: string }[] }[] };
    };
    const metric = parsed._aws?.CloudWatchMetrics?.[0]?.Metrics?.[0]?.Name;
    if (metric) return `emf:${metric}`;
    return typeof parsed.message === "string" ? parsed.message : "other";
  } catch {
    return "not-json";
  }
}

function meter(): Meter {
  return { ms: 0, calls: 0, inFlight: 0, since: 0 };
}

function timed<A extends unknown[], R>(m: Meter, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async function (this: unknown, ...args: A) {
    if (m.inFlight++ === 0) m.since = performance.now();
    m.calls++;
    try {
      return await fn.apply(this, args);
    } finally {
      if (--m.inFlight === 0) m.ms += performance.now() - m.since;
    }
  };
}

// Before the bundle loads: the Binance client captures `fetch` when the module builds it.
globalThis.fetch = timed(meters.fetch, globalThis.fetch.bind(globalThis));
for (const [client, m] of [
  [DynamoDBClient, meters.dynamodb],
  [SecretsManagerClient, meters.secrets],
  [SNSClient, meters.sns],
] as const) {
  const original = client.prototype.send as (...args: unknown[]) => Promise<unknown>;
  (client.prototype as { send: unknown }).send = timed(m, original);
}
// The Lambda runtime ships stdout to CloudWatch Logs; here it is counted and dropped.
process.stdout.write = ((chunk: string | Uint8Array) => {
  const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const bytes = Buffer.byteLength(line) + 1;
    const kind = kindOf(line);
    const k = byKind[kind] ?? { bytes: 0, lines: 0 };
    byKind[kind] = { bytes: k.bytes + bytes, lines: k.lines + 1 };
    if (line.includes('"_aws"')) {
      output.emfBytes += bytes;
      output.emfLines++;
    } else {
      output.logBytes += bytes;
      output.logLines++;
    }
  }
  return true;
}) as typeof process.stdout.write;

const bundle = process.env.BENCH_HANDLER_BUNDLE;
if (!bundle) throw new Error("BENCH_HANDLER_BUNDLE is not set");
type Handler = (event: { time?: string }, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;
const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };

export interface InvocationSample {
  readonly wallMs: number;
  readonly fetchMs: number;
  readonly fetchCalls: number;
  readonly dynamodbMs: number;
  readonly dynamodbCalls: number;
  readonly secretsMs: number;
  readonly secretsCalls: number;
  readonly snsMs: number;
  readonly logBytes: number;
  readonly logLines: number;
  readonly emfBytes: number;
  readonly emfLines: number;
  readonly byKind: Readonly<Record<string, { bytes: number; lines: number }>>;
  /** CPU (user + system) of this process during the invocation. */
  readonly cpuMs: number;
  /** Wall clock (ms) at the start, to split the exchange's request log by invocation. */
  readonly startedAt: number;
  readonly result: unknown;
}

serve(async (message) => {
  if (message.type !== "invoke") throw new Error(`unknown request ${String(message.type)}`);
  const times = message.times as string[];
  const samples: InvocationSample[] = [];
  for (const time of times) {
    for (const m of Object.values(meters)) Object.assign(m, meter());
    Object.assign(output, { logBytes: 0, logLines: 0, emfBytes: 0, emfLines: 0 });
    byKind = {};
    const cpu = process.cpuUsage();
    const startedAt = Date.now();
    const deadline = startedAt + 60_000;
    const started = performance.now();
    const result = await handler({ time }, { getRemainingTimeInMillis: () => deadline - Date.now() });
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    samples.push({
      wallMs,
      fetchMs: meters.fetch.ms,
      fetchCalls: meters.fetch.calls,
      dynamodbMs: meters.dynamodb.ms,
      dynamodbCalls: meters.dynamodb.calls,
      secretsMs: meters.secrets.ms,
      secretsCalls: meters.secrets.calls,
      snsMs: meters.sns.ms,
      ...output,
      byKind,
      cpuMs: (used.user + used.system) / 1000,
      startedAt,
      result,
    });
  }
  return samples;
});
