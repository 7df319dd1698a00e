/**
 * The secret a chat channel names: `{"botToken": "..."}` for Telegram, `{"webhookUrl": "..."}`
 * for Slack and Discord, `{"url": "...", "sharedSecret": "..."}` for a generic webhook. Errors
 * say which field is wrong and never repeat a value.
 */
import { ChatSecretError } from "../core/errors.js";
import type { ChatPlatform } from "./channels.js";

export type ChatSecret =
  | { readonly platform: "telegram"; readonly botToken: string }
  | { readonly platform: "slack" | "discord"; readonly webhookUrl: string }
  | { readonly platform: "webhook"; readonly url: string; readonly sharedSecret?: string };

/** The shape each platform's secret has, for docs and error messages. */
export const SECRET_SHAPES: Readonly<Record<ChatPlatform, string>> = {
  telegram: '{"botToken": "123456789:AA..."}',
  slack: '{"webhookUrl": "https://hooks.slack.com/services/..."}',
  discord: '{"webhookUrl": "https://discord.com/api/webhooks/..."}',
  webhook: '{"url": "https://...", "sharedSecret": "optional"}',
};

// BotFather's format: the bot's numeric id, ":", and a 35-character key.
const BOT_TOKEN = /^\d{5,20}:[A-Za-z0-9_-]{30,64}$/;

/** HTTPS only; plain HTTP just for loopback stand-ins in tests. */
function checkUrl(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  const loopback = url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost");
  return url.protocol === "https:" || loopback ? url.toString() : undefined;
}

export function parseChatSecret(platform: ChatPlatform, text: string | undefined, channel: string): ChatSecret {
  const fail = (problem: string) =>
    new ChatSecretError(
      `chat channel "${channel}": its secret ${problem}; store ${SECRET_SHAPES[platform]} (docs/deploy.md, "Chat channels")`,
    );
  if (text === undefined || text.trim() === "") throw fail("has no value");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw fail("is not JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw fail("is not a JSON object");
  const obj = raw as Record<string, unknown>;
  switch (platform) {
    case "telegram": {
      const token = typeof obj.botToken === "string" ? obj.botToken.trim() : "";
      if (!BOT_TOKEN.test(token)) throw fail('has no "botToken" in BotFather\'s format (digits, ":", key)');
      return { platform, botToken: token };
    }
    case "slack":
    case "discord": {
      const url = checkUrl(obj.webhookUrl);
      if (!url) throw fail('has no "webhookUrl" starting with https://');
      return { platform, webhookUrl: url };
    }
    case "webhook": {
      const url = checkUrl(obj.url);
      if (!url) throw fail('has no "url" starting with https://');
      if (obj.sharedSecret !== undefined && (typeof obj.sharedSecret !== "string" || obj.sharedSecret === "")) {
        throw fail('has a "sharedSecret" that is not a non-empty string');
      }
      return { platform, url, ...(typeof obj.sharedSecret === "string" ? { sharedSecret: obj.sharedSecret } : {}) };
    }
  }
}
