/**
 * Typed errors. Every error says what went wrong and what a person should do about it,
 * and none of them ever carries a secret (messages are built from our own words, never
 * from secret values or signed URLs).
 */

/** Base class: `kind` is a stable machine-readable tag used in logs, alerts and tests. */
export abstract class GuardError extends Error {
  abstract readonly kind: string;
  /** True when retrying in the same cycle cannot help and a human must act (bad key, 451...). */
  readonly needsHuman: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration value (environment variable or CDK context) is missing or invalid. */
export class ConfigError extends GuardError {
  readonly kind = "config";
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

/** The secret for an account could not be read or does not have the expected shape. */
export class SecretError extends GuardError {
  readonly kind = "secret";
  override readonly needsHuman: boolean;
  /** `transient` for throttling and outages, which the next cycle may not see again. */
  constructor(message: string, options?: { cause?: unknown; transient?: boolean }) {
    super(message, options);
    this.needsHuman = !options?.transient;
  }
}

/** Any failure talking to Binance. `code` is Binance's error code when it sent one. */
export abstract class BinanceError extends GuardError {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 401, -2014, -2015: the key is wrong, lacks permission, or the caller IP is not whitelisted. */
export class BinanceAuthError extends BinanceError {
  readonly kind = "binance-auth";
  readonly retryable = false;
  override readonly needsHuman = true;
}

/** -1022: the signature did not verify, almost always the wrong secret or private key. */
export class BinanceSignatureError extends BinanceError {
  readonly kind = "binance-signature";
  readonly retryable = false;
  override readonly needsHuman = true;
}

/** -1021 after one resync and retry: our clock and Binance's disagree by more than recvWindow. */
export class BinanceClockSkewError extends BinanceError {
  readonly kind = "binance-clock-skew";
  readonly retryable = false;
}

/** 429: rate limited. `retryAfterMs` comes from the Retry-After header. */
export class BinanceRateLimitError extends BinanceError {
  readonly kind = "binance-rate-limit";
  readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    status?: number,
    code?: number,
  ) {
    super(message, status, code);
  }
}

/** 418: the IP is banned. Calling again extends the ban, so nothing calls until `bannedUntil`. */
export class BinanceIpBanError extends BinanceError {
  readonly kind = "binance-ip-ban";
  readonly retryable = false;
  constructor(
    message: string,
    readonly bannedUntilMs: number | undefined,
    status?: number,
    code?: number,
  ) {
    super(message, status, code);
  }
}

/** 451: Binance refuses service from this location (AWS US regions among them). */
export class BinanceRestrictedLocationError extends BinanceError {
  readonly kind = "binance-restricted-location";
  readonly retryable = false;
  override readonly needsHuman = true;
}

/** 5xx, network errors and timeouts: the state is unknown; retried with backoff in the budget. */
export class BinanceUnavailableError extends BinanceError {
  readonly kind = "binance-unavailable";
  readonly retryable = true;
}

/** The body was not the JSON we expect (HTML error page, truncated JSON, missing fields). */
export class BinanceResponseFormatError extends BinanceError {
  readonly kind = "binance-bad-response";
  readonly retryable = true;
}

/**
 * `/account` and `/positionRisk` disagree about the open positions (a trade landed between the
 * two calls, or one of them is stale). Reading both again usually settles it.
 */
export class PositionsMismatchError extends BinanceError {
  readonly kind = "binance-positions-mismatch";
  readonly retryable = true;
}

/** Any other 4xx with a Binance error code we do not handle specially. */
export class BinanceRequestError extends BinanceError {
  readonly kind = "binance-request";
  readonly retryable = false;
}

/** The weight governor refused the call to stay under the IP's per-minute weight limit. */
export class WeightBudgetExceededError extends GuardError {
  readonly kind = "weight-deferred";
}

/** Narrow an unknown thrown value to a short, secret-free description for logs and alerts. */
export function describeError(err: unknown): { kind: string; message: string } {
  if (err instanceof GuardError) return { kind: err.kind, message: err.message };
  if (err instanceof Error) return { kind: err.name || "error", message: err.message };
  return { kind: "unknown", message: String(err) };
}

/** The alert state changed under us (another invocation wrote it); reload and decide again. */
export class StateConflictError extends GuardError {
  readonly kind = "state-conflict";
}

/**
 * `history --account NAME` names an account the table has nothing for: the known accounts are
 * listed (from the stack or the demo) so a typo or a wrong case is plain.
 */
export class UnknownAccountError extends GuardError {
  readonly kind = "unknown-account";
  constructor(
    readonly account: string,
    readonly known: readonly string[] | undefined,
    where: string,
    knownNote?: string,
  ) {
    const near = known?.find((k) => k.toLowerCase() === account.toLowerCase());
    const list =
      known === undefined
        ? `cannot list the known accounts${knownNote ? ` (${knownNote})` : ""}`
        : known.length > 0
          ? `known accounts: ${known.join(", ")}`
          : "no accounts are known";
    super(
      `account "${account}" has no snapshots or alert state in ${where}; ${list}${near ? ` (names are case-sensitive: did you mean "${near}"?)` : ""}`,
    );
  }
}

/** The same description shaped for a log line (`message` is the log line's own key). */
export function errorLogFields(err: unknown): { kind: string; error: string } {
  const { kind, message } = describeError(err);
  return { kind, error: message };
}

/** A chat channel's secret is missing, unreadable, or not the JSON its platform needs. */
export class ChatSecretError extends GuardError {
  readonly kind = "chat-secret";
  override readonly needsHuman = true;
}

/**
 * A chat platform refused or never answered a message. `reason` is the platform's own short
 * error text (e.g. Telegram's "Unauthorized"), never the URL or token that was used.
 */
export class ChatDeliveryError extends GuardError {
  readonly kind = "chat-delivery";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
