/**
 * Keeps the monitor's IP under Binance's per-minute request weight. Binance counts weight per IP
 * in fixed one-minute windows and reports the running total in `X-MBX-USED-WEIGHT-1M`; going over
 * earns a 429 and, if ignored, a 418 ban. The governor reserves weight before each call, takes the
 * server's figure whenever it is higher than our own estimate (other processes share the IP), and
 * refuses calls that would overflow the window so the caller can defer them and say so.
 */

export interface WeightGovernorOptions {
  /** REQUEST_WEIGHT per minute allowed for the IP. */
  readonly limit: number;
  readonly now?: () => number;
}

export class WeightGovernor {
  private readonly limit: number;
  private readonly now: () => number;
  private window = -1;
  private used = 0;
  private blockedUntil = 0;

  constructor(options: WeightGovernorOptions) {
    this.limit = options.limit;
    this.now = options.now ?? Date.now;
  }

  private roll(): void {
    const window = Math.floor(this.now() / 60_000);
    if (window !== this.window) {
      this.window = window;
      this.used = 0;
    }
  }

  /** Reserve `weight` for a call; false means "do not call now". */
  tryAcquire(weight: number): boolean {
    if (this.now() < this.blockedUntil) return false;
    this.roll();
    if (this.used + weight > this.limit) return false;
    this.used += weight;
    return true;
  }

  /** Record the server's view of this window's used weight. */
  observe(usedWeight: number): void {
    this.roll();
    if (usedWeight > this.used) this.used = usedWeight;
  }

  /** Stop all calls until `untilMs` (after a 429 Retry-After or a 418 ban). */
  blockUntil(untilMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, untilMs);
  }

  /** When calls may resume, if they are blocked now. */
  blockedUntilMs(): number | undefined {
    return this.now() < this.blockedUntil ? this.blockedUntil : undefined;
  }

  /** Weight used in the current window, as far as we know. */
  usedWeight(): number {
    this.roll();
    return this.used;
  }
}
