/**
 * Request weight per client IP per minute, as Binance counts it: the window is the exchange
 * clock's minute, and clients bound to 127.0.0.2, .3, ... count apart.
 */
export class IpWeightMeter {
  private window = -1;
  /** Weight used in the current minute, per client IP. */
  private readonly usedByIp = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** Weight used this minute by one client IP, or by the busiest one. */
  used(ip?: string): number {
    this.roll();
    if (ip !== undefined) return this.usedByIp.get(ip) ?? 0;
    return Math.max(0, ...this.usedByIp.values());
  }

  /** What the `x-mbx-used-weight-1m` header reports for this IP, without rolling the window. */
  header(ip: string): number {
    return this.usedByIp.get(ip) ?? 0;
  }

  /** Count `weight` for `ip` if it fits under `limit`; false (nothing counted) when it does not. */
  take(ip: string, weight: number, limit: number): boolean {
    this.roll();
    const used = this.usedByIp.get(ip) ?? 0;
    if (used + weight > limit) return false;
    this.usedByIp.set(ip, used + weight);
    return true;
  }

  /** Seconds until the current minute ends, for Retry-After. */
  retryAfterSeconds(): number {
    return Math.ceil((60_000 - (this.now() % 60_000)) / 1000);
  }

  private roll(): void {
    const window = Math.floor(this.now() / 60_000);
    if (window !== this.window) {
      this.window = window;
      this.usedByIp.clear();
    }
  }
}
