/**
 * Binance COIN-M client for the signed account call. It owns the protocol: signing, server-time
 * sync on -1021, the meaning of each HTTP status, retries with jittered backoff inside the
 * caller's deadline, and request-weight accounting.
 */

import { DEFAULTS } from "../../config.js";
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
  PositionsMismatchError,
  WeightBudgetExceededError,
} from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { ApiCredentials } from "../../keys/credentials.js";
import { joinPositions, type OpenPosition } from "../../risk/positions.js";
import { type AccountInfo, parseAccountResponse } from "../coinm/account.js";
import { parsePositionRiskResponse } from "../coinm/position-risk.js";
import {
  API_RESTRICTIONS_PATH,
  API_RESTRICTIONS_WEIGHT,
  type KeyPermissions,
  parseKeyPermissions,
} from "../spot/key-permissions.js";
import { WeightGovernor } from "./weight-governor.js";

export const ACCOUNT_PATH = "/dapi/v1/account";
export const POSITION_RISK_PATH = "/dapi/v1/positionRisk";
export const TIME_PATH = "/dapi/v1/time";
/** Documented request weight of GET /dapi/v1/account. */
export const ACCOUNT_WEIGHT = 5;
/** Documented request weight of GET /dapi/v1/positionRisk. */
export const POSITION_RISK_WEIGHT = 1;
/** One read of an account: both calls, reserved together so a read is never cut in half. */
export const ACCOUNT_READ_WEIGHT = ACCOUNT_WEIGHT + POSITION_RISK_WEIGHT;
const TIME_WEIGHT = 1;
/** Binance's spot REQUEST_WEIGHT per minute and IP (api.binance.com exchangeInfo rateLimits). */
export const SPOT_WEIGHT_LIMIT = 6000;
const RETRY_AFTER_SLACK_MS = 25;
/** Reads of both views before a disagreement between them counts as a failed read. */
const CONSISTENT_READ_ROUNDS = 2;

export interface BinanceClientOptions {
  readonly baseUrl: string;
  /** The spot API, for the key permission check only. @default https://api.binance.com */
  readonly spotBaseUrl?: string;
  readonly recvWindowMs: number;
  readonly governor: WeightGovernor;
  /**
   * The spot API's own per-IP weight budget (the key permission check). Binance counts spot and
   * futures weight separately, so the daily check never takes weight a margin read needs.
   * @default a governor at SPOT_WEIGHT_LIMIT
   */
  readonly spotGovernor?: WeightGovernor;
  /** Upper bound for one HTTP request. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Attempts for retryable failures, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** Backoff base and cap for full-jitter exponential backoff. @default 200 / 2000 */
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface AccountRead {
  readonly account: AccountInfo;
  /** Open positions from both views, joined (lib/risk/positions.ts). */
  readonly positions: readonly OpenPosition[];
  readonly usedWeight?: number;
  readonly attempts: number;
}

interface Fetched<T> {
  readonly value: T;
  readonly usedWeight: number | undefined;
  readonly attempts: number;
}

interface RawResponse {
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

/** Binance error bodies look like {"code": -1021, "msg": "..."}; anything else yields undefined. */
function errorBody(body: string): { code: number; msg: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null) {
      const { code, msg } = parsed as Record<string, unknown>;
      if (typeof code === "number") return { code, msg: typeof msg === "string" ? redactEcho(msg).slice(0, 200) : "" };
    }
  } catch {
    // Not JSON: the caller classifies by status alone.
  }
  return undefined;
}

function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

export class BinanceClient {
  private readonly opts: Required<Omit<BinanceClientOptions, "governor" | "spotGovernor">>;
  private readonly governor: WeightGovernor;
  private readonly spotGovernor: WeightGovernor;
  /** serverTime - localTime, learned from GET /dapi/v1/time after a -1021. */
  private offsetMs = 0;

  constructor(options: BinanceClientOptions) {
    this.governor = options.governor;
    this.spotGovernor =
      options.spotGovernor ??
      new WeightGovernor({ limit: SPOT_WEIGHT_LIMIT, ...(options.now ? { now: options.now } : {}) });
    this.opts = {
      baseUrl: options.baseUrl.replace(/\/$/, ""),
      spotBaseUrl: (options.spotBaseUrl ?? DEFAULTS.binanceSpotBaseUrl).replace(/\/$/, ""),
      recvWindowMs: options.recvWindowMs,
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      maxAttempts: options.maxAttempts ?? 4,
      backoffBaseMs: options.backoffBaseMs ?? 200,
      backoffCapMs: options.backoffCapMs ?? 2000,
      fetch: options.fetch ?? fetch,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
    };
  }

  /** Current estimate of the local clock's offset from Binance's. */
  clockOffsetMs(): number {
    return this.offsetMs;
  }

  /**
   * Read the account: `/account` then `/positionRisk`, joined into one list of open positions.
   * Both calls' weight is reserved up front, so the governor defers a whole read, never half of
   * one. A failure of either call fails the read (no half-truth snapshot); views that disagree
   * (a trade between the calls) are read again once.
   */
  async getAccount(credentials: ApiCredentials, deadlineMs: number, log: Logger): Promise<AccountRead> {
    this.reserve(ACCOUNT_READ_WEIGHT);
    let prepaid = true;
    let attempts = 0;
    for (let round = 1; ; round++) {
      const account = await this.signedCall(ACCOUNT_PATH, ACCOUNT_WEIGHT, credentials, deadlineMs, log, {
        parse: parseAccountResponse,
        prepaid,
      });
      const risk = await this.signedCall(POSITION_RISK_PATH, POSITION_RISK_WEIGHT, credentials, deadlineMs, log, {
        parse: parsePositionRiskResponse,
        prepaid,
      });
      prepaid = false;
      // A read is tried as often as its most-retried call was, per round.
      attempts += Math.max(account.attempts, risk.attempts);
      try {
        return {
          account: account.value,
          positions: joinPositions(account.value, risk.value),
          usedWeight: risk.usedWeight ?? account.usedWeight,
          attempts,
        };
      } catch (err) {
        if (!(err instanceof PositionsMismatchError) || round >= CONSISTENT_READ_ROUNDS) throw err;
        log.warn("account and positionRisk disagree; reading both again", { error: err.message });
        this.reserve(ACCOUNT_READ_WEIGHT);
        prepaid = true;
      }
    }
  }

  /**
   * One signed GET with the protocol's recovery: retries 5xx, network failures, timeouts and
   * malformed bodies with jittered backoff while `deadlineMs` allows; resyncs the clock once on
   * -1021; honours Retry-After on 429. `prepaid`: the first attempt's weight is already reserved.
   */
  private async signedCall<T>(
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
          log.warn("clock resynced with Binance server time", { offsetMs: this.offsetMs });
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

  /** Fetch server time and keep the offset; one weight-1 unsigned call. */
  async syncTime(deadlineMs: number): Promise<number> {
    if (!this.governor.tryAcquire(TIME_WEIGHT)) {
      throw new WeightBudgetExceededError("request weight budget exhausted; time sync deferred");
    }
    const sentAt = this.opts.now();
    const response = await this.send(`${this.opts.baseUrl}${TIME_PATH}`, {}, deadlineMs);
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
    this.offsetMs = Math.round(serverTime - (sentAt + receivedAt) / 2);
    return this.offsetMs;
  }

  /**
   * What the key may do (spot API). One attempt, plus the documented retry after a clock resync:
   * the check runs once a day and a failure is simply tried again at the next check, so it never
   * spends the cycle's time budget on backoff. The spot API has its own per-IP weight limit and
   * counter, so the call takes its weight from the spot governor, which also takes the spot API's
   * used-weight header and its 429/418: none of them ever defers or pauses a margin read.
   */
  async getKeyPermissions(credentials: ApiCredentials, deadlineMs: number, log: Logger): Promise<KeyPermissions> {
    for (let resync = 0; ; resync++) {
      const response = await this.signedGet(
        API_RESTRICTIONS_PATH,
        API_RESTRICTIONS_WEIGHT,
        credentials,
        deadlineMs,
        this.opts.spotBaseUrl,
        this.spotGovernor,
      );
      const usedWeight = this.recordWeight(response.headers, this.spotGovernor);
      log.debug("binance response", { path: API_RESTRICTIONS_PATH, status: response.status, usedWeight });
      if (response.status === 200) return parseKeyPermissions(response.body);
      const err = this.classify(response, "spot");
      if (!(err instanceof BinanceClockSkewError) || resync > 0) throw err;
      await this.syncTime(deadlineMs);
      log.warn("clock resynced with Binance server time", { offsetMs: this.offsetMs });
    }
  }

  /** Take `weight` from the governor, or defer: a paused IP (429/418) or a full minute. */
  private reserve(weight: number, governor = this.governor): void {
    if (governor.tryAcquire(weight)) return;
    const until = governor.blockedUntilMs();
    throw new WeightBudgetExceededError(
      until
        ? `Binance calls paused until ${new Date(until).toISOString()} (rate limit or IP ban)`
        : "per-minute request weight budget reached; account deferred to the next cycle",
    );
  }

  private async signedGet(
    path: string,
    weight: number,
    credentials: ApiCredentials,
    deadlineMs: number,
    baseUrl = this.opts.baseUrl,
    governor = this.governor,
  ): Promise<RawResponse> {
    // A paused IP stops every call, including ones whose weight was reserved before the pause.
    if (weight > 0 || governor.blockedUntilMs() !== undefined) this.reserve(weight, governor);
    const timestamp = Math.round(this.opts.now() + this.offsetMs);
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

  private async send(url: string, headers: Record<string, string>, deadlineMs: number): Promise<RawResponse> {
    const budget = Math.min(this.opts.requestTimeoutMs, deadlineMs - this.opts.now());
    if (budget <= 0) throw new BinanceUnavailableError("no time left in the budget to call Binance");
    try {
      const res = await this.opts.fetch(url, { headers, signal: AbortSignal.timeout(budget) });
      return { status: res.status, headers: res.headers, body: await res.text() };
    } catch (err) {
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

  private recordWeight(headers: Headers, governor = this.governor): number | undefined {
    const value = Number(headers.get("x-mbx-used-weight-1m"));
    if (!Number.isFinite(value) || headers.get("x-mbx-used-weight-1m") === null) return undefined;
    governor.observe(value);
    return value;
  }

  private governorOf(api: "futures" | "spot"): WeightGovernor {
    return api === "spot" ? this.spotGovernor : this.governor;
  }

  /** `api` "spot": a spot API limit or ban is that API's own and must not stop the futures calls. */
  private classify(response: RawResponse, api: "futures" | "spot" = "futures"): BinanceError {
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
      const wait = retryAfterMs(headers, this.opts.now());
      if (wait !== undefined) this.governorOf(api).blockUntil(this.opts.now() + wait);
      return new BinanceRateLimitError(
        `rate limited by Binance${detail}; backing off${wait !== undefined ? ` ${Math.ceil(wait / 1000)} s` : ""}`,
        wait,
        status,
        code,
      );
    }
    if (status === 418) {
      const wait = retryAfterMs(headers, this.opts.now());
      const until = wait !== undefined ? this.opts.now() + wait : undefined;
      // Without Retry-After, assume Binance's shortest ban (2 minutes) rather than hammering.
      this.governorOf(api).blockUntil(until ?? this.opts.now() + 120_000);
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
