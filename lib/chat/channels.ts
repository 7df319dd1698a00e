/**
 * Chat channels: where the chat relay delivers alerts, and how much it sends to each. The deploy
 * config (infra/config/) and the relay Lambda (CHAT_CHANNELS) validate with this one parser, so
 * a channel synth accepts is one the relay accepts. Tokens and webhook URLs are never here: each
 * channel names a Secrets Manager secret (lib/chat/secret.ts reads it).
 */
import { isSeverity, SEVERITIES, type Severity } from "../alerts/attributes.js";
import { ConfigError } from "../core/errors.js";

export const CHAT_PLATFORMS = ["telegram", "slack", "discord", "webhook"] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

export interface ChatChannel {
  /** Names the channel in logs, dead letters and alarms. */
  readonly name: string;
  readonly platform: ChatPlatform;
  /** Secrets Manager secret name or ARN holding the bot token or webhook URL. */
  readonly secretId: string;
  /** The least severe message this channel receives (lib/alerts/attributes.ts). */
  readonly minSeverity: Severity;
  /** Telegram only: the chat to post in (a number, negative for groups, or "@channelname"). */
  readonly chatId?: string;
  /** Generic webhook only: the header that carries the shared secret, when the secret has one. */
  readonly secretHeader?: string;
}

/** Chat is free and read when convenient, so by default it gets everything email gets. */
export const DEFAULT_CHAT_MIN_SEVERITY: Severity = "ok";
export const DEFAULT_SECRET_HEADER = "X-Coinm-Guard-Secret";

export const CHAT_CHANNEL_KEYS = ["name", "platform", "secretId", "minSeverity", "chatId", "secretHeader"] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
// Telegram chat ids: a (possibly negative) integer, or @ and a public channel's username.
const CHAT_ID = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;
// An HTTP header name (RFC 9110 token).
const HEADER = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parseChannel(raw: unknown, at: string): ChatChannel {
  if (!isObject(raw)) throw new ConfigError(at, 'must be an object such as {"name": "ops", "platform": "slack", ...}');
  for (const key of Object.keys(raw)) {
    if (!(CHAT_CHANNEL_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`${at}.${key}`, `unknown setting (known: ${CHAT_CHANNEL_KEYS.join(", ")})`);
    }
  }
  const { name, platform, secretId, minSeverity, chatId, secretHeader } = raw;
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new ConfigError(
      `${at}.name`,
      "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
    );
  }
  if (typeof platform !== "string" || !(CHAT_PLATFORMS as readonly string[]).includes(platform)) {
    throw new ConfigError(`${at}.platform`, `must be one of ${CHAT_PLATFORMS.join(", ")}`);
  }
  if (typeof secretId !== "string" || secretId.trim() === "") {
    throw new ConfigError(`${at}.secretId`, "must name the Secrets Manager secret with the token or URL");
  }
  if (minSeverity !== undefined && !isSeverity(minSeverity)) {
    throw new ConfigError(`${at}.minSeverity`, `must be one of ${SEVERITIES.join(", ")}`);
  }
  const p = platform as ChatPlatform;
  if (p === "telegram") {
    if (typeof chatId !== "string" && typeof chatId !== "number") {
      throw new ConfigError(
        `${at}.chatId`,
        'is required for Telegram: the chat id (e.g. "-1001234567890") or "@channel"',
      );
    }
    if (!CHAT_ID.test(String(chatId))) {
      throw new ConfigError(`${at}.chatId`, `"${String(chatId)}" is not a Telegram chat id or @channelusername`);
    }
  } else if (chatId !== undefined) {
    throw new ConfigError(`${at}.chatId`, "applies to Telegram only");
  }
  if (secretHeader !== undefined) {
    if (p !== "webhook") throw new ConfigError(`${at}.secretHeader`, "applies to the generic webhook only");
    if (typeof secretHeader !== "string" || !HEADER.test(secretHeader)) {
      throw new ConfigError(`${at}.secretHeader`, "must be an HTTP header name such as X-Coinm-Guard-Secret");
    }
  }
  return {
    name,
    platform: p,
    secretId: secretId.trim(),
    minSeverity: minSeverity ?? DEFAULT_CHAT_MIN_SEVERITY,
    ...(chatId !== undefined ? { chatId: String(chatId) } : {}),
    ...(p === "webhook"
      ? { secretHeader: typeof secretHeader === "string" ? secretHeader : DEFAULT_SECRET_HEADER }
      : {}),
  };
}

/** Parse the channel list (JSON text); throws ConfigError naming the first bad entry. */
export function parseChatChannels(text: string, variable = "CHAT_CHANNELS"): ChatChannel[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(variable, "is not valid JSON");
  }
  if (!Array.isArray(raw)) throw new ConfigError(variable, "must be a JSON array of channels");
  const channels = raw.map((entry, i) => parseChannel(entry, `${variable}[${i}]`));
  const seen = new Set<string>();
  for (const [i, c] of channels.entries()) {
    if (seen.has(c.name)) throw new ConfigError(`${variable}[${i}].name`, `"${c.name}" is used twice`);
    seen.add(c.name);
  }
  return channels;
}
