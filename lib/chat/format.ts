/**
 * One request per platform for a chat message: Telegram sendMessage with MarkdownV2, a Slack
 * incoming webhook with blocks, a Discord webhook with an embed, and a plain JSON webhook. Each
 * respects its platform's length limits and escaping; the secret decides the URL.
 */
import type { SEVERITIES } from "../alerts/attributes.js";
import { withoutInvisible } from "../core/outside-text.js";
import type { ChatChannel } from "./channels.js";
import type { ChatMessage } from "./message.js";
import type { ChatSecret } from "./secret.js";

export interface ChatRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The Telegram Bot API, the only place a bot token is sent (tests route this host to a stand-in). */
export const TELEGRAM_API = "https://api.telegram.org";

export const LIMITS = {
  /** Telegram: message text after entities are parsed. */
  telegramText: 4096,
  /** Slack: header block plain_text, section text. */
  slackHeader: 150,
  slackSection: 3000,
  /** Discord: embed title, description, field value. */
  discordTitle: 256,
  discordDescription: 4096,
  discordField: 1024,
} as const;

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 3)}...`);

function severityLabel(m: ChatMessage): string {
  const a = m.attributes;
  if (!a) return "";
  const label = a.severity === "ok" ? "OK" : a.severity.toUpperCase();
  return a.test ? `TEST ${label}` : label;
}

function facts(m: ChatMessage): Array<[string, string]> {
  const a = m.attributes;
  if (!a) return [];
  return [
    ["Severity", a.closes ? `${a.severity} (closes ${a.closes})` : a.severity],
    ["Account", a.account],
    ["Kind", a.notice ? `${a.kind} ${a.notice}` : a.kind],
  ];
}

// MarkdownV2: every one of these must be escaped outside entities (core.telegram.org/bots/api#markdownv2-style).
const MDV2_SPECIAL = /[_*[\]()~`>#+\-=|{}.!\\]/g;

export function escapeMarkdownV2(text: string): string {
  return text.replace(MDV2_SPECIAL, (c) => `\\${c}`);
}

function telegram(channel: ChatChannel, secret: { botToken: string }, m: ChatMessage): ChatRequest {
  const label = severityLabel(m);
  const head = `*${escapeMarkdownV2(label ? `[${label}] ${m.subject}` : m.subject)}*`;
  // Room for the head and escapes (at most doubling the body).
  const body = escapeMarkdownV2(cut(m.text, Math.floor((LIMITS.telegramText - head.length - 2) / 2)));
  return {
    url: `${TELEGRAM_API}/bot${secret.botToken}/sendMessage`,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      chat_id: channel.chatId,
      text: `${head}\n\n${body}`,
      parse_mode: "MarkdownV2",
      link_preview_options: { is_disabled: true },
    }),
  };
}

// Slack mrkdwn: only these three are control characters (api.slack.com/reference/surfaces/formatting#escaping).
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function slack(url: string, m: ChatMessage): ChatRequest {
  const label = severityLabel(m);
  const context = facts(m)
    .map(([k, v]) => `${k}: *${escapeSlack(v)}*`)
    .join("  |  ");
  const blocks: unknown[] = [
    {
      type: "header",
      text: { type: "plain_text", text: cut(label ? `[${label}] ${m.subject}` : m.subject, LIMITS.slackHeader) },
    },
    { type: "section", text: { type: "mrkdwn", text: cut(escapeSlack(m.text), LIMITS.slackSection) } },
  ];
  if (context) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: context }] });
  // `text` is the notification fallback shown where blocks are not.
  return {
    url,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: cut(escapeSlack(m.subject), 1000), blocks }),
  };
}

const COLORS: Readonly<Record<(typeof SEVERITIES)[number], number>> = {
  ok: 0x2e7d32,
  warning: 0xf9a825,
  critical: 0xc62828,
};

// Discord markdown: backslash-escape the characters that would start formatting, a mention or a
// masked link ("[text](url)" shows only "text" in an embed, a link that looks like ours).
export function escapeDiscord(text: string): string {
  return text.replace(/[\\*_~`|>#@[\]()<-]/g, (c) => `\\${c}`);
}

function discord(url: string, m: ChatMessage): ChatRequest {
  const label = severityLabel(m);
  const embed = {
    title: cut(label ? `[${label}] ${m.subject}` : m.subject, LIMITS.discordTitle),
    description: cut(escapeDiscord(m.text), LIMITS.discordDescription),
    color: COLORS[m.attributes?.severity ?? "critical"],
    fields: facts(m).map(([name, value]) => ({ name, value: cut(value, LIMITS.discordField), inline: true })),
  };
  return {
    url,
    headers: { "content-type": "application/json" },
    // No pings from alert text, whatever it contains.
    body: JSON.stringify({ username: "coinm-guard", allowed_mentions: { parse: [] }, embeds: [embed] }),
  };
}

function webhook(channel: ChatChannel, secret: { url: string; sharedSecret?: string }, m: ChatMessage): ChatRequest {
  const a = m.attributes;
  return {
    url: secret.url,
    headers: {
      "content-type": "application/json",
      ...(secret.sharedSecret ? { [channel.secretHeader ?? "X-Coinm-Guard-Secret"]: secret.sharedSecret } : {}),
    },
    body: JSON.stringify({
      source: "coinm-guard",
      subject: m.subject,
      text: m.text,
      ...(a ? { severity: a.severity, account: a.account, kind: a.kind, notice: a.notice } : {}),
      ...(a?.closes ? { closes: a.closes } : {}),
      test: a?.test === true,
      alert: m.data,
    }),
  };
}

export function chatRequest(channel: ChatChannel, secret: ChatSecret, raw: ChatMessage): ChatRequest {
  // No control or invisible characters on any platform (bidi overrides, zero-width joiners,
  // terminal escapes): what a person reads is what the text says.
  const message = {
    ...raw,
    subject: withoutInvisible(raw.subject).replace(/\n/g, " "),
    text: withoutInvisible(raw.text),
  };
  switch (secret.platform) {
    case "telegram":
      return telegram(channel, secret, message);
    case "slack":
      return slack(secret.webhookUrl, message);
    case "discord":
      return discord(secret.webhookUrl, message);
    case "webhook":
      return webhook(channel, secret, message);
  }
}
