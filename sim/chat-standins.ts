/**
 * Loopback stand-ins for the chat APIs the chat relay posts to, checking what each real one
 * checks and answering as it answers:
 *   Telegram  POST /bot<token>/sendMessage: the token in the path (401 "Unauthorized"), JSON body,
 *             chat_id and text required, the chat known, parse_mode valid, MarkdownV2 escaping
 *             ("can't parse entities"), text <= 4096 characters after parsing; 429 with
 *             parameters.retry_after.
 *   Slack     POST /services/T../B../<secret>: 404 no_service, 403 invalid_token, JSON with text or
 *             blocks, block limits (invalid_blocks); 429 with Retry-After.
 *   Discord   POST /api/webhooks/<id>/<token>: 404 Unknown Webhook (10015), 401 Invalid Webhook
 *             Token (50027), content or embeds (50006), embed limits (50035); 204; 429 with
 *             Retry-After and retry_after.
 *   Webhook   POST to its path, JSON, the shared-secret header when one is set; 429 with Retry-After.
 * Only what was accepted is recorded in `received`; every refusal in `refused`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isObject, parseMarkdownV2, slackBlockOk, strLen } from "./chat-rules.js";
import { LoopbackService } from "./loopback-server.js";

export type StandInPlatform = "telegram" | "slack" | "discord" | "webhook";

export interface ChatDelivery {
  readonly platform: StandInPlatform;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
}

export interface ChatRefusal {
  readonly platform: StandInPlatform | "unknown";
  readonly status: number;
  readonly reason: string;
}

export interface ChatStandInConfig {
  readonly telegram: { readonly token: string; readonly chats: readonly string[] };
  /** Path after /services/, e.g. "T000/B000/XXXX". */
  readonly slack: { readonly path: string };
  readonly discord: { readonly id: string; readonly token: string };
  readonly webhook: { readonly path: string; readonly header?: string; readonly secret?: string };
}

/** The generic webhook's host in tests (example.net is reserved for documentation, RFC 2606). */
export const WEBHOOK_HOST = "hooks.example.net";
const ROUTED_HOSTS = new Set(["api.telegram.org", "hooks.slack.com", "discord.com", "discordapp.com", WEBHOOK_HOST]);

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly type?: string;
  readonly headers?: Record<string, string>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body: JSON.stringify(body),
  type: "application/json",
  headers,
});
const text = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  type: "text/html",
  headers,
});

export class ChatStandIns extends LoopbackService {
  readonly received: ChatDelivery[] = [];
  readonly refused: ChatRefusal[] = [];
  private readonly limits = new Map<StandInPlatform, number[]>();

  constructor(readonly config: ChatStandInConfig) {
    super();
  }

  /** The next `times` requests to `platform` get a 429 asking to wait `seconds`. */
  rateLimit(platform: StandInPlatform, seconds: number, times = 1): void {
    const queue = this.limits.get(platform) ?? [];
    for (let i = 0; i < times; i++) queue.push(seconds);
    this.limits.set(platform, queue);
  }

  /**
   * URLs a channel's secret holds in tests: the platforms' real hosts (the relay refuses any
   * other, and loopback), reached through `routingFetch`.
   */
  platformUrls() {
    return {
      slack: `https://hooks.slack.com/services/${this.config.slack.path}`,
      discord: `https://discord.com/api/webhooks/${this.config.discord.id}/${this.config.discord.token}`,
      webhook: `https://${WEBHOOK_HOST}${this.config.webhook.path}`,
    };
  }

  /**
   * A fetch for the test wiring: requests to the platforms' hosts (api.telegram.org,
   * hooks.slack.com, discord.com, discordapp.com, the test webhook's host) go to this stand-in
   * over loopback; any other host fails as an unreachable one would. Install it as the global
   * fetch, or hand it to the relay.
   */
  routingFetch(): typeof fetch {
    const real = globalThis.fetch;
    const routed = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.protocol !== "https:" || !ROUTED_HOSTS.has(url.hostname)) {
        return Promise.reject(new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } }));
      }
      return real(`${this.endpoint}${url.pathname}${url.search}`, init);
    };
    return routed as typeof fetch;
  }

  /** Loopback URLs of the stand-in itself. */
  urls() {
    return {
      telegramApi: this.endpoint,
      slack: `${this.endpoint}/services/${this.config.slack.path}`,
      discord: `${this.endpoint}/api/webhooks/${this.config.discord.id}/${this.config.discord.token}`,
      webhook: `${this.endpoint}${this.config.webhook.path}`,
    };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "").split("?")[0] ?? "";
    const platform: StandInPlatform | "unknown" = path.startsWith("/bot")
      ? "telegram"
      : path.startsWith("/services/")
        ? "slack"
        : path.startsWith("/api/webhooks/")
          ? "discord"
          : path === this.config.webhook.path
            ? "webhook"
            : "unknown";
    let reply: Reply;
    let body: Record<string, unknown> | undefined;
    if (platform === "unknown") {
      reply = text(404, "not found");
    } else {
      const limit = this.limits.get(platform)?.shift();
      if (limit !== undefined) {
        reply = this.tooMany(platform, limit);
      } else {
        const contentType = String(req.headers["content-type"] ?? "")
          .split(";")[0]
          ?.trim();
        let parsed: unknown;
        try {
          parsed = contentType === "application/json" ? JSON.parse(raw) : undefined;
        } catch {
          parsed = undefined;
        }
        body = isObject(parsed) ? parsed : undefined;
        const args = { method: req.method ?? "", path, headers: req.headers, body, contentType: contentType ?? "" };
        reply =
          platform === "telegram"
            ? this.telegram(args)
            : platform === "slack"
              ? this.slack(args)
              : platform === "discord"
                ? this.discord(args)
                : this.webhook(args);
      }
    }
    if (reply.status < 300 && body && platform !== "unknown") {
      this.received.push({ platform, path, headers: req.headers, body });
    } else if (reply.status >= 300) {
      this.refused.push({ platform, status: reply.status, reason: reply.body });
    }
    res.writeHead(reply.status, { ...(reply.type ? { "content-type": reply.type } : {}), ...reply.headers });
    res.end(reply.body);
  }

  private tooMany(platform: StandInPlatform, seconds: number): Reply {
    switch (platform) {
      case "telegram":
        return json(429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${seconds}`,
          parameters: { retry_after: seconds },
        });
      case "discord":
        return json(
          429,
          { message: "You are being rate limited.", retry_after: seconds, global: false },
          { "retry-after": String(Math.ceil(seconds)) },
        );
      default:
        return text(429, "rate_limited", { "retry-after": String(seconds) });
    }
  }

  private telegram(a: Args): Reply {
    const bad = (description: string) => json(400, { ok: false, error_code: 400, description });
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(a.path);
    if (!m || m[1] !== this.config.telegram.token) {
      return json(401, { ok: false, error_code: 401, description: "Unauthorized" });
    }
    if (m[2] !== "sendMessage") return json(404, { ok: false, error_code: 404, description: "Not Found" });
    if (a.method !== "POST" && a.method !== "GET")
      return json(405, { ok: false, error_code: 405, description: "Method Not Allowed" });
    if (!a.body) return bad("Bad Request: message text is empty");
    const chatId = a.body.chat_id;
    if (chatId === undefined || chatId === "") return bad("Bad Request: chat_id is empty");
    if (!this.config.telegram.chats.includes(String(chatId))) return bad("Bad Request: chat not found");
    if (typeof a.body.text !== "string" || a.body.text.trim() === "") return bad("Bad Request: message text is empty");
    const mode = a.body.parse_mode;
    let shown = a.body.text;
    if (mode !== undefined) {
      if (mode !== "MarkdownV2" && mode !== "HTML" && mode !== "Markdown")
        return bad("Bad Request: unsupported parse_mode");
      if (mode === "MarkdownV2") {
        const parsed = parseMarkdownV2(a.body.text);
        if (!parsed.ok) return bad(parsed.error);
        shown = parsed.plain;
      }
    }
    if ([...shown].length > 4096) return bad("Bad Request: message is too long");
    return json(200, { ok: true, result: { message_id: this.received.length + 1, chat: { id: chatId }, text: shown } });
  }

  private slack(a: Args): Reply {
    if (a.method !== "POST") return text(405, "invalid_method");
    const expected = this.config.slack.path;
    const got = a.path.slice("/services/".length);
    const [team, bot] = expected.split("/");
    const [gotTeam, gotBot] = got.split("/");
    if (gotTeam !== team || gotBot !== bot) return text(404, "no_service");
    if (got !== expected) return text(403, "invalid_token");
    if (a.contentType !== "application/json" || !a.body) return text(400, "invalid_payload");
    const blocks = a.body.blocks;
    if (typeof a.body.text !== "string" && blocks === undefined) return text(400, "no_text");
    if (blocks !== undefined) {
      if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) return text(400, "invalid_blocks");
      for (const block of blocks) if (!slackBlockOk(block)) return text(400, "invalid_blocks");
    }
    return text(200, "ok");
  }

  private discord(a: Args): Reply {
    if (a.method !== "POST") return json(405, { message: "405: Method Not Allowed", code: 0 });
    const [id, token] = a.path.slice("/api/webhooks/".length).split("/");
    if (id !== this.config.discord.id) return json(404, { message: "Unknown Webhook", code: 10015 });
    if (token !== this.config.discord.token) return json(401, { message: "Invalid Webhook Token", code: 50027 });
    const empty = json(400, { message: "Cannot send an empty message", code: 50006 });
    if (!a.body) return empty;
    const embeds = a.body.embeds;
    const content = a.body.content;
    if ((typeof content !== "string" || content === "") && (!Array.isArray(embeds) || embeds.length === 0))
      return empty;
    const invalid = (where: string) =>
      json(400, {
        code: 50035,
        message: "Invalid Form Body",
        errors: { [where]: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } },
      });
    if (typeof content === "string" && [...content].length > 2000) return invalid("content");
    if (Array.isArray(embeds)) {
      if (embeds.length > 10) return invalid("embeds");
      let total = 0;
      for (const [i, e] of embeds.entries()) {
        if (!isObject(e)) return invalid(`embeds.${i}`);
        if (strLen(e.title) > 256) return invalid(`embeds.${i}.title`);
        if (strLen(e.description) > 4096) return invalid(`embeds.${i}.description`);
        if (e.color !== undefined && (typeof e.color !== "number" || e.color < 0 || e.color > 0xffffff)) {
          return invalid(`embeds.${i}.color`);
        }
        const fields = e.fields ?? [];
        if (!Array.isArray(fields) || fields.length > 25) return invalid(`embeds.${i}.fields`);
        for (const [j, f] of fields.entries()) {
          if (
            !isObject(f) ||
            strLen(f.name) === 0 ||
            strLen(f.name) > 256 ||
            strLen(f.value) === 0 ||
            strLen(f.value) > 1024
          ) {
            return invalid(`embeds.${i}.fields.${j}`);
          }
          total += strLen(f.name) + strLen(f.value);
        }
        total += strLen(e.title) + strLen(e.description);
      }
      if (total > 6000) return invalid("embeds");
    }
    return { status: 204, body: "" };
  }

  private webhook(a: Args): Reply {
    if (a.method !== "POST") return text(405, "method not allowed");
    const { header, secret } = this.config.webhook;
    if (secret !== undefined && a.headers[(header ?? "").toLowerCase()] !== secret)
      return json(401, { error: "bad shared secret" });
    if (a.contentType !== "application/json" || !a.body) return json(400, { error: "expected a JSON object" });
    return json(200, { received: true });
  }
}

interface Args {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: Record<string, unknown> | undefined;
  readonly contentType: string;
}
