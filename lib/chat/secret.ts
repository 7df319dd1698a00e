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

/**
 * The hosts each platform's webhooks live on. A Slack or Discord secret naming any other host is
 * refused: the monitor would post alerts (and the webhook's own token) wherever a mistyped or
 * planted secret points.
 */
export const PLATFORM_HOSTS = {
  slack: ["hooks.slack.com"],
  discord: ["discord.com", "discordapp.com"],
} as const satisfies Record<"slack" | "discord", readonly string[]>;

/** Where each platform's webhook paths start, for a useful error and no surprise endpoints. */
const PLATFORM_PATHS: Readonly<Record<"slack" | "discord", string>> = {
  slack: "/services/",
  discord: "/api/webhooks/",
};

function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m ? m.slice(1).map(Number) : undefined;
}

/**
 * A literal address no webhook on the internet has: loopback, private (RFC 1918, CGNAT, IPv6
 * ULA), link-local (169.254/16 holds the cloud metadata service; fe80::/10), unspecified,
 * multicast or reserved. The URL parser has already normalised 2130706433, 0x7f.1 and [::1].
 */
export function isInternalAddress(hostname: string): boolean {
  const host = hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const v4 = ipv4(host);
  if (v4) return internalV4(v4);
  if (!host.includes(":")) return false;
  // IPv4-mapped and -compatible IPv6 (::ffff:10.0.0.5 arrives normalised as ::ffff:a00:5).
  const mapped = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = Number.parseInt(mapped[1] ?? "0", 16);
    const lo = Number.parseInt(mapped[2] ?? "0", 16);
    return internalV4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  const first = Number.parseInt(host.split(":")[0] || "0", 16);
  return (
    host === "::" ||
    host === "::1" ||
    (first & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (first & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (first & 0xff00) === 0xff00 // multicast
  );
}

function internalV4([a = 0, b = 0]: number[]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

/**
 * A webhook URL the relay may post to, or why not: https only, no credentials in it, never a
 * literal internal address, and for Slack and Discord their own hosts and paths. The shipped
 * check has no loopback exception; tests route the real hostnames to their stand-ins instead
 * (sim/chat-standins.ts, `routingFetch`).
 */
export function checkWebhookUrl(
  platform: "slack" | "discord" | "webhook",
  text: unknown,
): string | { problem: string } {
  if (typeof text !== "string" || text.trim() === "") return { problem: "is missing" };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { problem: "is not a URL" };
  }
  if (url.protocol !== "https:") return { problem: "must start with https://" };
  if (url.username || url.password) return { problem: "must not carry a user name or password" };
  if (isInternalAddress(url.hostname))
    return { problem: "must not point at a loopback, private or link-local address" };
  if (platform !== "webhook") {
    const hosts: readonly string[] = PLATFORM_HOSTS[platform];
    if (!hosts.includes(url.hostname) || url.port !== "") {
      return { problem: `must be on ${hosts.join(" or ")}` };
    }
    if (!url.pathname.startsWith(PLATFORM_PATHS[platform])) {
      return { problem: `must be a webhook URL (https://${hosts[0]}${PLATFORM_PATHS[platform]}...)` };
    }
  }
  return url.toString();
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
      const url = checkWebhookUrl(platform, obj.webhookUrl);
      if (typeof url !== "string") throw fail(`has a "webhookUrl" that ${url.problem}`);
      return { platform, webhookUrl: url };
    }
    case "webhook": {
      const url = checkWebhookUrl(platform, obj.url);
      if (typeof url !== "string") throw fail(`has a "url" that ${url.problem}`);
      if (obj.sharedSecret !== undefined && (typeof obj.sharedSecret !== "string" || obj.sharedSecret === "")) {
        throw fail('has a "sharedSecret" that is not a non-empty string');
      }
      return { platform, url, ...(typeof obj.sharedSecret === "string" ? { sharedSecret: obj.sharedSecret } : {}) };
    }
  }
}
