/**
 * One Binance API host (dapi, fapi, papi, api), signed: signing, server-time sync on -1021, the
 * meaning of each HTTP status, retries with jittered backoff inside the caller's deadline, and
 * request-weight accounting against that host's own per-IP limit (each Binance product counts its
 * own). Product readers (lib/binance/<product>/) say which paths to call and how to parse them;
 * this says how.
 */

import { BodyTooLargeError, readTextCapped } from "../../core/bounded-body.js";
import {
  BinanceAuthError,
  BinanceClockSkewError,
  type BinanceError,
  BinanceIpBanError,
  BinanceRateLimitError,
  BinanceRequestError,
  BinanceResponseFormatError,
  BinanceRestrictedLocationError,
  BinanceSignatureError,
  BinanceUnavailableError,
  WeightBudgetExceededError,
} from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import { safeSummary } from "../../core/outside-text.js";
import type { ApiCredentials } from "../../keys/credentials.js";
import type { WeightGovernor } from "./weight-governor.js";

const TIME_WEIGHT = 1;
const RETRY_AFTER_SLACK_MS = 25;

/**
 * The largest body read from Binance. Its largest account bodies are tens of KB (one row per
 * symbol touched); 8 MB is a hundred times that, and a body past it is cancelled mid-stream
 * rather than held (a 100 MB body read whole took 393 MB in a 256 MB function).
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** The longest 429 Retry-After honoured: Binance's limits are per minute, so more is not a rate limit. */
export const MAX_RATE_LIMIT_WAIT_MS = 5 * 60_000;
/** The longest 418 ban believed: Binance's bans "scale from 2 minutes to 3 days" for repeat offenders. */
export const MAX_BAN_MS = 3 * 86_400_000;
/** Without Retry-After on a 418, Binance's shortest ban rather than hammering. */
const DEFAULT_BAN_MS = 120_000;
/** A server time further than this from ours is not a clock: it is refused, not adopted. */
const MAX_CLOCK_OFFSET_MS = 86_400_000;

/** The offset of Binance's clock from ours, shared by every host's client (Binance keeps one clock). */
export interface BinanceClock {
  offsetMs: number;
}

/** Protocol settings every host's client shares. */
export interface ProtocolOptions {
  readonly recvWindowMs: number;
  /** Upper bound for one HTTP request. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Attempts for retryable failures, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** Largest body read before the answer is refused. @default MAX_BODY_BYTES (8 MB) */
  readonly maxBodyBytes?: number;
  /** Backoff base and cap for full-jitter exponential backoff. @default 200 / 2000 */
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface SignedClientOptions extends ProtocolOptions {
  /** The host's origin, e.g. https://dapi.binance.com. */
  readonly baseUrl: string;
  /** This host's per-IP weight budget. */
  readonly governor: WeightGovernor;
  /** The host's server-time path (e.g. /dapi/v1/time); absent: `timeSource` syncs the clock. */
  readonly timePath?: string;
  /** A client whose host has a time endpoint, for hosts without one. */
  readonly timeSource?: SignedClient;
  /** Shared with the other hosts' clients. @default a clock of its own, or timeSource's */
  readonly clock?: BinanceClock;
}

export interface Fetched<T> {
  readonly value: T;
  readonly usedWeight: number | undefined;
  readonly attempts: number;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

const AUTH_CODES = new Set([-2014, -2015, -2008]);

/**
 * Binance's `msg` ends up in our errors, logs and alerts. An upstream (or a proxy in front of it)
 * that echoes the request back would put the API key or the signed query there, so the signed
 * query and any long token are cut out: API keys are 64 characters, HMAC signatures 64 hex
 * digits, RSA and Ed25519 signatures longer still, while Binance's own words are short.
 */
function redactEcho(msg: string): string {
  return msg.replace(/signature=\S*/gi, "[redacted]").replace(/[A-Za-z0-9+/_%=-]{24,}/g, "[redacted]");
}

/**
 * Binance error bodies look like {"code": -1021, "msg": "..."}; anything else yields undefined.
 * The code is kept as is (an integer); the msg is outside text on its way to alerts, so only a
 * safe summary of it is (lib/core/outside-text.ts: no URLs, markup or control characters).
 */
function errorBody(body: string): { code: number; msg: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null) {
      const { code, msg } = parsed as Record<string, unknown>;
      if (typeof code === "number" && Number.isSafeInteger(code)) {
        return { code, msg: typeof msg === "string" ? safeSummary(redactEcho(msg.slice(0, 2000))) : "" };
      }
    }
  } catch {
    // Not JSON: the caller classifies by status alone.
  }
  return undefined;
}

/**
 * Retry-After (seconds or an HTTP date) in ms, at most `maxMs`: `Retry-After: 1e9` paused every
 * account until 2058, and 1e13 made every later Date invalid (issue 17). Whatever the header
 * says, the wait is a finite number in [0, maxMs], so no date built from it can be invalid.
 */
export function retryAfterMs(headers: Headers, now: number, maxMs: number): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value || value.length > 64) return undefined;
  const seconds = Number(value);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(wait) || (Number.isFinite(seconds) && seconds < 0)) return undefined;
  return Math.min(maxMs, Math.max(0, Math.ceil(wait)));
}

export class SignedClient {
  private readonly opts: Required<Omit<SignedClientOptions, "governor" | "timeSource" | "clock" | "timePath">> & {
    readonly timePath: string;
  };
  readonly governor: WeightGovernor;
  readonly clock: BinanceClock;
  private readonly timeSource: SignedClient | undefined;

  constructor(options: SignedClientOptions) {
    this.governor = options.governor;
    this.timeSource = options.timeSource;
    this.clock = options.clock ?? options.timeSource?.clock ?? { offsetMs: 0 };
    this.opts = {
      baseUrl: options.baseUrl.replace(/\/$/, ""),
      timePath: options.timePath ?? "",
      recvWindowMs: options.recvWindowMs,
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      maxAttempts: options.maxAttempts ?? 4,
      maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
      backoffBaseMs: options.backoffBaseMs ?? 200,
      backoffCapMs: options.backoffCapMs ?? 2000,
      fetch: options.fetch ?? fetch,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
    };
    if (!this.opts.timePath && !this.timeSource) throw new Error("a SignedClient needs a timePath or a timeSource");
  }

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  now(): number {
    return this.opts.now();
  }

  /**
   * One signed GET with the protocol's recovery: retries 5xx, network failures, timeouts and
   * malformed bodies with jittered backoff while `deadlineMs` allows; resyncs the clock once on
   * -1021; honours Retry-After on 429. `prepaid`: the first attempt's weight is already reserved.
   */
  async call<T>(
    path: string,
    weight: number,
    credentials: ApiCredentials,
    deadlineMs: number,
    log: Logger,
    options: { parse: (body: string) => T; prepaid: boolean },
  ): Promise<Fetched<T>> {
    let resynced = false;
    let prepaid = options.prepaid;
    let lastError: BinanceError | undefined;
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      try {
        const response = await this.signedGet(path, prepaid ? 0 : weight, credentials, deadlineMs);
        prepaid = false;
        const usedWeight = this.recordWeight(response.headers);
        log.debug("binance response", { path, status: response.status, usedWeight, attempt });
        if (response.status === 200) return { value: options.parse(response.body), usedWeight, attempts: attempt };
        throw this.classify(response);
      } catch (err) {
        if (err instanceof BinanceClockSkewError && !resynced) {
          resynced = true;
          await this.syncTime(deadlineMs);
          log.warn("clock resynced with Binance server time", { offsetMs: this.clock.offsetMs });
          attempt--; // the documented single retry after a resync does not use up an attempt
          continue;
        }
        if (!isRetryable(err)) throw err;
        lastError = err;
        const delay = this.delayBefore(attempt, err);
        const remaining = deadlineMs - this.opts.now();
        if (attempt >= this.opts.maxAttempts || delay + 250 > remaining) break;
        log.warn("binance call failed, retrying", {
          path,
          kind: err.kind,
          error: err.message,
          status: err.status,
          attempt,
          delayMs: delay,
        });
        await this.opts.sleep(delay);
      }
    }
    throw lastError ?? new BinanceUnavailableError("Binance did not answer within the time budget");
  }

  /**
   * Fetch server time and keep the offset; one weight-1 unsigned call. A host without a time
   * endpoint of its own (the spot API here, Portfolio Margin) delegates to the client that has one:
   * Binance keeps one clock, and the offset is shared.
   */
  async syncTime(deadlineMs: number): Promise<number> {
    if (this.timeSource) return this.timeSource.syncTime(deadlineMs);
    if (!this.governor.tryAcquire(TIME_WEIGHT)) {
      throw new WeightBudgetExceededError("request weight budget exhausted; time sync deferred");
    }
    const sentAt = this.opts.now();
    const response = await this.send(`${this.opts.baseUrl}${this.opts.timePath}`, {}, deadlineMs);
    const receivedAt = this.opts.now();
    this.recordWeight(response.headers);
    if (response.status !== 200) throw this.classify(response);
    let serverTime: unknown;
    try {
      serverTime = (JSON.parse(response.body) as Record<string, unknown>).serverTime;
    } catch {
      throw new BinanceResponseFormatError("Binance time response is not JSON");
    }
    if (typeof serverTime !== "number") throw new BinanceResponseFormatError("Binance time response has no serverTime");
    if (!(Math.abs(serverTime - receivedAt) <= MAX_CLOCK_OFFSET_MS)) {
      throw new BinanceResponseFormatError("Binance time response is more than a day from this host's clock");
    }
    this.clock.offsetMs = Math.round(serverTime - (sentAt + receivedAt) / 2);
    return this.clock.offsetMs;
  }

  /** Take `weight` from the governor, or defer: a paused IP (429/418) or a full minute. */
  reserve(weight: number, governor = this.governor): void {
    if (governor.tryAcquire(weight)) return;
    const until = governor.blockedUntilMs();
    throw new WeightBudgetExceededError(
      until
        ? `Binance calls paused until ${new Date(until).toISOString()} (rate limit or IP ban)`
        : "per-minute request weight budget reached; account deferred to the next cycle",
    );
  }

  /** One signed GET, no retries; `weight` 0: already reserved. */
  async signedGet(path: string, weight: number, credentials: ApiCredentials, deadlineMs: number): Promise<RawResponse> {
    const governor = this.governor;
    const baseUrl = this.opts.baseUrl;
    // A paused IP stops every call, including ones whose weight was reserved before the pause.
    if (weight > 0 || governor.blockedUntilMs() !== undefined) this.reserve(weight, governor);
    const timestamp = Math.round(this.opts.now() + this.clock.offsetMs);
    const query = `recvWindow=${this.opts.recvWindowMs}&timestamp=${timestamp}`;
    const signature = credentials.signer.sign(query);
    return this.send(
      `${baseUrl}${path}?${query}&signature=${signature}`,
      {
        "X-MBX-APIKEY": credentials.apiKey,
      },
      deadlineMs,
    );
  }

  /**
   * One unsigned GET of public market data (`pathAndQuery` with its own query), weight taken from
   * the same budget, no retries: its callers cache the answer and ask again next time.
   */
  async publicGet<T>(pathAndQuery: string, weight: number, deadlineMs: number, parse: (body: string) => T): Promise<T> {
    this.reserve(weight);
    const response = await this.send(`${this.opts.baseUrl}${pathAndQuery}`, {}, deadlineMs);
    this.recordWeight(response.headers);
    if (response.status !== 200) throw this.classify(response);
    return parse(response.body);
  }

  private async send(url: string, headers: Record<string, string>, deadlineMs: number): Promise<RawResponse> {
    const budget = Math.min(this.opts.requestTimeoutMs, deadlineMs - this.opts.now());
    if (budget <= 0) throw new BinanceUnavailableError("no time left in the budget to call Binance");
    try {
      const res = await this.opts.fetch(url, { headers, signal: AbortSignal.timeout(budget) });
      return { status: res.status, headers: res.headers, body: await readTextCapped(res, this.opts.maxBodyBytes) };
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        // Cancelled mid-stream: a bad answer for this account's read, not a reason to hold 100 MB.
        throw new BinanceResponseFormatError(`Binance sent a body larger than ${err.limitBytes} bytes; not read`);
      }
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      // The URL holds the signature, so the cause is reduced to its name and code.
      const code = (err as { cause?: { code?: string } }).cause?.code;
      throw new BinanceUnavailableError(
        timedOut
          ? `Binance did not answer within ${budget} ms`
          : `network error calling Binance (${code ?? (err as Error).name})`,
      );
    }
  }

  recordWeight(headers: Headers, governor = this.governor): number | undefined {
    const value = Number(headers.get("x-mbx-used-weight-1m"));
    if (!Number.isFinite(value) || headers.get("x-mbx-used-weight-1m") === null) return undefined;
    governor.observe(value);
    return value;
  }

  /** What a non-200 answer means. A limit or ban is this host's own: it pauses this host's calls only. */
  classify(response: RawResponse): BinanceError {
    const { status, headers, body } = response;
    const err = errorBody(body);
    const code = err?.code;
    const detail = err ? ` (code ${err.code}: ${err.msg})` : "";
    if (code === -1021) {
      return new BinanceClockSkewError(
        `timestamp outside recvWindow even after resync${detail}; check the host clock`,
        status,
        code,
      );
    }
    if (code === -1022) {
      return new BinanceSignatureError(
        `signature rejected${detail}: the apiSecret or privateKey in the secret does not match the apiKey`,
        status,
        code,
      );
    }
    if (status === 401 || (code !== undefined && AUTH_CODES.has(code))) {
      return new BinanceAuthError(
        `API key rejected${detail}: check the key exists, has "Enable Reading", and its IP whitelist allows this monitor`,
        status,
        code,
      );
    }
    if (status === 429) {
      const wait = retryAfterMs(headers, this.opts.now(), MAX_RATE_LIMIT_WAIT_MS);
      if (wait !== undefined) this.governor.blockUntil(this.opts.now() + wait);
      return new BinanceRateLimitError(
        `rate limited by Binance${detail}; backing off${wait !== undefined ? ` ${Math.ceil(wait / 1000)} s` : ""}`,
        wait,
        status,
        code,
      );
    }
    if (status === 418) {
      const wait = retryAfterMs(headers, this.opts.now(), MAX_BAN_MS);
      const until = wait !== undefined ? this.opts.now() + wait : undefined;
      // Without Retry-After, assume Binance's shortest ban (2 minutes) rather than hammering.
      this.governor.blockUntil(until ?? this.opts.now() + DEFAULT_BAN_MS);
      return new BinanceIpBanError(
        `this IP is banned by Binance for ignoring rate limits${until ? ` until ${new Date(until).toISOString()}` : ""}; no calls until then`,
        until,
        status,
        code,
      );
    }
    if (status === 451) {
      return new BinanceRestrictedLocationError(
        "Binance refuses service from this location (HTTP 451). AWS US regions are blocked: deploy the stack to a non-US region such as eu-west-1 or ap-northeast-1",
        status,
        code,
      );
    }
    if (status >= 500) {
      const html = /^\s*</.test(body) ? ", HTML body" : "";
      return new BinanceUnavailableError(
        `Binance returned HTTP ${status}${detail || html}; state unknown`,
        status,
        code,
      );
    }
    if (status === 200) return new BinanceResponseFormatError("unexpected 200 response", status);
    if (!err) {
      return new BinanceResponseFormatError(`Binance returned HTTP ${status} without a JSON error body`, status);
    }
    return new BinanceRequestError(`Binance rejected the request with HTTP ${status}${detail}`, status, code);
  }

  private delayBefore(attempt: number, err: BinanceError): number {
    // A little past Retry-After: the governor holds calls until exactly then, and a timer may fire
    // a millisecond early by Date.now(), which would defer the account instead of retrying it.
    if (err instanceof BinanceRateLimitError && err.retryAfterMs !== undefined)
      return err.retryAfterMs + RETRY_AFTER_SLACK_MS;
    const ceiling = Math.min(this.opts.backoffCapMs, this.opts.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(this.opts.random() * ceiling);
  }
}

function isRetryable(err: unknown): err is BinanceError {
  return (
    (err instanceof BinanceUnavailableError ||
      err instanceof BinanceResponseFormatError ||
      err instanceof BinanceRateLimitError) &&
    err.retryable
  );
}
