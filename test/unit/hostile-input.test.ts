/**
 * Issue 17, narrow units: what comes from outside is bounded before it costs anything and
 * filtered before it reaches a person. Each case failed (or threw) on the code before the fix;
 * the end-to-end versions against the loopback exchange are in test/faults/hostile-answers.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertAttributes } from "../../lib/alerts/attributes.js";
import { renderAlert } from "../../lib/alerts/messages.js";
import { MAX_BAN_MS, MAX_RATE_LIMIT_WAIT_MS, retryAfterMs } from "../../lib/binance/common/signed-client.js";
import { parseKeyPermissions } from "../../lib/binance/spot/key-permissions.js";
import type { ChatChannel } from "../../lib/chat/channels.js";
import {
  retryAfterMs as chatRetryAfterMs,
  deliver,
  MAX_CHAT_WAIT_MS,
  MAX_REPLY_BYTES,
} from "../../lib/chat/deliver.js";
import { chatRequest, escapeDiscord } from "../../lib/chat/format.js";
import { chatMessage } from "../../lib/chat/message.js";
import { checkWebhookUrl, parseChatSecret } from "../../lib/chat/secret.js";
import { BodyTooLargeError, readTextCapped } from "../../lib/core/bounded-body.js";
import { ChatDeliveryError, ChatSecretError } from "../../lib/core/errors.js";
import { safeSummary, withoutInvisible } from "../../lib/core/outside-text.js";
import { formatKeyLines, keyStatusOf } from "../../lib/history/key-status.js";
import { MAX_DURATION_MS, parseDuration, parseInstant } from "../../lib/history/range.js";
import { DEFAULT_ALERT_LEVELS } from "../../lib/risk/levels.js";
import { apiRestrictionsBody, READ_ONLY } from "../../sim/exchange/spot/key-permissions.js";

const NOW = 1_796_000_000_000;

describe("Retry-After is bounded, so no wait or date built from it is ever unbounded or invalid", () => {
  const headers = (value: string) => new Headers({ "retry-after": value });

  it.each([
    ["1e9", MAX_RATE_LIMIT_WAIT_MS, MAX_BAN_MS],
    ["1e13", MAX_RATE_LIMIT_WAIT_MS, MAX_BAN_MS],
    ["99999999999999999999999", MAX_RATE_LIMIT_WAIT_MS, MAX_BAN_MS],
    ["Fri, 31 Dec 9999 23:59:59 GMT", MAX_RATE_LIMIT_WAIT_MS, MAX_BAN_MS],
    ["120", 120_000, 120_000],
    ["0", 0, 0],
  ])("Retry-After %s: at most 5 minutes for a 429 and 3 days for a 418", (value, rateLimit, ban) => {
    expect(retryAfterMs(headers(value), NOW, MAX_RATE_LIMIT_WAIT_MS)).toBe(rateLimit);
    expect(retryAfterMs(headers(value), NOW, MAX_BAN_MS)).toBe(ban);
    expect(new Date(NOW + (retryAfterMs(headers(value), NOW, MAX_BAN_MS) ?? 0)).toISOString()).toMatch(/^20/);
  });

  it.each(["-5", "Infinity", "NaN", "soon", "x".repeat(1000)])("Retry-After %j is no Retry-After", (value) => {
    expect(retryAfterMs(headers(value), NOW, MAX_BAN_MS)).toBeUndefined();
  });

  it("Binance's documented maximum ban is 3 days; its limits are per minute", () => {
    expect(MAX_BAN_MS).toBe(3 * 24 * 3600 * 1000);
    expect(MAX_RATE_LIMIT_WAIT_MS).toBe(5 * 60 * 1000);
  });

  it("chat platforms' waits (header or JSON body) are at most 15 minutes", () => {
    expect(chatRetryAfterMs(headers("1e13"), undefined, NOW)).toBe(MAX_CHAT_WAIT_MS);
    expect(chatRetryAfterMs(new Headers(), { parameters: { retry_after: 1e300 } }, NOW)).toBe(MAX_CHAT_WAIT_MS);
    expect(chatRetryAfterMs(new Headers(), { retry_after: 2.5 }, NOW)).toBe(2500);
  });
});

describe("bodies are read as a stream and cut at the cap", () => {
  function streamed(chunks: number, chunkBytes: number, headers: Record<string, string> = {}) {
    let pulled = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= chunks) return controller.close();
        pulled++;
        controller.enqueue(new Uint8Array(chunkBytes).fill(120));
      },
      cancel() {
        cancelled = true;
      },
    });
    return { res: new Response(body, { headers }), pulled: () => pulled, cancelled: () => cancelled };
  }

  it("a body past the cap is cancelled after the chunk that crossed it, not read to its end", async () => {
    const s = streamed(1600, 64 * 1024); // 100 MB if read whole
    await expect(readTextCapped(s.res, 1024 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(s.pulled()).toBeLessThanOrEqual(18);
    expect(s.cancelled()).toBe(true);
  });

  it("a declared Content-Length past the cap is refused before a byte is read", async () => {
    const s = streamed(1600, 64 * 1024, { "content-length": String(100 * 1024 * 1024) });
    await expect(readTextCapped(s.res, 1024 * 1024)).rejects.toThrow(/larger than 1048576 bytes/);
    expect(s.pulled()).toBeLessThanOrEqual(1);
  });

  it("a chat platform's 100 MB reply is cancelled past 1 MB: a retryable delivery failure, no URL in it", async () => {
    const s = streamed(1600, 64 * 1024);
    const err = await deliver(
      { url: "https://hooks.slack.com/services/T/B/secret-token", headers: {}, body: "{}" },
      { fetch: async () => s.res, deadlineMs: Date.now() + 10_000, attempts: 1 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatDeliveryError);
    expect((err as ChatDeliveryError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/reply larger than 1048576 bytes/);
    expect((err as Error).message).not.toContain("secret-token");
    expect(s.pulled()).toBeLessThanOrEqual(18);
    expect(MAX_REPLY_BYTES).toBe(1024 * 1024);
  });

  it("a chat platform's error text is a safe summary, its token cut out", async () => {
    const token = "secret-token-123";
    const reply = JSON.stringify({ ok: false, description: `[Fix](https://evil.example) bot${token} <@here>` });
    const err = await deliver(
      { url: `https://api.telegram.org/bot${token}/sendMessage`, headers: {}, body: "{}" },
      { fetch: async () => new Response(reply, { status: 400 }), deadlineMs: Date.now() + 10_000, redact: [token] },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^refused \(HTTP 400 /);
    expect((err as Error).message).not.toMatch(/evil|https|secret-token|[[\]<>@]/);
  });

  it("a body under the cap reads whole, multi-byte characters across chunk edges intact", async () => {
    const text = `{"msg":"${"é€😀".repeat(5000)}"}`;
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.subarray(i, i + 7));
        controller.close();
      },
    });
    expect(await readTextCapped(new Response(body), 1024 * 1024)).toBe(text);
    expect(await readTextCapped(new Response(null), 10)).toBe("");
  });
});

describe("outside text reaching a person is a safe summary", () => {
  it.each([
    ["a masked link", "[Verify your account](https://evil.example/login) to avoid liquidation"],
    ["a bare URL", "Visit https://evil.example/x now"],
    ["a bare domain", "Go to binance-support.help/verify"],
    ["a Slack link", "<https://evil.example|Binance>"],
    ["a mention", "@everyone <@123456> @here"],
    ["CRLF and a fake line", "Timestamp error\r\nSubject: you were liquidated\r\n"],
    ["terminal escapes and bidi", "\u001b[31mred\u001b[0m \u202egnp.exe\u200b"],
    ["markup", "**bold** __u__ `code` ~~s~~ ||spoiler|| # head > quote"],
  ])("%s", (_what, msg) => {
    const s = safeSummary(msg);
    expect(s).not.toMatch(/https?:|www\.|evil\.example|\.help|[[\]<>*_`~|#@\\]/);
    // biome-lint-free control check: nothing below space, no DEL/C1, no bidi or zero-width.
    for (const ch of s) {
      const cp = ch.codePointAt(0) ?? 0;
      expect(cp >= 0x20 && !(cp >= 0x7f && cp <= 0x9f) && !(cp >= 0x200b && cp <= 0x202e)).toBe(true);
    }
    expect(s.length).toBeLessThanOrEqual(160);
  });

  it("Binance's own messages come through as they are", () => {
    for (const msg of [
      "Timestamp for this request is outside of the recvWindow.",
      "Invalid API-key, IP, or permissions for action, request ip: 203.0.113.7",
      "Signature for this request is not valid.",
      "Way too much request weight used; IP banned until 1700000000000.",
    ]) {
      expect(safeSummary(msg)).toBe(msg);
    }
  });

  it("any text: one bounded line of plain characters, in linear time", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 3000 }), (text) => {
        const s = safeSummary(text);
        expect(s.length).toBeLessThanOrEqual(160);
        expect(s).not.toMatch(/[\n\r[\]<>*_`~|#@\\]/);
        expect(s).not.toMatch(/:\/\//);
      }),
      { numRuns: 300 },
    );
  });

  it("a health alert carrying such a reason shows no link on any chat platform", () => {
    const reason = "Binance rejected the request with HTTP 400 (code -4999: [Claim](https://evil.example/x))";
    const alert = {
      type: "health" as const,
      id: "t",
      account: "main",
      notice: "unreachable" as const,
      failures: 3,
      errorKind: "binance-request",
      reason,
      at: "2026-12-03T10:00:00.000Z",
    };
    const r = renderAlert(alert);
    const m = chatMessage(r.subject, JSON.stringify(alert), alertAttributes(alert, DEFAULT_ALERT_LEVELS));
    const channel = (platform: ChatChannel["platform"]): ChatChannel => ({
      name: "c",
      platform,
      secretId: "s",
      minSeverity: "ok",
      ...(platform === "telegram" ? { chatId: "-100123" } : {}),
    });
    const discord = JSON.parse(
      chatRequest(channel("discord"), { platform: "discord", webhookUrl: "https://discord.com/api/webhooks/1/x" }, m)
        .body,
    );
    // Discord renders "[text](url)" in an embed as a masked link: escaped, it is plain text.
    expect(discord.embeds[0].description).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(/);
    expect(escapeDiscord("[a](b)")).toBe("\\[a\\]\\(b\\)");
  });

  it("chat text loses control and invisible characters on every platform, lines kept", () => {
    expect(withoutInvisible("a\u202eb\r\nc\u0007d\u200b")).toBe("ab\ncd");
    const m = { subject: "x\u001b[2Jy", text: "line1\r\nline\u202e2", attributes: undefined, data: {} };
    for (const [platform, secret] of [
      ["slack", { platform: "slack", webhookUrl: "https://hooks.slack.com/services/x" }],
      ["discord", { platform: "discord", webhookUrl: "https://discord.com/api/webhooks/1/x" }],
      ["webhook", { platform: "webhook", url: "https://hooks.example.net/x" }],
    ] as const) {
      const body = chatRequest({ name: "c", platform, secretId: "s", minSeverity: "ok" }, secret, m).body;
      expect(body).not.toMatch(/\\u001b|\\u202e|\\r/);
    }
  });
});

describe("chat secrets: https, the platform's own hosts, never an internal address", () => {
  it.each([
    ["slack", "http://127.0.0.1:9001/services/T/B/x", /https/],
    ["slack", "https://evil.example/services/T/B/x", /hooks\.slack\.com/],
    ["slack", "https://hooks.slack.com.evil.example/services/x", /hooks\.slack\.com/],
    ["discord", "https://discord.gg/api/webhooks/1/x", /discord\.com or discordapp\.com/],
    ["discord", "https://discord.com/channels/1/2", /webhook URL/],
    ["webhook", "https://169.254.169.254/latest/meta-data/iam", /loopback, private or link-local/],
    ["webhook", "https://10.0.0.5/hook", /loopback, private or link-local/],
    ["webhook", "https://192.168.1.10/hook", /loopback, private or link-local/],
    ["webhook", "https://[::1]/hook", /loopback, private or link-local/],
    ["webhook", "https://[fd12::1]/hook", /loopback, private or link-local/],
    ["webhook", "https://[::ffff:10.0.0.5]/hook", /loopback, private or link-local/],
    ["webhook", "https://2130706433/hook", /loopback, private or link-local/],
    ["webhook", "https://localhost/hook", /loopback, private or link-local/],
    ["webhook", "https://user:pass@hooks.example.net/hook", /user name or password/],
    ["webhook", "http://hooks.example.net/hook", /https/],
  ] as const)("%s secret %s is refused", (platform, url, message) => {
    const field = platform === "webhook" ? "url" : "webhookUrl";
    const secret = JSON.stringify({ [field]: url });
    expect(() => parseChatSecret(platform, secret, "ops")).toThrow(ChatSecretError);
    expect(() => parseChatSecret(platform, secret, "ops")).toThrow(message);
    // The refusal never repeats the URL (it holds the webhook's token).
    try {
      parseChatSecret(platform, secret, "ops");
    } catch (err) {
      expect((err as Error).message).not.toContain(url);
    }
  });

  it("the platforms' real webhooks and a public https webhook are accepted", () => {
    expect(checkWebhookUrl("slack", "https://hooks.slack.com/services/T0/B0/abc")).toBe(
      "https://hooks.slack.com/services/T0/B0/abc",
    );
    expect(checkWebhookUrl("discord", "https://discord.com/api/webhooks/1/abc")).toMatch(/^https:\/\/discord\.com/);
    expect(checkWebhookUrl("discord", "https://discordapp.com/api/webhooks/1/abc")).toMatch(/^https:\/\/discordapp/);
    expect(checkWebhookUrl("webhook", "https://hooks.example.net/alerts")).toBe("https://hooks.example.net/alerts");
    expect(checkWebhookUrl("webhook", "https://172.32.0.1/x")).toBe("https://172.32.0.1/x");
  });
});

describe("times from outside never build an invalid Date", () => {
  it("a key's createTime of 1e16 is no creation time: the permissions still read", () => {
    const body = (createTime: number, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ ...JSON.parse(apiRestrictionsBody(READ_ONLY)), ...extra, ipRestrict: true, createTime });
    const p = parseKeyPermissions(body(1e16, { enableWithdrawals: true }));
    expect(p.createdAt).toBeUndefined();
    expect(p.dangerous).toEqual(["enableWithdrawals"]);
    expect(parseKeyPermissions(body(-5)).createdAt).toBeUndefined();
    expect(parseKeyPermissions(body(1698645219000)).createdAt).toBe(1698645219000);
  });

  it("`status` with such a time already stored shows the key, for every account (it threw for all)", () => {
    const now = new Date(NOW);
    const stored = {
      lastAttemptAt: NOW - 1000,
      lastCheckedAt: 1e16,
      permissions: { ipRestricted: true, reading: true, dangerous: [], createdAt: 1e16 },
      alerted: [],
    };
    const status = keyStatusOf(stored, now);
    expect(status).toMatchObject({ verdict: "read-only", ipRestricted: true });
    expect(status.createdAt).toBeUndefined();
    expect(status.checkedAt).toBeUndefined();
    const lines = formatKeyLines(
      [
        { account: "a", key: status },
        {
          account: "b",
          key: keyStatusOf({ ...stored, permissions: { ...stored.permissions, createdAt: NOW - 86_400_000 } }, now),
        },
      ],
      now,
    );
    expect(lines.join("\n")).toMatch(/a {2}read-only; IP-restricted/);
    expect(lines.join("\n")).toMatch(/b {2}read-only; IP-restricted; created 20\d\d-\d\d-\d\d \(1d 0h ago\)/);
  });

  it("durations past a century and instants past the Date range are not times", () => {
    const now = new Date(NOW);
    expect(parseInstant("99999999w", now)).toBeUndefined();
    expect(parseDuration("99999999w")).toBeUndefined();
    expect(parseDuration(`${"9".repeat(400)}s`)).toBeUndefined();
    expect(parseDuration("100w")).toBe(100 * 604_800_000);
    expect(MAX_DURATION_MS).toBeGreaterThan(99 * 365 * 86_400_000);
    expect(parseInstant("7d", now)?.toISOString()).toBe(new Date(NOW - 7 * 86_400_000).toISOString());
  });
});
