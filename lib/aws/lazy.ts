/**
 * SDK clients and modules loaded on first use. The Lambda's cold start pays for what it imports at
 * init; importing the three SDK packages there cost 3.9x bare Node 24 (docs/performance.md, "Cold
 * start"), while a calm cycle never publishes (SNS) and reads a secret only once per container.
 * So an adapter takes either a client (tests, the CLI) or a function that builds one when the
 * adapter first sends, and imports the SDK's command classes on that first send too. This module
 * imports no SDK package at run time (type imports only).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";

/** A client, or a function that builds it on first use (called once per adapter unless it fails). */
export type ClientRef<T extends object> = T | (() => Promise<T>);

/** The monitor's three clients, each given or built on first use. */
export interface AwsClients {
  readonly dynamodb: ClientRef<DynamoDBClient>;
  readonly sns: ClientRef<SNSClient>;
  readonly secretsManager: ClientRef<SecretsManagerClient>;
}

export interface ClientOptions {
  readonly region?: string;
  readonly maxAttempts?: number;
}

/** The configuration every client of the monitor shares (eager or lazy). */
export function clientConfig(options: ClientOptions = {}) {
  return {
    ...(options.region ? { region: options.region } : {}),
    // Standard retry mode with jittered backoff; DynamoDB throttling is retried here before we see it.
    maxAttempts: options.maxAttempts ?? 4,
    // The SDK waits forever by default; a hung connection must fail inside the Lambda's budget.
    requestHandler: { connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true },
  };
}

/** `load()` once, on first call; a failed load is tried again on the next call. */
export function lazyModule<M>(load: () => Promise<M>): () => Promise<M> {
  let loaded: Promise<M> | undefined;
  return () => {
    if (!loaded) {
      const attempt = load();
      loaded = attempt;
      attempt.catch(() => {
        if (loaded === attempt) loaded = undefined;
      });
    }
    return loaded;
  };
}

/** One promise per ref: a lazy client is built once, a given one is returned as is. */
export function resolveClient<T extends object>(ref: ClientRef<T>): () => Promise<T> {
  if (typeof ref !== "function") {
    const ready = Promise.resolve(ref);
    return () => ready;
  }
  return lazyModule(ref);
}

/** The Lambda's clients: nothing imported until a cycle first needs each (lib/aws/clients.ts builds them eagerly). */
export function lazyAwsClients(options: ClientOptions = {}): AwsClients {
  const common = clientConfig(options);
  return {
    dynamodb: async () => new (await import("@aws-sdk/client-dynamodb")).DynamoDBClient(common),
    sns: async () => new (await import("@aws-sdk/client-sns")).SNSClient(common),
    secretsManager: async () => new (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient(common),
  };
}
