/**
 * POST one chat request with retries: a 429 waits as long as the platform asks (Retry-After
 * header, Telegram's parameters.retry_after, Discord's retry_after), a 5xx or network error backs
 * off, any other 4xx (a wrong token, a deleted webhook) fails at once, since repeating cannot help.
 * The error never contains the URL (which holds the token) or the token itself.
 */
import { ChatDeliveryError } from "../core/errors.js";
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

/** Seconds to wait from a 429: the Retry-After header (seconds or a date), else the JSON body's. */
export function retryAfterMs(headers: Headers, body: unknown, now: number): number | undefined {
  const header = headers.get("retry-after");
  if (header !== null) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (typeof body === "object" && body !== null) {
    const b = body as { retry_after?: unknown; parameters?: { retry_after?: unknown } };
    const seconds = b.parameters?.retry_after ?? b.retry_after;
    if (typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  }
  return undefined;
}

/** The platform's own short error text: Telegram's description, Discord's message, Slack's plain text. */
function platformReason(status: number, text: string, body: unknown, redact: readonly string[]): string {
  let reason = "";
  if (typeof body === "object" && body !== null) {
    const b = body as { description?: unknown; message?: unknown; error?: unknown };
    const found = b.description ?? b.message ?? b.error;
    if (typeof found === "string") reason = found;
  } else if (text.length <= 200 && !text.includes("<")) {
    reason = text.trim();
  }
  for (const secret of redact) if (secret) reason = reason.split(secret).join("[redacted]");
  return `HTTP ${status}${reason ? ` ${reason.slice(0, 200)}` : ""}`;
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
      const text = await res.text();
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
