/**
 * Lambda handler subscribed to the alert topic: delivers each alert to the chat channels in
 * CHAT_CHANNELS (Telegram, Slack, Discord, webhook) whose minimum severity it reaches. A channel
 * that fails is parked in DEAD_LETTER_QUEUE_URL (its alarm tells the user); the others are not
 * affected. Tokens and webhook URLs are read from Secrets Manager and never logged.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SecretsManagerReader, SqsDeadLetters } from "../lib/aws/chat-adapters.js";
import { parseChatChannels } from "../lib/chat/channels.js";
import { ChatRelay, type SnsDelivery } from "../lib/chat/relay.js";
import { ConfigError } from "../lib/core/errors.js";
import { createLogger, logLevelFromEnv } from "../lib/core/log.js";

/** Time kept back from the Lambda timeout for parking failures in the dead-letter queue. */
const SAFETY_MARGIN_MS = 3000;

const log = createLogger({ level: logLevelFromEnv() });

function build(env: NodeJS.ProcessEnv): ChatRelay {
  const queueUrl = env.DEAD_LETTER_QUEUE_URL?.trim();
  if (!queueUrl) throw new ConfigError("DEAD_LETTER_QUEUE_URL", "is required but not set");
  const channels = parseChatChannels(env.CHAT_CHANNELS ?? "[]");
  const common = { maxAttempts: 4 };
  return new ChatRelay({
    channels,
    secrets: new SecretsManagerReader(new SecretsManagerClient(common)),
    deadLetters: new SqsDeadLetters(new SQSClient(common), queueUrl),
    // Telegram is always api.telegram.org and webhooks only their platforms' hosts
    // (lib/chat/secret.ts): nothing in the environment can send a bot token elsewhere.
    log,
  });
}

let relay: ChatRelay | undefined;
let initError: unknown;
try {
  relay = build(process.env);
} catch (err) {
  initError = err;
}

export interface SnsEvent {
  readonly Records?: ReadonlyArray<{ readonly Sns?: SnsDelivery }>;
}

export const handler = async (event: SnsEvent, context: { getRemainingTimeInMillis(): number }) => {
  if (!relay) {
    log.error("chat relay configuration invalid", {
      error: initError instanceof Error ? initError.message : String(initError),
    });
    // Lambda retries, then the function's own dead-letter queue keeps the message and alarms.
    throw initError;
  }
  const deadlineMs = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  const outcomes = [];
  for (const record of event.Records ?? []) {
    if (!record.Sns) continue;
    outcomes.push(await relay.relay(record.Sns, deadlineMs));
  }
  return outcomes;
};
