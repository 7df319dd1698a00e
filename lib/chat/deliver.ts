/**
 * POST one chat request with retries: a 429 waits as long as the platform asks (Retry-After
 * header, Telegram's parameters.retry_after, Discord's retry_after), a 5xx or network error backs
 * off, any other 4xx (a wrong token, a deleted webhook) fails at once, since repeating cannot help.
 * The error never contains the URL (which holds the token) or the token itself.
 */
import { BodyTooLargeError, readTextCapped } from "../core/bounded-body.js";
import { ChatDeliveryError } from "../core/errors.js";
import { safeSummary } from "../core/outside-text.js";
import type { ChatRequest } from "./format.js";

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface DeliveryOptions {
  readonly fetch?: Fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Total tries. @default 4 */
  readonly attempts?: number;
  /** Wall-clock ms by which delivery must be done (a 429 asking for longer fails instead). */
  readonly deadlineMs: number;
  readonly now?: () => number;
  /** Per-request timeout. @default 8000 */
  readonly timeoutMs?: number;
  /** Values to cut out of any platform text that ends up in an error (tokens, URLs). */
  readonly redact?: readonly string[];
}

export interface Delivered {
  readonly attempts: number;
  readonly status: number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The largest reply read from a chat platform. Their answers to one message are a few KB
 * (Telegram echoes the message, at most 4,096 characters); a body past 1 MB is cancelled
 * mid-stream, never held.
 */
export const MAX_REPLY_BYTES = 1024 * 1024;
/**
 * The longest wait a 429 can ask for and be believed: Telegram's and Discord's flood waits are
 * seconds to minutes. A longer one (or 1e13) is cut to this, so every sum and date built from it
 * stays finite; the deadline then fails the delivery instead of sleeping.
 */
export const MAX_CHAT_WAIT_MS = 15 * 60_000;

const bounded = (ms: number) => Math.min(MAX_CHAT_WAIT_MS, Math.max(0, Math.ceil(ms)));

/** Ms to wait from a 429: the Retry-After header (seconds or a date), else the JSON body's; at most MAX_CHAT_WAIT_MS. */
export function retryAfterMs(headers: Headers, body: unknown, now: number): number | undefined {
  const header = headers.get("retry-after")?.trim();
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return bounded(seconds * 1000);
    const date = header.length <= 64 ? Date.parse(header) : Number.NaN;
    if (Number.isFinite(date)) return bounded(date - now);
  }
  if (typeof body === "object" && body !== null) {
    const b = body as { retry_after?: unknown; parameters?: { retry_after?: unknown } };
    const seconds = b.parameters?.retry_after ?? b.retry_after;
    if (typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0) return bounded(seconds * 1000);
  }
  return undefined;
}

/**
 * The platform's own short error text (Telegram's description, Discord's message, Slack's plain
 * text), secrets cut out first, then reduced to a safe summary: it lands in logs and the
 * dead-letter queue a person reads, so no URLs, markup or control characters get through.
 */
function platformReason(status: number, text: string, body: unknown, redact: readonly string[]): string {
  let reason = "";
  if (typeof body === "object" && body !== null) {
    const b = body as { description?: unknown; message?: unknown; error?: unknown };
    const found = b.description ?? b.message ?? b.error;
    if (typeof found === "string") reason = found.slice(0, 2000);
  } else if (text.length <= 200 && !text.includes("<")) {
    reason = text.trim();
  }
  for (const secret of redact) if (secret) reason = reason.split(secret).join(" redacted ");
  const summary = safeSummary(reason, 200);
  return `HTTP ${status}${summary ? ` ${summary}` : ""}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function deliver(request: ChatRequest, options: DeliveryOptions): Promise<Delivered> {
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const attempts = options.attempts ?? 4;
  const redact = options.redact ?? [];
  let last: ChatDeliveryError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait: number;
    try {
      const res = await doFetch(request.url, {
        method: "POST",
        headers: request.headers,
        body: request.body,
        redirect: "error",
        signal: AbortSignal.timeout(options.timeoutMs ?? 8000),
      });
      const text = await readTextCapped(res, MAX_REPLY_BYTES);
      const body = parseJson(text);
      // Telegram answers 200 with {"ok": false} in no case we know of, but it is its contract.
      const refused = typeof body === "object" && body !== null && (body as { ok?: unknown }).ok === false;
      if (res.ok && !refused) return { attempts: attempt, status: res.status };
      const reason = platformReason(res.status, text, body, redact);
      if (res.status === 429) {
        wait = retryAfterMs(res.headers, body, now()) ?? 1000 * 2 ** (attempt - 1);
        last = new ChatDeliveryError(`rate limited (${reason})`, 429, true);
      } else if (res.status >= 500) {
        wait = 500 * 2 ** (attempt - 1);
        last = new ChatDeliveryError(`platform error (${reason})`, res.status, true);
      } else {
        throw new ChatDeliveryError(`refused (${reason})`, res.status, false);
      }
    } catch (err) {
      if (err instanceof ChatDeliveryError) throw err;
      if (err instanceof BodyTooLargeError) {
        // Whatever the platform meant, a reply this large is not one: retried like a 5xx.
        last = new ChatDeliveryError(`reply larger than ${err.limitBytes} bytes, not read`, undefined, true);
        wait = 500 * 2 ** (attempt - 1);
        if (attempt === attempts) break;
        if (now() + wait > options.deadlineMs) throw last;
        await sleep(wait);
        continue;
      }
      // Network failure or timeout. The message names the error class only: undici's messages
      // can carry the URL, and the URL can carry the token.
      const name = err instanceof Error ? err.name : "error";
      last = new ChatDeliveryError(`no answer (${name})`, undefined, true);
      wait = 500 * 2 ** (attempt - 1);
    }
    if (attempt === attempts) break;
    if (now() + wait > options.deadlineMs) {
      throw new ChatDeliveryError(
        `${last.message}; retry in ${Math.ceil(wait / 1000)} s is past the time left`,
        last.status,
        true,
      );
    }
    await sleep(wait);
  }
  throw new ChatDeliveryError(`${last?.message ?? "failed"} after ${attempts} attempts`, last?.status, true);
}
