/**
 * Chat formatting for any text an alert can carry: Telegram's MarkdownV2 parses (by the
 * stand-in's parser, which follows Telegram's rules) and shows exactly the original text; Slack
 * and Discord stay within their limits with their control characters escaped.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertAttributes } from "../../lib/alerts/attributes.js";
import { renderAlert } from "../../lib/alerts/messages.js";
import type { ChatChannel } from "../../lib/chat/channels.js";
import { chatRequest, escapeMarkdownV2, escapeSlack, LIMITS } from "../../lib/chat/format.js";
import { chatMessage } from "../../lib/chat/message.js";
import { DEFAULT_ALERT_LEVELS } from "../../lib/risk/levels.js";
import { parseMarkdownV2 } from "../../sim/chat-rules.js";
import { anyAlert } from "../support/arbitraries.js";

const channel = (platform: ChatChannel["platform"]): ChatChannel => ({
  name: "c",
  platform,
  secretId: "s",
  minSeverity: "ok",
  ...(platform === "telegram" ? { chatId: "-100123" } : {}),
});

describe("Telegram MarkdownV2", () => {
  it("escaped text of any characters parses and shows exactly the original", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (text) => {
        const parsed = parseMarkdownV2(escapeMarkdownV2(text));
        expect(parsed).toEqual({ ok: true, plain: text });
      }),
      { numRuns: 500 },
    );
  });

  it("unescaped reserved characters are refused as Telegram refuses them", () => {
    expect(parseMarkdownV2("ratio 83.0%")).toEqual({
      ok: false,
      error: "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    });
    expect(parseMarkdownV2("*bold").ok).toBe(false);
  });
});

describe("every alert, on every platform", () => {
  it("stays within the platform's limits and escapes what the platform would interpret", () => {
    fc.assert(
      fc.property(anyAlert, (a) => {
        const r = renderAlert(a);
        const m = chatMessage(r.subject, JSON.stringify(a), alertAttributes(a, DEFAULT_ALERT_LEVELS));
        const tg = JSON.parse(chatRequest(channel("telegram"), { platform: "telegram", botToken: "1:x" }, m).body);
        const shown = parseMarkdownV2(tg.text);
        expect(shown.ok).toBe(true);
        if (shown.ok) expect([...shown.plain].length).toBeLessThanOrEqual(LIMITS.telegramText);

        const slack = JSON.parse(chatRequest(channel("slack"), { platform: "slack", webhookUrl: "https://x" }, m).body);
        expect([...slack.blocks[0].text.text].length).toBeLessThanOrEqual(LIMITS.slackHeader);
        expect([...slack.blocks[1].text.text].length).toBeLessThanOrEqual(LIMITS.slackSection);
        expect(slack.blocks[1].text.text).not.toMatch(/[<>]/);

        const discord = JSON.parse(
          chatRequest(channel("discord"), { platform: "discord", webhookUrl: "https://x" }, m).body,
        );
        expect([...discord.embeds[0].title].length).toBeLessThanOrEqual(LIMITS.discordTitle);
        expect([...discord.embeds[0].description].length).toBeLessThanOrEqual(LIMITS.discordDescription);
        expect(discord.allowed_mentions).toEqual({ parse: [] });
      }),
      { numRuns: 300 },
    );
  });

  it("Slack escaping leaves no control characters of its own", () => {
    expect(escapeSlack("a <b> & c")).toBe("a &lt;b&gt; &amp; c");
  });
});
