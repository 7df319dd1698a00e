/**
 * The chat relay's work for one SNS delivery: for every channel whose minimum severity the
 * message reaches, read the channel's secret, format for its platform and deliver with retries.
 * Channels are independent: one failing (a wrong token) is logged once, parked in the dead-letter
 * queue with the message, and does not hold back or repeat the others.
 */
import { type AlertAttributes, fromDeliveredAttributes, parseLambdaEnvelope, reaches } from "../alerts/attributes.js";
import { ChatDeliveryError, describeError, errorLogFields } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { ChatChannel } from "./channels.js";
import { deliver, type Fetch } from "./deliver.js";
import { chatRequest } from "./format.js";
import { chatMessage } from "./message.js";
import { type ChatSecret, parseChatSecret } from "./secret.js";

/** The part of an SNS record Lambda hands the relay. */
export interface SnsDelivery {
  readonly MessageId?: string;
  readonly Subject?: string | null;
  readonly Message: string;
  readonly MessageAttributes?: Readonly<Record<string, { readonly Type?: string; readonly Value?: string }>>;
}

/** What the dead-letter queue receives for a channel that could not be reached. */
export interface DeadLetter {
  readonly channel: string;
  readonly platform: string;
  readonly error: { readonly kind: string; readonly message: string; readonly status?: number };
  readonly messageId: string;
  readonly subject: string;
  readonly attributes: AlertAttributes | null;
  /** The alert as published (its JSON "default" body; it holds no secrets), to resend by hand. */
  readonly message: string;
  readonly failedAt: string;
}

export interface DeadLetterSink {
  put(letter: DeadLetter): Promise<void>;
}

export interface SecretReader {
  /** The secret's string value; throws ChatSecretError when it cannot be read. */
  read(secretId: string): Promise<string | undefined>;
}

export interface RelayDeps {
  readonly channels: readonly ChatChannel[];
  readonly secrets: SecretReader;
  readonly deadLetters: DeadLetterSink;
  readonly log: Logger;
  readonly fetch?: Fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** How long a read secret is reused by a warm container. @default 300000 */
  readonly secretTtlMs?: number;
}

export interface RelayOutcome {
  readonly delivered: readonly string[];
  readonly failed: readonly string[];
  /** Channels whose minimum severity the message does not reach. */
  readonly filtered: readonly string[];
}

export class ChatRelay {
  private readonly cache = new Map<string, { secret: ChatSecret; until: number }>();

  constructor(private readonly deps: RelayDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private async secretFor(channel: ChatChannel): Promise<ChatSecret> {
    const hit = this.cache.get(channel.name);
    if (hit && hit.until > this.now()) return hit.secret;
    const secret = parseChatSecret(channel.platform, await this.deps.secrets.read(channel.secretId), channel.name);
    this.cache.set(channel.name, { secret, until: this.now() + (this.deps.secretTtlMs ?? 300_000) });
    return secret;
  }

  /** Deliver one SNS message to its channels; `deadlineMs` bounds retries. Throws only if a failure cannot be parked. */
  async relay(sns: SnsDelivery, deadlineMs: number): Promise<RelayOutcome> {
    // Our publisher's envelope carries the attributes (SNS drops them from JSON-structured
    // messages); a raw message published by anything else may carry them the usual way.
    const envelope = parseLambdaEnvelope(sns.Message);
    const attributes = envelope?.attributes ?? fromDeliveredAttributes(sns.MessageAttributes);
    const body = envelope?.body ?? sns.Message;
    const message = chatMessage(sns.Subject ?? undefined, body, attributes);
    const messageId = sns.MessageId ?? "";
    const targets = this.deps.channels.filter((c) => reaches(attributes, c.minSeverity));
    const filtered = this.deps.channels.filter((c) => !targets.includes(c)).map((c) => c.name);
    const results = await Promise.all(
      targets.map(async (channel) => {
        const log = this.deps.log.child({ channel: channel.name, platform: channel.platform, messageId });
        try {
          const secret = await this.secretFor(channel);
          const request = chatRequest(channel, secret, message);
          const done = await deliver(request, {
            deadlineMs,
            now: () => this.now(),
            redact: secretValues(secret),
            ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
            ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
          });
          log.info("chat delivered", { attempts: done.attempts, status: done.status });
          return { channel, error: undefined };
        } catch (err) {
          // A refused token may have been replaced since it was cached: read it again next time.
          if (err instanceof ChatDeliveryError && !err.retryable) this.cache.delete(channel.name);
          log.error("chat delivery failed", {
            ...errorLogFields(err),
            ...(err instanceof ChatDeliveryError && err.status !== undefined ? { status: err.status } : {}),
          });
          return { channel, error: err };
        }
      }),
    );
    const failures = results.filter((r) => r.error !== undefined);
    for (const { channel, error } of failures) {
      const { kind, message: text } = describeError(error);
      await this.deps.deadLetters.put({
        channel: channel.name,
        platform: channel.platform,
        error: {
          kind,
          message: text,
          ...(error instanceof ChatDeliveryError && error.status !== undefined ? { status: error.status } : {}),
        },
        messageId,
        subject: message.subject,
        attributes: attributes ?? null,
        message: body,
        failedAt: new Date(this.now()).toISOString(),
      });
    }
    return {
      delivered: results.filter((r) => r.error === undefined).map((r) => r.channel.name),
      failed: failures.map((r) => r.channel.name),
      filtered,
    };
  }
}

function secretValues(secret: ChatSecret): string[] {
  switch (secret.platform) {
    case "telegram":
      return [secret.botToken];
    case "slack":
    case "discord":
      return [secret.webhookUrl];
    case "webhook":
      return [secret.url, ...(secret.sharedSecret ? [secret.sharedSecret] : [])];
  }
}
